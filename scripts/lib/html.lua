-- lib/html.lua: small HTML pieces for the agents' e-mails (escaped text, paragraphs, tables).
--
--   html.escape(s)                 -> s with & < > " ' as entities (numbers and booleans via tostring)
--   html.p(s)                      -> "<p>escaped s</p>"
--   html.table(header, rows)       -> a <table> with a header row and one row per list of cells
--   html.page(title, body)         -> a whole HTML document around body (already HTML)
--
-- Everything a user or an llm wrote goes through escape, so a belief such as "<b>I never</b>"
-- shows as typed instead of changing the e-mail.

local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }

local function escape(s)
  if type(s) ~= "string" then
    if type(s) ~= "number" and type(s) ~= "boolean" then
      error("html.escape: expected a string, number or boolean, got " .. type(s))
    end
    s = tostring(s)
  end
  return (s:gsub("[&<>\"']", ENTITIES))
end

local function p(s)
  return "<p>" .. escape(s) .. "</p>"
end

local function row(tag, cells)
  local out = {}
  for i, cell in ipairs(cells) do out[i] = "<" .. tag .. ">" .. escape(cell) .. "</" .. tag .. ">" end
  return "<tr>" .. table.concat(out) .. "</tr>"
end

local function tbl(header, rows)
  local out = { '<table border="1" cellpadding="4" cellspacing="0">', row("th", header) }
  for _, cells in ipairs(rows) do
    if #cells ~= #header then
      error(string.format("html.table: a row has %d cells, expected %d like the header", #cells, #header))
    end
    out[#out + 1] = row("td", cells)
  end
  out[#out + 1] = "</table>"
  return table.concat(out, "\n")
end

local function page(title, body)
  return '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' .. escape(title) .. "</title></head>\n<body>\n"
    .. body .. "\n</body></html>\n"
end

return { escape = escape, p = p, table = tbl, page = page }
