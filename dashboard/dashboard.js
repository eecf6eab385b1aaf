/*
 * dashboard.js — the /agents page: sign-in, agent cards, launch, the live event feed (Server-Sent
 * Events from /api/orchestrator/events), and the job drawer. Plain browser JavaScript, no build step.
 *
 * Nothing polls: the cards and the feed move with the event stream; the queue counts and last runs
 * are read again only when an event says a job finished, was added or was retried (at most once a second).
 */
"use strict";

const EVENT_TYPES = ["added", "waiting", "active", "progress", "completed", "failed", "delayed", "stalled",
  "retries-exhausted", "paused", "resumed", "removed", "duplicated", "drained"];
const FEED_MAX = 100;

const state = { csrf: null, authRequired: false, cards: new Map(), source: null, refreshTimer: null, openJob: null,
  retried: new Map() };
const $ = (id) => document.getElementById(id);

function banner(text) {
  const el = $("banner");
  el.textContent = text || "";
  el.hidden = !text;
}

async function api(method, path, body) {
  const headers = {};
  if (state.csrf && method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  const text = await response.text();
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: { message: text } }; }
  if (response.status === 401 && path !== "/api/auth/session") showSignIn();
  return { status: response.status, data };
}

function errorText(result) {
  const error = result.data && result.data.error;
  return error ? error.message : `HTTP ${result.status}`;
}

/* ---- sign-in ---- */

function showSignIn() {
  if (state.source) { state.source.close(); state.source = null; }
  $("app").hidden = true;
  $("signin").hidden = false;
  $("sign-out").hidden = true;
  $("signin-key").focus();
}

async function checkSession() {
  const result = await api("GET", "/api/auth/session");
  if (result.status === 200) {
    state.authRequired = !!result.data.authRequired;
    state.csrf = result.data.csrfToken || null;
    return true;
  }
  if (result.status === 401) return false;
  throw new Error(errorText(result));
}

async function signIn(event) {
  event.preventDefault();
  $("signin-error").textContent = "";
  const key = $("signin-key").value;
  const result = await api("POST", "/api/auth/session", { key });
  if (result.status !== 200) {
    $("signin-error").textContent = result.status === 401 || result.status === 403
      ? "That key was not accepted." : errorText(result);
    return;
  }
  $("signin-key").value = "";
  state.csrf = result.data.csrfToken;
  state.authRequired = true;
  start();
}

async function signOut() {
  await api("DELETE", "/api/auth/session");
  state.csrf = null;
  showSignIn();
}

/* ---- cards ---- */

function formatTime(ms) {
  if (!ms) return "never";
  return new Date(Number(ms)).toLocaleString();
}

