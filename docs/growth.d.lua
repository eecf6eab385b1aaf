---@meta
-- LuaLS definitions for growthd agents: completion and type checks in editors.
-- The repository's .luarc.json adds this file to the workspace library; for a checkout of the
-- scripts alone, add it to "workspace.library" of your own .luarc.json. See docs/lua-api.md.

---@alias growth.Tier "rooted"|"grounded"|"radiant"
---@alias growth.Integration "sheets"|"calendar"|"drive"|"llm"|"mail"|"sms"|"pdf"
---@alias growth.FieldType "string"|"number"|"integer"|"boolean"|"array"|"object"
---@alias growth.ErrorCode "bad_argument"|"bad_config"|"not_found"|"conflict"|"too_large"|"unauthorized"|"forbidden"|"rate_limited"|"timeout"|"unavailable"|"upstream_error"|"no_memory"|"io_error"|"internal"|"memory_limit"|"script_error"|"llm_unavailable"

---A field of an input schema: a type name, or a table.
---@class growth.FieldSpec
---@field type growth.FieldType
---@field required? boolean true when the field must be present
---@field min? number length of a string or array, number of fields of an object, or the value of a number
---@field max? number
---@field enum? any[] the allowed values
---@field items? growth.FieldType|growth.FieldSpec the spec of every item of an array
---@field fields? table<string, growth.FieldType|growth.FieldSpec> the fields of an object
---@field default? any the value used when the field is absent
---@field description? string

---What an agent file returns.
---@class growth.Agent
---@field name string equals the file name
---@field title? string
---@field tier growth.Tier
---@field description? string
---@field needs? growth.Integration[]
---@field input? table<string, growth.FieldType|growth.FieldSpec>
---@field timeout? number seconds for the whole job (default 300, at most 3600)
---@field setup? fun(ctx: growth.Ctx)
---@field run fun(ctx: growth.Ctx): table?
---@field validate? fun(ctx: growth.Ctx, result: table?)
---@field tasks? table<string, fun(ctx: growth.Ctx, data: table): table?> follow-up work queued with ctx.schedule

---@class growth.Job
---@field id string
---@field attempt integer 1 on the first try
---@field agent string
---@field version string SHA-256 of the agent file and its lib files

---@class growth.Store
local Store = {}
---@param key string
---@return any value the stored value, or nil
function Store.get(key) end
---@param key string
---@param value any JSON-able, at most 64 KB; nil deletes
function Store.set(key, value) end
---@param key string
function Store.delete(key) end

---@class growth.Ctx
---@field job growth.Job
---@field user table the user's profile
---@field input table the validated input, defaults filled in
---@field store growth.Store
local Ctx = {}
---Reports progress.
---@param percent number 0 to 100
---@param message? string
function Ctx.progress(percent, message) end
---Writes one log line "[<Name>Agent] ...".
---@param ... any
function Ctx.log(...) end
---Runs fn once per job and name; a retried job gets the stored result back.
---@generic T
---@param name string
---@param fn fun(): T
---@return T
function Ctx.step(name, fn) end
---Keeps a file the job produced; returns where it was stored.
---@param name string letters, digits, '.', '_', '-'
---@param bytes string|{ bytes: fun(self): string } the bytes, or a document with a bytes() method
---@return string location
function Ctx.artifact(name, bytes) end
---Queues the agent's task to run later as a job of its own. nil when the host has no queue (growthd run).
---@param task string a key of the agent's tasks table
---@param delay_s number seconds from now, 0 to 400 days
---@param data? table JSON-able, at most 64 KB: the task's second argument
---@return string id the follow-up job's id
function Ctx.schedule(task, delay_s, data) end

---The error table raised by growth.* modules (and accepted from agents).
---@class growth.Error
---@field code growth.ErrorCode
---@field message string
---@field retryable? boolean
---@field status? integer upstream HTTP status

