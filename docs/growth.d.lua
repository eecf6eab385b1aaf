---@meta
-- LuaLS definitions for growthd agents: completion and type checks in editors.
-- The repository's .luarc.json adds this file to the workspace library; for a checkout of the
-- scripts alone, add it to "workspace.library" of your own .luarc.json. See docs/lua-api.md.

---@alias growth.Tier "rooted"|"grounded"|"radiant"
---@alias growth.Integration "sheets"|"calendar"|"drive"|"llm"|"mail"|"sms"|"pdf"
---@alias growth.FieldType "string"|"number"|"integer"|"boolean"|"array"|"object"
---@alias growth.ErrorCode "bad_argument"|"bad_config"|"not_found"|"conflict"|"too_large"|"unauthorized"|"forbidden"|"rate_limited"|"timeout"|"unavailable"|"upstream_error"|"no_memory"|"io_error"|"internal"|"memory_limit"|"script_error"

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

---The error table raised by growth.* modules (and accepted from agents).
---@class growth.Error
---@field code growth.ErrorCode
---@field message string
---@field retryable? boolean
---@field status? integer upstream HTTP status

---@class growth.json
---@field null lightuserdata JSON null
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

---@overload fun(name: "growth.json"): growth.json
---@overload fun(name: "growth.time"): growth.time
---@param name string "lib.x" (scripts/lib/x.lua) or "growth.x"
---@return any
function require(name) end
