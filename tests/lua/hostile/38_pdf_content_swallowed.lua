-- expect: too_large
-- message: at most 16 documents open at once
-- Documents made and kept without being finished, the refusals swallowed by pcall: the cap of
-- open documents holds, and the last refusal ends the job; closing the VM frees all sixteen.
local pdf = require "growth.pdf"
return {
  name = "38_pdf_content_swallowed", tier = "rooted",
  run = function(ctx)
    local kept = {}
    for i = 1, 100 do
      local ok, doc = pcall(pdf.new, { title = "doc " .. i })
      if ok then
        doc:paragraph(("text "):rep(1000))
        kept[#kept + 1] = doc
      end
    end
    return pdf.new()
  end,
}
