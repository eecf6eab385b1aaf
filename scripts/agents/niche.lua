-- agents/niche.lua: niche discovery by clustering embeddings (grounded).
--
-- The user's interests, skills, problems they can solve and audiences (6 to 60 short texts in all)
-- are embedded, normalised and clustered with k-means++ for k from 2 to 6 (seeded from the texts,
-- so the same input gives the same clusters); the k with the best silhouette is kept. The llm
-- names each cluster (niche, audience, problem, offer; offline: from the cluster's own texts and
-- frequent words), the niches are ranked by size and cohesion (lib.kmeans.rank), and a PDF report
-- shows a PCA scatter of the items coloured by cluster, the table of niches and the top
-- recommendation, uploaded to Drive. The clustering and the naming are ctx.steps, so a retry keeps the same niches.
-- Pure Lua is fast enough: 60 texts of 1536 dimensions take about 0.6 s (docs/lua-lib.md).

local drive = require "growth.drive"
local time = require "growth.time"
local llm = require "growth.llm"
local pdf = require "growth.pdf"
local kmeans = require "lib.kmeans"
local pca = require "lib.pca"
local prng = require "lib.prng"
local stats = require "lib.stats"
local text = require "lib.text"
local vec = require "lib.vec"

local KINDS = { { field = "interests", label = "interest" }, { field = "skills", label = "skill" },
  { field = "problems", label = "problem" }, { field = "audiences", label = "audience" } }
local MIN_ITEMS, MAX_ITEMS, K_MIN, K_MAX = 6, 60, 2, 6

local function list_of_texts(description)
  return { type = "array", items = { type = "string", min = 1, max = 200 }, max = MAX_ITEMS, default = {},
    description = description }
end

local NAME_SCHEMA = {
  type = "object",
  properties = { niche = { type = "string" }, audience = { type = "string" }, problem = { type = "string" },
    offer = { type = "string" } },
  required = { "niche", "audience", "problem", "offer" },
  additionalProperties = false,
}

local SYSTEM = "You name a business niche from a cluster of a person's interests, skills, problems they can solve "
  .. "and audiences. Answer in JSON: niche (a short name, at most 8 words), audience (who it serves), problem (the "
  .. "problem it solves for them), offer (one concrete product or service)."