function formatDuration(ms) {
  if (ms === undefined || ms === null) return "–";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function setCard(name, changes) {
  const card = state.cards.get(name);
  if (!card) return;
  const el = card.el;
  if (changes.jobId) {
    card.jobId = changes.jobId;
    el.querySelector(".open-job").disabled = false;
  }
  if (changes.state) {
    el.dataset.state = changes.state;
    el.querySelector(".status").textContent = changes.state;
    if (changes.state === "waiting") changes.percent = changes.percent ?? 0;
    if (changes.state === "completed") changes.percent = 100;
  }
  if (changes.message !== undefined) el.querySelector(".message").textContent = changes.message ? `— ${changes.message}` : "";
  if (changes.percent !== undefined) {
    const percent = Math.max(0, Math.min(100, Number(changes.percent) || 0));
    el.querySelector(".bar span").style.width = `${percent}%`;
    const bar = el.querySelector(".bar");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-label", `${card.title} progress`);
  }
  if (changes.at !== undefined) el.querySelector(".last-run").textContent = formatTime(changes.at);
  if (changes.durationMs !== undefined) el.querySelector(".duration").textContent = formatDuration(changes.durationMs);
}

function renderCards(readiness) {
  const list = $("agents");
  list.setAttribute("aria-busy", "false");
  const agents = readiness.agents || [];
  $("agents-state").textContent = agents.length ? "" : "No agents are registered. Add scripts to the agents folder.";
  for (const agent of agents) {
    let card = state.cards.get(agent.name);
    if (!card) {
      const el = $("card-template").content.firstElementChild.cloneNode(true);
      el.dataset.agent = agent.name;
      el.querySelector(".launch-one").addEventListener("click", () => launch([agent.name]));
      el.querySelector(".launch-one").setAttribute("aria-label", `Launch ${agent.title}`);
      el.querySelector(".open-job").addEventListener("click", () => { if (card.jobId) openJob(card.jobId); });
      el.querySelector(".open-job").setAttribute("aria-label", `Open the last job of ${agent.title}`);
      list.appendChild(el);
      card = { el, jobId: null, title: agent.title };
      state.cards.set(agent.name, card);
    }
    const el = card.el;
    el.querySelector(".card-title").textContent = agent.title;
    el.querySelector(".tier").textContent = agent.tier;
    el.querySelector(".load-error").textContent = agent.loadError ? `Script refused: ${agent.loadError}` : "";
    const integrations = el.querySelector(".integrations");
    integrations.replaceChildren();
    for (const [need, info] of Object.entries(agent.integrations || {})) {
      const item = document.createElement("li");
      item.className = info.status;
      item.textContent = `${need}: ${info.status}`;
      item.title = info.reason || "";
      integrations.appendChild(item);
    }
    const run = agent.lastRun;
    if (run && (!card.jobId || card.jobId === run.jobId)) {
      setCard(agent.name, { jobId: run.jobId, state: run.state, at: run.at, durationMs: run.durationMs,
        message: run.failedReason || "" });
    }
  }
}

function renderCounts(counts) {
  for (const el of document.querySelectorAll("[data-count]"))
    el.textContent = counts ? String(counts[el.dataset.count] ?? 0) : "–";
}

async function refreshSummary() {
  const health = await api("GET", "/api/orchestrator/health");
  const redis = $("health-redis");
  if (health.data && health.data.redis) {
    redis.textContent = health.data.redis.connected ? `Redis: ${health.data.redis.latencyMs.toFixed(1)} ms` : "Redis: down";
    redis.className = `pill ${health.data.redis.connected ? "ok" : "bad"}`;
    const workers = health.data.workers || [];
    $("health-workers").textContent = `Workers: ${workers.length}`;
    $("health-workers").className = `pill ${workers.length ? "ok" : "bad"}`;
    renderCounts(health.data.queue && health.data.queue.counts);
  } else if (health.status !== 401) {
    banner(`Health check failed: ${errorText(health)}`);
  }
  const readiness = await api("GET", "/api/orchestrator/readiness");
  if (readiness.status === 200) renderCards(readiness.data);
  else if (readiness.status !== 401) {
    $("agents-state").textContent = `Could not load the agents: ${errorText(readiness)}`;
    $("agents").setAttribute("aria-busy", "false");
  }
}

function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(() => { state.refreshTimer = null; refreshSummary(); }, 1000);
}

/* ---- launch ---- */

async function launch(agents) {
  const out = $("launch-result");
  let body = {};
  const text = $("profile").value.trim();
  if (text) {
    try { body = JSON.parse(text); } catch (e) { out.textContent = `The profile is not valid JSON: ${e.message}`; return; }
    if (typeof body !== "object" || body === null || Array.isArray(body)) { out.textContent = "The profile must be a JSON object."; return; }
  }
  if (agents) body = Object.assign({}, body, { agents });
  out.textContent = "Launching…";
  const key = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const result = Object.keys(body).length === 0 && !text
    ? await apiLaunch(undefined, key) : await apiLaunch(body, key);
  if (result.status === 202) {
    out.textContent = `Launched ${result.data.jobIds.length} job(s): ${result.data.jobIds.join(", ")}`;
    result.data.agents.forEach((name, i) => setCard(name, { jobId: result.data.jobIds[i], state: "waiting", message: "" }));
    return;
  }
  const problems = result.data && result.data.error && result.data.error.problems;
  out.replaceChildren(document.createTextNode(`Launch refused: ${problems ? "" : errorText(result)}`));
  if (problems) {
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.appendChild(item);
    }
    out.appendChild(list);
  }
}

