local check = dofile((arg[0]:match("^(.*)/") or ".") .. "/check.lua")
local html = require "lib.html"

check.test("escape turns every markup character into an entity", function()
  check.eq(html.escape([[<b>"Tom" & 'Jerry'</b>]]), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;")
  check.eq(html.escape(7.5), "7.5")
  check.eq(html.escape("plain ✨"), "plain ✨")
  check.ok(not pcall(html.escape, {}), "a table is refused")
end)

check.test("table: header, escaped cells, a row of the wrong width refused", function()
  local t = html.table({ "Day", "Busy" }, { { "Mon <1>", 300 } })
  check.ok(t:find("<th>Day</th><th>Busy</th>", 1, true), "header")
  check.ok(t:find("<td>Mon &lt;1&gt;</td><td>300</td>", 1, true), "row")
  local ok, err = pcall(html.table, { "a", "b" }, { { "x" } })
  check.ok(not ok and err:find("1 cells, expected 2", 1, true), "width error")
end)

check.test("page wraps a body with an escaped title", function()
  local doc = html.page("A & B", html.p("hi"))
  check.ok(doc:find("<title>A &amp; B</title>", 1, true) and doc:find("<p>hi</p>", 1, true), "page")
end)

check.done()
