-- agents/journal.lua: a daily alignment journal with AI summaries (rooted).
--
-- The journal is a spreadsheet (Date, Intention, Gratitude, Energy (1–10), Alignment (1–10),
-- Reflection): the one named in the input, or the one this agent made for the user before (its id
-- in ctx.store), or a new one; its Summaries sheet (tab) is added once per spreadsheet
-- (sheets.ensure_sheet, remembered in ctx.store). Today's entry, when the input has one, is
-- appended once per date: the step reads the sheet first, so neither a retry nor a second run the
-- same day adds a row twice, not even after a lost answer (the append applied, its answer dropped,
-- the step not recorded). The last `days` entries give averages and trends of energy and
-- alignment, and the llm a summary (themes, a short summary, one suggestion; offline: lib.journal
-- from the figures and the most frequent content words), appended to the Summaries sheet once per
-- date in the same way.

local llm = require "growth.llm"
local sheets = require "growth.sheets"
local time = require "growth.time"
local journal = require "lib.journal"
local text = require "lib.text"

-- The entries are on the spreadsheet's first sheet, whatever its name (Sheet1 in the agent's own, the
-- user's name in one they shared): a range without a sheet name means the first sheet.
local ENTRIES = "A:F"
local SUMMARIES = "Summaries"
local SUMMARY_MAX = 500
local SUMMARY_HEADERS = { "Date", "Days", "Entries", "Energy (mean)", "Energy (trend)", "Alignment (mean)",
  "Alignment (trend)", "Themes", "Summary", "Suggestion" }

local SCHEMA = {
  type = "object",
  properties = {
    themes = { type = "array", items = { type = "string" } },
    summary = { type = "string" },
    suggestion = { type = "string" },
  },
  required = { "themes", "summary", "suggestion" },
  additionalProperties = false,
}

local SYSTEM = "You summarise a personal alignment journal. Answer in JSON: themes (one to five single words "
  .. "that recur), summary (at most " .. SUMMARY_MAX .. " characters, second person, kind and concrete), "
  .. "suggestion (one small suggestion for tomorrow)."

local function today_in(zone_name)
  local t = time.zone(zone_name or "UTC"):to_local(time.now())
  return string.format("%04d-%02d-%02d", t.year, t.month, t.day)
end

-- The spreadsheet { id, url } kept under key, or a new one made (once per job) by step.
local function find_or_create(ctx, key, step, title, headers)
  local book = ctx.store.get(key)
  if book then return book end
  local made = ctx.step(step, function() return sheets.create{ title = title, headers = headers } end)
  book = { id = made.id, url = made.url }
  ctx.store.set(key, book)
  return book
end

-- The Summaries sheet of spreadsheet id ({ id, url }), added with its headers at most once per
-- spreadsheet: the step keeps a retried job from asking again, the store keeps later jobs from it.
local function ensure_summaries(ctx, id)
  local known = ctx.store.get("summariesSheet")
  if known and known.id == id then return known end
  local tab = ctx.step("create-summaries-sheet", function()
    return sheets.ensure_sheet(id, { title = SUMMARIES, headers = SUMMARY_HEADERS })
  end)
  if tab.created then ctx.log("Added the " .. SUMMARIES .. " sheet to the journal spreadsheet") end
  known = { id = id, url = tab.url }
  ctx.store.set("summariesSheet", known)
  return known
end