async function apiLaunch(body, key) {
  const headers = { "Idempotency-Key": key };
  if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch("/api/orchestrator/launch", { method: "POST", headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (response.status === 401) showSignIn();
  return { status: response.status, data };
}

async function queueAction(action) {
  const result = await api("POST", `/api/orchestrator/${action}`);
  $("launch-result").textContent = result.status === 200 ? `Queue ${result.data.paused ? "paused" : "resumed"}.` : errorText(result);
  scheduleRefresh();
}

/* ---- live feed ---- */

/* A frame names its job, not its agent: a launched job's id is <agent>-<ms>-<hex> (as the server's
 * orchestrator_agent_of_job reads it). */
function agentOfJob(jobId) {
  const match = /^(.+)-\d+-[0-9a-f]+$/.exec(jobId || "");
  return match ? match[1] : "";
}

function describe(event) {
  const who = agentOfJob(event.jobId) || event.jobId || "queue";
  switch (event.event) {
    case "progress": return `${who}: ${event.percent ?? ""}% ${event.message || ""}`;
    case "failed": return `${who}: failed — ${event.failedReason || ""}`;
    case "completed": return `${who}: completed`;
    default: return `${who}: ${event.event}${event.prev ? ` (was ${event.prev})` : ""}`;
  }
}

function addToFeed(event) {
  $("feed-empty").hidden = true;
  const feed = $("feed");
  const item = document.createElement("li");
  item.dataset.event = event.event;
  const time = document.createElement("time");
  const ms = Number(String(event.id).split("-")[0]);
  time.dateTime = new Date(ms).toISOString();
  time.textContent = new Date(ms).toLocaleTimeString();
  item.append(time, document.createTextNode(describe(event)));
  feed.prepend(item);
  while (feed.children.length > FEED_MAX) feed.lastElementChild.remove();
}

function applyEvent(event) {
  addToFeed(event);
  const name = agentOfJob(event.jobId);
  if (name && state.cards.has(name)) {
    const card = state.cards.get(name);
    const current = !card.jobId || card.jobId === event.jobId || event.event === "added";
    if (current) {
      const ms = Number(String(event.id).split("-")[0]);
      switch (event.event) {
        case "added": setCard(name, { jobId: event.jobId, state: "waiting", percent: 0, message: "" }); break;
        case "waiting": setCard(name, { jobId: event.jobId, state: "waiting", message: event.prev === "failed" ? "retrying" : "" }); break;
        case "active": setCard(name, { jobId: event.jobId, state: "active", at: ms, message: "" }); card.startedAt = ms; break;
        case "progress": setCard(name, { jobId: event.jobId, state: "active", percent: event.percent, message: event.message || "" }); break;
        case "completed": setCard(name, { jobId: event.jobId, state: "completed", at: ms, message: "",
          durationMs: card.startedAt ? ms - card.startedAt : undefined }); break;
        case "failed": setCard(name, { jobId: event.jobId, state: "failed", at: ms, message: event.failedReason || "",
          durationMs: card.startedAt ? ms - card.startedAt : undefined }); break;
        case "stalled": setCard(name, { state: "waiting", message: "stalled; will be taken again" }); break;
        default: break;
      }
    }
  }
  if (["added", "completed", "failed", "waiting", "paused", "resumed"].includes(event.event)) scheduleRefresh();
  if (state.openJob && event.jobId === state.openJob && ["completed", "failed", "progress", "active"].includes(event.event))
    openJob(state.openJob, true);
}

async function connectFeed() {
  const recent = await api("GET", "/api/orchestrator/monitor?limit=50");
  if (recent.status === 200) recent.data.events.slice().reverse().forEach(addToFeed);
  const source = new EventSource("/api/orchestrator/events");
  state.source = source;
  const pill = $("health-stream");
  source.onopen = () => { pill.textContent = "Live feed: connected"; pill.className = "pill ok"; };
  source.onerror = () => { pill.textContent = "Live feed: reconnecting"; pill.className = "pill bad"; };
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (message) => {
      // a frame's data holds the event's fields; its id and type are the frame's id: and event: lines
      let event;
      try { event = JSON.parse(message.data); } catch (e) { return; /* a frame that is not JSON is skipped */ }
      applyEvent({ ...event, id: message.lastEventId, event: message.type });
    });
  }
}