---A time zone of the tz database (growth.time.zone). to_local and from_local also work called
---with a dot, as plain functions (lib/civil.lua's to_local / from_local).
---@class growth.Zone
---@field name string "Europe/Berlin"
local Zone = {}
---@class growth.LocalTime
---@field year integer
---@field month integer 1-12
---@field day integer
---@field hour integer
---@field min integer
---@field sec integer
---@field wday integer ISO weekday, 1 = Monday ... 7 = Sunday
---@field yday integer 1-366
---@field offset_s integer seconds east of UTC in force at that instant
---@field is_dst boolean
---@param seconds number epoch seconds (years 1900-2199)
---@return growth.LocalTime
function Zone:to_local(seconds) end
---A wall-clock time in a spring-forward gap moves forward by the gap; one that happens twice is
---its first occurrence.
---@param year integer
---@param month integer
---@param day integer
---@param hour integer
---@param min? integer
---@param sec? integer
---@return integer seconds
function Zone:from_local(year, month, day, hour, min, sec) end

---@class growth.sheets
local sheets = {}
---@class growth.SheetsCreate
---@field title string
---@field headers? string[] the first row
---@param spec growth.SheetsCreate
---@return { id: string, url: string }
function sheets.create(spec) end
---@alias growth.Cell string|number|boolean|nil
---@param id string spreadsheet id
---@param range string A1 notation: "Sheet1!A1", "'My sheet'!A:D", "Sheet1"
---@param rows growth.Cell[][] a list of rows, each a list of cells (nil or json.null: empty)
---@return { updated_range: string, updated_rows: integer }
function sheets.append(id, range, rows) end
---@param id string
---@param range string
---@return string[][] rows cells as text, trailing empty cells and rows left out
function sheets.read(id, range) end
---@class growth.SheetsTab
---@field title string 1 to 100 characters, no control characters
---@field headers? string[] written as the first row when that row is empty
---@param id string spreadsheet id
---@param spec growth.SheetsTab
---@return { title: string, sheet_id: integer, created: boolean, url: string } created: false when the tab was there
function sheets.ensure_sheet(id, spec) end

---@class growth.CalendarEvent
---@field id string
---@field title string
---@field start string RFC 3339 with the event's offset, or "YYYY-MM-DD" when allDay
---@field end string exclusive
---@field allDay boolean
---@field timeZone? string IANA name (absent for all-day events)
---@field busy boolean false for events marked free
---@field declined boolean the calendar's owner declined
---@field eventType string "default", "outOfOffice", "focusTime", ...

---@class growth.NewCalendarEvent
---@field title string
---@field start string|number RFC 3339 with offset, "YYYY-MM-DD" (with a date end), or epoch seconds
---@field end string|number
---@field description? string
---@field busy? boolean default true
---@field timeZone? string IANA name

---@class growth.calendar
local calendar = {}
---@param calendarId string "primary" or a calendar's id (its owner's address)
---@param from string|number RFC 3339 with offset, or epoch seconds
---@param to string|number exclusive
---@return growth.CalendarEvent[] events sorted by start, recurring events expanded
function calendar.events(calendarId, from, to) end
---@param calendarId string
---@param event growth.NewCalendarEvent
---@return { id: string, link: string }
function calendar.insert(calendarId, event) end

---@class growth.DriveUpload
---@field name string a file name without '/'
---@field mime string "application/pdf", ...
---@field bytes string|{ bytes: fun(self): string } at most 5 MB, or a growth.pdf document
---@field folder? string a Drive folder id; default GROWTH_DRIVE_FOLDER_ID
---@field share_with? string an address given read access

---@class growth.drive
local drive = {}
---@param upload growth.DriveUpload
---@return { id: string, url: string }
function drive.upload(upload) end

---@class growth.json
---@field null lightuserdata JSON null
---@field empty_array lightuserdata [] in a result, a step's result or the store (an empty table is {})
local json = {}
---@param value any
---@return string
function json.encode(value) end
---@param text string
---@return any
function json.decode(text) end

---@class growth.time
local time = {}
---@return number seconds since the epoch, with milliseconds
function time.now() end
---@param name string an IANA zone: "Europe/Berlin", "America/New_York", "UTC"; unknown: bad_argument
---@return growth.Zone
function time.zone(name) end
---@param seconds? number default now
---@return string iso "2026-11-27T09:30:00.123Z"
function time.iso(seconds) end
---@param seconds? number default now
---@return string date "2026-11-27" (UTC)
function time.date(seconds) end
---@param text string "2026-11-27", "2026-11-27T09:30:00Z" or "2026-11-27T10:30:00+01:00"
---@return number? seconds
---@return string? message when text is malformed
function time.parse(text) end
---@return integer milliseconds of a clock that never jumps
function time.monotonic_ms() end

---@class growth.pdf
local pdf = {}

---@class growth.PdfOptions
---@field title? string metadata and window title
---@field author? string
---@field subject? string
---@field date? string ISO 8601, default now
---@field size? "A4"|"Letter" default "A4"

---@class growth.PdfTable
---@field header? (string|number|boolean)[]
---@field rows (string|number|boolean)[][]

---@class growth.PdfBarChart
---@field title? string
---@field labels string[]
---@field values number[]

---@class growth.PdfScatterGroup
---@field label string
---@field points ({ [1]: number, [2]: number, [3]: string? })[] x, y and an optional point label