local function items_of(input)
  local items = {}
  for _, kind in ipairs(KINDS) do
    for _, t in ipairs(input[kind.field]) do items[#items + 1] = { text = t, kind = kind.label } end
  end
  return items
end

local function cluster(items)
  local texts = {}
  for i, item in ipairs(items) do texts[i] = item.text end
  local vectors = llm.embed(texts)
  local points = {}
  for i, v in ipairs(vectors) do points[i] = vec.normalize(v) end
  local best = kmeans.choose(points, { seed = prng.hash(table.concat(texts, "\n")), k_min = K_MIN,
    k_max = math.min(K_MAX, #points - 1) })
  local projection = pca.project(points)
  local scores = {}
  for k = K_MIN, K_MAX do scores[#scores + 1] = best.scores[k] and { k = k, silhouette = best.scores[k] } or nil end
  return { k = best.k, assign = best.assign, silhouette = best.silhouette, scores = scores,
    ranking = kmeans.rank(best), coords = projection.coords, explained = projection.explained,
    dimensions = #points[1] }
end

-- The offline name of a cluster: its own texts, by kind (the first of each), and its most
-- frequent content words when a kind is missing.
local function offline_name(members)
  local first, all = {}, {}
  for _, item in ipairs(members) do
    first[item.kind] = first[item.kind] or item.text
    all[#all + 1] = item.text
  end
  local theme = text.join(text.themes(all, 2))
  if theme == "" then theme = text.lower(all[1]) end
  local subject = first.interest or first.skill or first.problem or first.audience
  local skill = first.skill or first.interest or subject
  local audience = first.audience or ("people interested in " .. text.lower(subject))
  local niche = text.truncate(subject, 50)
  if first.audience then niche = niche .. " for " .. text.lower(text.truncate(first.audience, 40)) end
  return {
    niche = niche,
    audience = audience,
    problem = first.problem or ("getting started with " .. theme),
    offer = "A hands-on programme: " .. text.lower(skill) .. ", applied to " .. text.lower(subject),
  }
end

local function name_cluster(members)
  local lines = {}
  for _, item in ipairs(members) do lines[#lines + 1] = item.kind .. ": " .. item.text end
  return llm.chat{
    messages = { { role = "system", content = SYSTEM }, { role = "user", content = table.concat(lines, "\n") } },
    temperature = 0.4,
    max_tokens = 300,
    schema = NAME_SCHEMA,
    offline = function() return offline_name(members) end,
  }
end

local function report(ctx, items, found, niches)
  -- dated when the clusters were found, so a retry renders the same bytes as the first attempt
  local doc = pdf.new{ title = "Your niches", author = "growthd Niche Agent", subject = ctx.user.name,
    date = found.made }
  doc:title("Your niches" .. (ctx.user.name and (", " .. ctx.user.name) or ""))
  doc:paragraph(string.format("%d of your interests, skills, problems and audiences fall into %d groups "
    .. "(silhouette %.2f). The strongest niche is \"%s\".", #items, found.k, found.silhouette, niches[1].niche))
  local groups = {}
  for rank, n in ipairs(niches) do
    local points = {}
    for _, i in ipairs(n.members) do
      points[#points + 1] = { found.coords[i][1], found.coords[i][2], text.truncate(items[i].text, 24) }
    end
    groups[#groups + 1] = { label = rank .. ". " .. text.truncate(n.niche, 40), points = points }
  end
  doc:scatter{ title = "Your items, by niche (PCA projection)",
    x_label = string.format("PC1 (%.0f%%)", 100 * found.explained[1]),
    y_label = string.format("PC2 (%.0f%%)", 100 * found.explained[2]), groups = groups }
  local rows = {}
  for rank, n in ipairs(niches) do
    rows[rank] = { rank, n.niche, n.audience, n.problem, n.size, stats.round(n.cohesion, 2) }
  end
  doc:heading("Niches, best first")
  doc:table{ header = { "#", "Niche", "Audience", "Problem", "Size", "Fit" }, rows = rows }
  doc:heading("Top recommendation")
  local top = niches[1]
  doc:paragraph(string.format("%s. Serve %s, who struggle with %s, with this offer: %s.", top.niche,
    text.lower(top.audience), text.lower(top.problem), top.offer))
  local members = {}
  for _, i in ipairs(top.members) do members[#members + 1] = items[i].kind .. ": " .. items[i].text end
  doc:bullets(members)
  return doc
end

return {
  name = "niche",
  title = "Niche Agent",
  tier = "grounded",
  description = "Finds niches by clustering the embeddings of interests, skills, problems and audiences",
  needs = { "llm", "pdf", "drive" },
  input = {
    interests = list_of_texts("what the user is interested in"),
    skills = list_of_texts("what the user is good at"),
    problems = list_of_texts("problems the user can solve"),
    audiences = list_of_texts("people the user could serve"),
  },
  timeout = 600,

  setup = function(ctx)
    local n = #items_of(ctx.input)
    if n < MIN_ITEMS or n > MAX_ITEMS then
      error({ code = "bad_argument", retryable = false, message = string.format(
        "niche: interests, skills, problems and audiences hold %d texts in all; expected %d to %d", n, MIN_ITEMS,
        MAX_ITEMS) })
    end
  end,

  run = function(ctx)
    local items = items_of(ctx.input)
    ctx.progress(5, "Embedding " .. #items .. " texts")
    local found = ctx.step("clusters", function()
      local c = cluster(items)
      c.made = time.iso(math.floor(time.now())):sub(1, 19) .. "Z"
      return c
    end)
    ctx.progress(50, string.format("%d clusters (silhouette %.2f)", found.k, found.silhouette))
    local niches = {}
    for rank, r in ipairs(found.ranking) do
      local members = {}
      for i, c in ipairs(found.assign) do
        if c == r.cluster then members[#members + 1] = i end
      end
      local member_items = {}
      for j, i in ipairs(members) do member_items[j] = items[i] end
      local named = ctx.step("name-" .. r.cluster, function() return name_cluster(member_items) end)
      niches[rank] = { rank = rank, cluster = r.cluster, niche = named.niche, audience = named.audience,
        problem = named.problem, offer = named.offer, size = r.size, cohesion = r.cohesion, score = r.score,
        members = members, items = {} }
      for j, item in ipairs(member_items) do niches[rank].items[j] = item.text end
      ctx.progress(50 + math.floor(30 * rank / #found.ranking), "Named niche " .. rank .. ": " .. named.niche)
    end
    ctx.progress(85, "Writing the PDF report")
    local doc = report(ctx, items, found, niches)
    local pages = doc:pages()
    local bytes = doc:bytes()
    local path = ctx.artifact("niche-report.pdf", doc)
    ctx.progress(92, "Uploading the report to Drive")
    local uploaded = ctx.step("upload", function()
      return drive.upload{ name = "niche-report.pdf", mime = "application/pdf", bytes = doc,
        share_with = ctx.user.email }
    end)
    ctx.progress(100, "Report ready")
    local assignments = {}
    for i, item in ipairs(items) do
      assignments[i] = { text = item.text, kind = item.kind, cluster = found.assign[i],
        x = stats.round(found.coords[i][1], 4), y = stats.round(found.coords[i][2], 4) }
    end
    return {
      k = found.k,
      silhouette = stats.round(found.silhouette, 4),
      scores = found.scores,
      niches = niches,
      top = niches[1].niche,
      items = assignments,
      pdf = { pages = pages, bytes = #bytes, header = bytes:sub(1, 5),
        complete = bytes:find("%%EOF", math.max(1, #bytes - 1024), true) ~= nil },
      drive = { id = uploaded.id, url = uploaded.url },
      artifacts = { { name = "niche-report.pdf", type = "pdf", path = path },
        { name = "niche-report.pdf", type = "drive", path = uploaded.url } },
    }
  end,

  validate = function(ctx, result)
    local n = #items_of(ctx.input)
    if result.k < K_MIN or result.k > math.min(K_MAX, n - 1) then error("k = " .. result.k .. " is out of range") end
    if #result.items ~= n then error(#result.items .. " items clustered, expected " .. n) end
    local seen = {}
    for rank, niche in ipairs(result.niches) do
      for _, field in ipairs({ "niche", "audience", "problem", "offer" }) do
        if type(niche[field]) ~= "string" or text.trim(niche[field]) == "" then
          error("niche " .. rank .. " has no " .. field)
        end
      end
      if #niche.members == 0 then error("niche " .. rank .. " is empty") end
      for _, i in ipairs(niche.members) do
        if seen[i] then error("item " .. i .. " is in two niches") end
        if result.items[i].cluster ~= niche.cluster then error("item " .. i .. " is listed in the wrong niche") end
        seen[i] = true
      end
    end
    if #result.niches ~= result.k then error(#result.niches .. " niches for k = " .. result.k) end
    for i = 1, n do if not seen[i] then error("item " .. i .. " is in no niche") end end
    if result.pdf.header ~= "%PDF-" or not result.pdf.complete or result.pdf.pages < 1 then
      error("the PDF report is not a complete PDF")
    end
    if type(result.drive.id) ~= "string" or result.drive.id == "" then error("the report was not uploaded to Drive") end
  end,
}