/* ---- job drawer ---- */

function section(title, node) {
  const wrap = document.createElement("section");
  const heading = document.createElement("h3");
  heading.textContent = title;
  wrap.append(heading, node);
  return wrap;
}

function pre(text) {
  const el = document.createElement("pre");
  el.textContent = text;
  return el;
}

async function openJob(id, refresh) {
  state.openJob = id;
  const drawer = $("drawer");
  const body = $("drawer-body");
  if (!refresh) {
    body.replaceChildren(document.createTextNode("Loading…"));
    if (!drawer.open) drawer.showModal();
  }
  const result = await api("GET", `/api/orchestrator/jobs/${encodeURIComponent(id)}`);
  if (result.status !== 200) { body.replaceChildren(document.createTextNode(`Could not load the job: ${errorText(result)}`)); return; }
  const job = result.data;
  $("drawer-title").textContent = `${job.name} — ${job.id}`;
  const facts = document.createElement("dl");
  facts.className = "card-facts";
  const fact = (label, value) => {
    const div = document.createElement("div");
    const dt = document.createElement("dt"); dt.textContent = label;
    const dd = document.createElement("dd"); dd.textContent = value; dd.dataset.fact = label.toLowerCase();
    div.append(dt, dd); facts.appendChild(div);
  };
  fact("State", job.state);
  fact("Attempts", `${job.attemptsMade} of ${job.attempts || 1}`);
  fact("Duration", formatDuration(job.durationMs));
  const nodes = [facts];
  if (job.failedReason) {
    const reason = document.createElement("p");
    reason.className = "error failure";
    reason.textContent = `Failure: ${job.failedReason}`;
    nodes.push(reason);
  }
  if (job.state === "failed") {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "primary retry";
    retry.textContent = "Retry this job";
    retry.addEventListener("click", async () => {
      const answer = await api("POST", `/api/orchestrator/jobs/${encodeURIComponent(job.id)}/retry`);
      retry.disabled = true;
      const note = answer.status === 202 ? `Retried at ${new Date().toLocaleTimeString()}`
        : `Retry refused: ${errorText(answer)}`;
      state.retried.set(job.id, note);
      body.querySelector(".retry-note").textContent = note;
      if (answer.status === 202) setCard(job.name, { jobId: job.id, state: "waiting", message: "retrying" });
    });
    nodes.push(retry);
  }
  const retryNote = document.createElement("p");
  retryNote.className = "retry-note";
  retryNote.setAttribute("role", "status");
  retryNote.textContent = state.retried.get(job.id) || "";
  nodes.push(retryNote);
  if (job.artifacts && job.artifacts.length) {
    const list = document.createElement("ul");
    for (const artifact of job.artifacts) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = artifact.url;
      link.textContent = artifact.name;
      link.target = "_blank";
      link.rel = "noopener";
      item.appendChild(link);
      list.appendChild(item);
    }
    nodes.push(section("Artifacts", list));
  }
  if (job.returnvalue !== null && job.returnvalue !== undefined) nodes.push(section("Result", pre(JSON.stringify(job.returnvalue, null, 2))));
  nodes.push(section(`Logs (${job.logCount})`, pre(job.logs.length ? job.logs.join("\n") : "No log lines.")));
  body.replaceChildren(...nodes);
}

/* ---- start ---- */

async function start() {
  $("signin").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = !state.authRequired;
  banner("");
  await refreshSummary();
  if (!state.source) await connectFeed();
}

async function boot() {
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("launch-all").addEventListener("click", () => launch(null));
  $("pause").addEventListener("click", () => queueAction("pause"));
  $("resume").addEventListener("click", () => queueAction("resume"));
  $("drawer").addEventListener("close", () => { state.openJob = null; });
  try {
    if (await checkSession()) await start();
    else showSignIn();
  } catch (e) {
    banner(`The dashboard cannot reach growthd: ${e.message}`);
  }
}

document.addEventListener("DOMContentLoaded", boot);