---@class growth.PdfScatter
---@field title? string
---@field x_label? string
---@field y_label? string
---@field groups growth.PdfScatterGroup[]

---@alias growth.IkigaiCircle string|{ label: string?, items: string[]? }

---@class growth.PdfIkigai
---@field love? growth.IkigaiCircle
---@field good_at? growth.IkigaiCircle
---@field world_needs? growth.IkigaiCircle
---@field paid_for? growth.IkigaiCircle
---@field center? string default "Ikigai"
---@field passion? string
---@field mission? string
---@field profession? string
---@field vocation? string

---A PDF document being built; every adding method returns it.
---@class growth.PdfDocument
local PdfDocument = {}
---@param text string
---@return growth.PdfDocument
function PdfDocument:title(text) end
---@param text string
---@param level? 1|2 default 1
---@return growth.PdfDocument
function PdfDocument:heading(text, level) end
---@param text string
---@return growth.PdfDocument
function PdfDocument:paragraph(text) end
---@param items string[]
---@return growth.PdfDocument
function PdfDocument:bullets(items) end
---@param spec growth.PdfTable
---@return growth.PdfDocument
function PdfDocument:table(spec) end
---@param spec growth.PdfBarChart
---@return growth.PdfDocument
function PdfDocument:bar_chart(spec) end
---@param spec growth.PdfScatter
---@return growth.PdfDocument
function PdfDocument:scatter(spec) end
---@param spec growth.PdfIkigai
---@return growth.PdfDocument
function PdfDocument:ikigai(spec) end
---@return growth.PdfDocument
function PdfDocument:page_break() end
---@return integer pages so far (or in all, once finished)
function PdfDocument:pages() end
---Finishes the document (nothing can be added afterwards) and returns the PDF.
---@return string bytes
function PdfDocument:bytes() end
---Finishes the document and writes it to the job's artifact folder.
---@param name string a plain file name such as "report.pdf"
---@return string path
function PdfDocument:save(name) end

---@param options? growth.PdfOptions
---@return growth.PdfDocument
function pdf.new(options) end

---@class growth.MailAddress
---@field name? string
---@field email string

---@class growth.MailAttachment
---@field name string file name
---@field mime? string default "application/octet-stream"
---@field bytes string|growth.PdfDocument

---@class growth.MailMessage
---@field to string|growth.MailAddress|(string|growth.MailAddress)[]
---@field subject string one line
---@field text string plain-text body
---@field html? string
---@field attachments? growth.MailAttachment[]

---@class growth.mail
local mail = {}
---Sends with SMTP (live) or writes GROWTH_DATA_DIR/outbox/mail/<id>.eml (local).
---@param message growth.MailMessage
---@return { message_id: string }
function mail.send(message) end

---@class growth.SmsSegments
---@field encoding "gsm7"|"ucs2"
---@field characters integer
---@field units integer septets (GSM-7) or UTF-16 code units (UCS-2)
---@field segments integer

---@class growth.sms
local sms = {}
---@return boolean available
---@return string reason
function sms.available() end
---@param text string
---@return growth.SmsSegments
function sms.segments(text) end
---@param message { to: string, body: string } to in E.164; body at most 10 segments
---@return { sid: string, segments: integer }
function sms.send(message) end

---@class growth.LlmMessage
---@field role "system"|"developer"|"user"|"assistant"
---@field content string

---@class growth.LlmChat
---@field messages growth.LlmMessage[]
---@field temperature? number 0 to 2
---@field max_tokens? integer
---@field schema? table a JSON schema of an object: the answer is then a table checked against it
---@field offline? fun(request: growth.LlmChat): string|table the answer in offline mode

---@class growth.llm
local llm = {}
---@return "live"|"local"|"missing" backend
---@return string reason
function llm.backend() end
---@param texts string[]
---@return number[][] vectors one unit vector per text, in order
function llm.embed(texts) end
---@param request growth.LlmChat
---@return string|table answer a string, or the checked table when a schema is given
function llm.chat(request) end

---@overload fun(name: "growth.json"): growth.json
---@overload fun(name: "growth.time"): growth.time
---@overload fun(name: "growth.pdf"): growth.pdf
---@overload fun(name: "growth.mail"): growth.mail
---@overload fun(name: "growth.sms"): growth.sms
---@overload fun(name: "growth.llm"): growth.llm
---@param name string "lib.x" (scripts/lib/x.lua) or "growth.x"
---@return any
---@overload fun(name: "growth.sheets"): growth.sheets
---@overload fun(name: "growth.calendar"): growth.calendar
---@overload fun(name: "growth.drive"): growth.drive
function require(name) end