local function read_entries(ctx, id)
  local rows = sheets.read(id, ENTRIES)
  local entries, skipped = {}, 0
  for i = 2, #rows do
    local ok, entry = pcall(journal.from_row, rows[i], "row " .. i)
    if ok then entries[#entries + 1] = entry else
      skipped = skipped + 1
      ctx.log("Skipping " .. tostring(entry))
    end
  end
  return entries, skipped
end

local function has_date(rows, date)
  for i = 2, #rows do
    if rows[i][1] == date then return rows[i] end
  end
  return nil
end

local function summarise(recent)
  local lines = {}
  for _, e in ipairs(recent) do
    lines[#lines + 1] = string.format("%s | energy %d | alignment %d | intention: %s | gratitude: %s | reflection: %s",
      e.date, e.energy, e.alignment, e.intention or "", e.gratitude or "", e.reflection or "")
  end
  local f = journal.figures(recent)
  lines[#lines + 1] = string.format("Energy mean %s, trend %s; alignment mean %s, trend %s.", tostring(f.energy.mean),
    tostring(f.energy.trend), tostring(f.alignment.mean), tostring(f.alignment.trend))
  local answer = llm.chat{
    messages = { { role = "system", content = SYSTEM }, { role = "user", content = table.concat(lines, "\n") } },
    temperature = 0.3,
    max_tokens = 500,
    schema = SCHEMA,
    offline = function()
      local s = journal.offline_summary(recent, SUMMARY_MAX)
      return { themes = s.themes, summary = s.summary, suggestion = s.suggestion }
    end,
  }
  return { themes = answer.themes, summary = text.trim(answer.summary), suggestion = text.trim(answer.suggestion),
    figures = f }
end

local function csv_cell(v)
  v = tostring(v)
  if v:find('[,"\r\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

local function csv(rows)
  local out = {}
  for i, row in ipairs(rows) do
    local cells = {}
    for j, v in ipairs(row) do cells[j] = csv_cell(v) end
    out[i] = table.concat(cells, ",")
  end
  return table.concat(out, "\r\n") .. "\r\n"
end

return {
  name = "journal",
  title = "Journal Agent",
  tier = "rooted",
  description = "Daily alignment journal in a spreadsheet, with averages, trends and an AI summary",
  needs = { "sheets", "llm" },
  input = {
    days = { type = "integer", min = 1, max = 366, default = 7, description = "how many days the summary covers" },
    spreadsheetId = { type = "string", min = 1, max = 200,
      description = "a journal spreadsheet the user shared; by default the agent's own" },
    entry = { type = "object", description = "today's entry", fields = {
      date = { type = "string", min = 10, max = 10, description = "YYYY-MM-DD; default today in the user's zone" },
      intention = { type = "string", max = 2000, default = "" },
      gratitude = { type = "string", max = 2000, default = "" },
      energy = { type = "integer", min = 1, max = 10, required = true },
      alignment = { type = "integer", min = 1, max = 10, required = true },
      reflection = { type = "string", max = 4000, default = "" },
    } },
  },
  timeout = 300,

  setup = function(ctx)
    if ctx.user.timezone ~= nil and not pcall(time.zone, ctx.user.timezone) then
      error({ code = "bad_argument", retryable = false,
        message = "user.timezone: " .. tostring(ctx.user.timezone) .. " is not a time zone of the tz database" })
    end
    local entry = ctx.input.entry
    if entry and entry.date and not (entry.date:match("^%d%d%d%d%-%d%d%-%d%d$") and time.parse(entry.date)) then
      error({ code = "bad_argument", retryable = false, message = "journal.entry.date: expected YYYY-MM-DD, got " .. entry.date })
    end
  end,

  run = function(ctx)
    local today = today_in(ctx.user.timezone)
    local owner = ctx.user.name or "you"
    ctx.progress(5, "Finding the journal spreadsheet")
    local book = ctx.input.spreadsheetId and { id = ctx.input.spreadsheetId }
    if not book then
      if not ctx.store.get("journal") then ctx.log("Creating journal spreadsheet") end
      book = find_or_create(ctx, "journal", "create-journal", "Alignment Journal — " .. owner, journal.HEADERS)
    end
    local id = book.id
    local summaries = ensure_summaries(ctx, id)
    local artifacts = {}
    if book.url then artifacts[1] = { name = "Alignment Journal", type = "spreadsheet", path = book.url } end
    artifacts[#artifacts + 1] = { name = "Journal Summaries", type = "spreadsheet", path = summaries.url }
    ctx.progress(20, "Journal spreadsheet ready")

    local entry, entry_date, appended = ctx.input.entry, nil, nil
    if entry then
      entry_date = entry.date or today
      local row = journal.to_row({ date = entry_date, intention = entry.intention, gratitude = entry.gratitude,
        energy = entry.energy, alignment = entry.alignment, reflection = entry.reflection })
      local added = ctx.step("append-entry-" .. entry_date, function()
        if has_date(sheets.read(id, ENTRIES), entry_date) then return { appended = false } end
        local r = sheets.append(id, "A1", { row })
        return { appended = true, range = r.updated_range }
      end)
      appended = added.appended
      ctx.log(added.appended and ("Added the entry of " .. entry_date)
        or ("The journal already has an entry for " .. entry_date .. "; left as it is"))
      ctx.progress(40, added.appended and "Today's entry added" or "Today's entry was already there")
    end

    local entries, skipped = read_entries(ctx, id)
    local recent = journal.recent(entries, ctx.input.days, entry_date or today)
    ctx.progress(55, string.format("%d entries in the last %d days", #recent, ctx.input.days))
    if #recent == 0 then
      ctx.progress(100, "No entries to summarise yet")
      return { spreadsheetId = id, summariesSheet = SUMMARIES, date = today, entries = 0, skipped = skipped,
        entryAppended = appended, artifacts = artifacts }
    end
    local summary = ctx.step("summary-" .. (entry_date or today), function() return summarise(recent) end)
    ctx.progress(75, "Summary written")
    local f = summary.figures
    local date = entry_date or today
    local saved = ctx.step("append-summary-" .. date, function()
      if has_date(sheets.read(id, SUMMARIES), date) then return { appended = false } end
      local r = sheets.append(id, SUMMARIES .. "!A1", { { date, ctx.input.days, f.count, f.energy.mean,
        f.energy.trend, f.alignment.mean, f.alignment.trend, table.concat(summary.themes, ", "), summary.summary,
        summary.suggestion } })
      return { appended = true, range = r.updated_range }
    end)
    ctx.log(saved.appended and ("Saved the summary of " .. date .. " to the " .. SUMMARIES .. " sheet")
      or ("The " .. SUMMARIES .. " sheet already has a summary for " .. date .. "; left as it is"))
    ctx.progress(90, "Summary saved to the Summaries sheet")

    local rows = { journal.HEADERS }
    for _, e in ipairs(recent) do rows[#rows + 1] = journal.to_row(e) end
    local name = "journal-" .. (entry_date or today) .. ".csv"
    artifacts[#artifacts + 1] = { name = name, type = "csv", path = ctx.artifact(name, csv(rows)) }
    ctx.progress(100, "Done")
    return {
      spreadsheetId = id,
      summariesSheet = SUMMARIES,
      summaryAppended = saved.appended,
      date = entry_date or today,
      entries = #recent,
      skipped = skipped,
      entryAppended = appended,
      energy = f.energy,
      alignment = f.alignment,
      themes = summary.themes,
      summary = summary.summary,
      suggestion = summary.suggestion,
      artifacts = artifacts,
    }
  end,

  validate = function(ctx, result)
    local entry = ctx.input.entry
    if entry then
      local row = has_date(sheets.read(result.spreadsheetId, ENTRIES), result.date)
      if not row then error("the entry of " .. result.date .. " does not read back from the spreadsheet") end
      local back = journal.from_row(row, "the entry of " .. result.date)
      if result.entryAppended and (back.energy ~= entry.energy or back.alignment ~= entry.alignment
          or back.intention ~= entry.intention or back.reflection ~= entry.reflection) then
        error("the entry of " .. result.date .. " reads back different from what was written")
      end
    end
    if result.entries > 0 then
      local ok, reason = journal.check_summary(result.summary, result.themes, SUMMARY_MAX)
      if not ok then error(reason) end
      local row = has_date(sheets.read(result.spreadsheetId, SUMMARIES), result.date)
      if not row then error("the summary of " .. result.date .. " does not read back from the " .. SUMMARIES .. " sheet") end
      if result.summaryAppended and row[9] ~= result.summary then
        error("the summary of " .. result.date .. " reads back different from what was written")
      end
    end
  end,
}
