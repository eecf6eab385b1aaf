-- expect: too_large
-- message: the document has more than 200 pages
-- cairo's memory is outside the VM's cap, so growth.pdf caps pages per document: text added
-- without end is refused at page 201, and closing the VM frees the document (the leak check).
local pdf = require "growth.pdf"
return {
  name = "37_pdf_page_bomb", tier = "rooted",
  run = function(ctx)
    local doc = pdf.new()
    local text = ("filler "):rep(20000)
    while true do
      doc:paragraph(text)
    end
  end,
}
