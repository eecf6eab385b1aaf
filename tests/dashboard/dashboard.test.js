// The /agents dashboard in headless Chromium: sign in with an API key, launch all agents, watch the cards
// reach completed through the live feed, open a job, open an artifact, retry a failed job, and fit a
// phone's width. growthd runs with the test agents and one in-process worker on its own redis-server.
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert");
const { spawn, execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require(path.join(__dirname, "..", "node_modules", "playwright-core"));

const SOURCE = process.env.GROWTH_SOURCE_DIR || path.join(__dirname, "..", "..");
const GROWTHD = process.env.GROWTHD_BIN || path.join(SOURCE, "build", "growthd");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(os.tmpdir(), "growth-dashboard-screenshots");
const KEY = "dashboard-test-key-" + crypto.randomBytes(8).toString("hex");
const FINAL = ["completed", "failed"];

let redis, growthd, browser, port, redisPort, tmp, logText = () => "";

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => { const p = server.address().port; server.close(() => resolve(p)); });
  });
}

async function waitFor(what, fn, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if (await fn()) return; } catch (e) { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logText().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "growth-dash-"));
  redisPort = await freePort();
  port = await freePort();
  redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" });
  await waitFor("redis", () => execFileSync("redis-cli", ["-p", String(redisPort), "PING"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim() === "PONG");
  const profile = path.join(tmp, "profile.json");
  fs.writeFileSync(profile, JSON.stringify({ user: { id: "demo", name: "Alex" },
    inputs: { alpha: { days: 2 }, beta: { beliefs: ["I never finish things"] } } }));
  const hash = crypto.createHash("sha256").update(KEY).digest("hex");
  const logPath = path.join(tmp, "growthd.log");
  const log = fs.openSync(logPath, "w");
  logText = () => fs.readFileSync(logPath, "utf8");
  growthd = spawn(GROWTHD, ["serve", "--workers", "1"], { stdio: ["ignore", "ignore", log], env: {
    PATH: process.env.PATH, ASAN_OPTIONS: process.env.ASAN_OPTIONS || "", PORT: String(port),
    GROWTH_BIND_ADDRESS: "127.0.0.1", REDIS_URL: `redis://127.0.0.1:${redisPort}`, ENABLE_GROWTH_AGENTS: "true",
    ENABLE_GROWTH_DASHBOARD: "true", GROWTH_API_KEYS: `ci:${hash}`, GROWTH_PROFILE: profile,
    GROWTH_SCRIPTS_DIR: path.join(SOURCE, "tests", "integration", "orchestrator_agents"),
    GROWTH_DASHBOARD_DIR: path.join(SOURCE, "dashboard"), GROWTH_DATA_DIR: path.join(tmp, "data"),
    GROWTH_HOT_RELOAD: "false" } });
  await waitFor("growthd", async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
});

after(async () => {
  if (browser) await browser.close();
  if (growthd) { growthd.kill("SIGTERM"); await new Promise((r) => growthd.once("exit", r)); }
  if (redis) redis.kill("SIGTERM");
  assert.ok(!/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(logText()), logText().slice(-4000));
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function cardState(page, agent) {
  return page.locator(`.card[data-agent="${agent}"]`).getAttribute("data-state");
}

test("sign in, launch all, watch, open a job and an artifact, retry a failure", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/agents`);

  // signed out: the sign-in form, and nothing else
  await page.getByLabel("API key").waitFor();
  assert.strictEqual(await page.locator("#app").isHidden(), true);
  await page.screenshot({ path: path.join(SHOTS, "01-signed-out.png") });
  await page.getByLabel("API key").fill("wrong key");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("That key was not accepted.").waitFor();
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Sign in" }).click();

  // signed in: two cards with their integrations, the live feed connected
  await page.locator('.card[data-agent="alpha"]').waitFor();
  await page.locator('.card[data-agent="beta"]').waitFor();
  await page.getByText("Live feed: connected").waitFor();
  assert.match(await page.locator('.card[data-agent="alpha"] .integrations').innerText(), /llm: local/);
  assert.strictEqual(await page.locator('.card[data-agent="alpha"] .tier').textContent(), "rooted");
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === "growth_session");
  assert.ok(session && session.httpOnly && session.sameSite === "Strict", JSON.stringify(cookies));
  await page.screenshot({ path: path.join(SHOTS, "02-signed-in.png") });

  // launch all: both cards go to a final state, moved by the event stream
  await page.getByRole("button", { name: "Launch all agents" }).click();
  await page.getByText(/Launched 2 job\(s\)/).waitFor();
  for (const agent of ["alpha", "beta"])
    await waitFor(`${agent} to finish`, async () => FINAL.includes(await cardState(page, agent)), 60000);
  for (const agent of ["alpha", "beta"])
    assert.strictEqual(await cardState(page, agent), "completed", logText().slice(-3000));
  assert.strictEqual(await page.locator('.card[data-agent="alpha"] .bar').getAttribute("aria-valuenow"), "100");
  await waitFor("the feed to show the finishes", async () =>
    (await page.locator('#feed li[data-event="completed"]').count()) >= 2);
  // a progress line of the feed shows the percent with the agent's message (ctx.progress(50, "halfway"))
  const progressLines = await page.locator('#feed li[data-event="progress"]').allInnerTexts();
  for (const expected of ["alpha: 50% halfway", "alpha: 100% done", "beta: 30% reading"])
    assert.ok(progressLines.some((line) => line.endsWith(expected)), `${expected} in:\n${progressLines.join("\n")}`);
  await page.screenshot({ path: path.join(SHOTS, "03-finished.png"), fullPage: true });

  // open alpha's job; give it a PDF (what the Purpose and Niche agents save) and open it
  const result = await page.locator("#launch-result").innerText();
  const alphaJob = result.match(/alpha-\d+-[0-9a-f]+/)[0];
  const folder = path.join(tmp, "data", "artifacts", alphaJob);
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(path.join(SOURCE, "tests", "dashboard", "sample.pdf"), path.join(folder, "purpose.pdf"));
  await page.locator('.card[data-agent="alpha"]').getByRole("button", { name: /Open the last job/ }).click();
  await page.locator("#drawer[open]").waitFor();
  await page.locator('#drawer [data-fact="state"]').waitFor();
  assert.match(await page.locator("#drawer-title").innerText(), new RegExp(alphaJob));
  await page.locator("#drawer").getByRole("link", { name: "note.txt" }).waitFor();   // saved by the agent itself
  const link = page.locator("#drawer").getByRole("link", { name: "purpose.pdf" });
  await link.waitFor();
  const href = await link.getAttribute("href");
  const pdf = await page.request.get(`http://127.0.0.1:${port}${href}`);
  assert.strictEqual(pdf.status(), 200);
  assert.strictEqual(pdf.headers()["content-type"], "application/pdf");
  assert.match(pdf.headers()["content-disposition"], /^inline/);
  const [popup] = await Promise.all([page.waitForEvent("popup"), link.click()]);
  assert.ok(popup.url().endsWith(`/api/artifacts/${alphaJob}/purpose.pdf`), popup.url());
  await popup.close();
  await page.screenshot({ path: path.join(SHOTS, "04-job-drawer.png") });
  await page.getByRole("button", { name: "Close the job details" }).click();

  // a job that fails, launched for one agent with a profile edited in the page, then retried
  await page.locator("#profile-box summary").click();
  await page.getByLabel(/Profile JSON/).fill(JSON.stringify({ inputs: { beta: { beliefs: ["x"], fail: true } } }));
  await page.locator('.card[data-agent="beta"]').getByRole("button", { name: /Launch/ }).click();
  await page.getByText(/Launched 1 job\(s\): beta-/).waitFor();
  const betaJob = (await page.locator("#launch-result").innerText()).match(/beta-\d+-[0-9a-f]+/)[0];
  let firstFinish = 0;
  await waitFor("beta to fail", async () => {
    const job = await (await page.request.get(`http://127.0.0.1:${port}/api/orchestrator/jobs/${betaJob}`)).json();
    firstFinish = job.finishedOn;
    return job.state === "failed";
  }, 60000);
  await waitFor("the beta card to show the failure", async () => (await cardState(page, "beta")) === "failed");
  await page.locator('.card[data-agent="beta"]').getByRole("button", { name: /Open the last job/ }).click();
  await page.locator("#drawer .failure").waitFor();
  await page.getByRole("button", { name: "Retry this job" }).click();
  await page.locator("#drawer .retry-note").getByText(/^Retried at/).waitFor();
  await waitFor("the retry in the feed", async () => (await page.locator("#feed").innerText()).includes("(was failed)"));
  await waitFor("the retried job to run and fail again", async () => {
    const job = await (await page.request.get(`http://127.0.0.1:${port}/api/orchestrator/jobs/${betaJob}`)).json();
    return job.state === "failed" && job.finishedOn > firstFinish;
  }, 60000);
  await page.screenshot({ path: path.join(SHOTS, "05-retried.png") });
  await page.getByRole("button", { name: "Close the job details" }).click();

  // a launch the schemas refuse lists every problem
  await page.getByLabel(/Profile JSON/).fill(JSON.stringify({ inputs: { alpha: { days: 99 }, beta: {} } }));
  await page.getByRole("button", { name: "Launch all agents" }).click();
  await page.getByText(/inputs\.alpha\.days/).waitFor();
  await page.getByText(/inputs\.beta\.beliefs/).waitFor();

  // keyboard: the launch button is reachable with Tab
  await page.keyboard.press("Home");
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await page.evaluate(() => document.activeElement && document.activeElement.id === "launch-all");
  }
  assert.ok(reached, "Launch all is reachable with the keyboard");
  assert.deepStrictEqual(pageErrors, []);
  await context.close();
});

test("phone width: no horizontal scrolling", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/agents`);
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('.card[data-agent="alpha"]').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide at a 390px viewport`);
  await page.screenshot({ path: path.join(SHOTS, "06-phone.png"), fullPage: true });
  await context.close();
});
