"""growth.llm from Lua: offline embeddings and chat answered by the agent's offline function, checked by schema."""
from agent_runner import AgentTest, main

EMBED = """
local texts = { "I love writing short stories", "writing short stories every morning",
                "quarterly tax forms for small companies", "I love writing short stories" }
local vectors = llm.embed(texts)
local function dot(a, b)
  local s = 0
  for i = 1, #a do s = s + a[i] * b[i] end
  return s
end
return { count = #vectors, dim = #vectors[1], norm = dot(vectors[1], vectors[1]),
         similar = dot(vectors[1], vectors[2]), unrelated = dot(vectors[1], vectors[3]),
         repeated = dot(vectors[1], vectors[4]), first = { table.unpack(vectors[2], 1, 512) },
         backend = llm.backend() }
"""

SCHEMA = """
local schema = { type = "object", required = { "themes", "summary" }, additionalProperties = false,
  properties = { themes = { type = "array", items = { type = "string" } }, summary = { type = "string" } } }
local messages = { { role = "system", content = "You summarise journals." }, { role = "user", content = "..." } }
"""


class LlmBinding(AgentTest):
    def test_embeddings_are_deterministic_and_similar_texts_closer(self):
        self.agent("embedder", EMBED)
        first = self.run_ok("embedder")
        second = self.run_ok("embedder")
        self.assertEqual(first["first"], second["first"])
        self.assertEqual((first["count"], first["dim"]), (4, 512))
        self.assertAlmostEqual(first["norm"], 1.0, places=5)
        self.assertAlmostEqual(first["repeated"], 1.0, places=5)
        self.assertGreater(first["similar"], first["unrelated"] + 0.2)
        self.assertEqual(first["backend"], "local")

    def test_chat_offline_answers_are_checked(self):
        self.agent("chatter", SCHEMA + """
            local seen
            local answer = llm.chat{ messages = messages, schema = schema, temperature = 0.2, max_tokens = 300,
              offline = function(request)
                seen = #request.messages
                return { themes = { "rest", "focus" }, summary = "A calm week." }
              end }
            local text = llm.chat{ messages = messages, offline = function() return "plain words" end }
            local from_json = llm.chat{ messages = messages, schema = schema,
              offline = function() return '```json\\n{"themes": [], "summary": "fenced"}\\n```' end }
            local ok, err = pcall(llm.chat, { messages = messages, schema = schema,
              offline = function() return { themes = { "rest", 7 }, summary = "x" } end })
            local ok2, err2 = pcall(llm.chat, { messages = messages, schema = schema,
              offline = function() return { themes = {}, summary = "x", mood = "odd" } end })
            local empty = llm.chat{ messages = messages, schema = schema,
              offline = function() return { themes = {}, summary = "nothing this week" } end }
            local ok3, err3 = pcall(llm.chat, { messages = messages, schema = schema,
              offline = function() return "not json" end })
            return { seen = seen, themes = answer.themes, summary = answer.summary, text = text,
                     fenced = from_json.summary, empty_summary = empty.summary,
                     bad = { err.code, err.message, err.retryable }, extra = { err2.code, err2.message },
                     notjson = { err3.code, err3.message } }
        """)
        result = self.run_ok("chatter")
        self.assertEqual(result["seen"], 2)
        self.assertEqual(result["themes"], ["rest", "focus"])
        self.assertEqual(result["summary"], "A calm week.")
        self.assertEqual(result["text"], "plain words")
        self.assertEqual(result["fenced"], "fenced")
        self.assertEqual(result["empty_summary"], "nothing this week")   # {} accepted where a list is asked
        self.assertEqual(result["bad"], ["upstream_error", "llm.chat (offline answer): the answer does not match the "
                                         "schema at $.themes[1]: expected string, got integer", False])
        self.assertEqual(result["extra"][0], "upstream_error")
        self.assertIn('the member "mood" is not allowed', result["extra"][1])
        self.assertEqual(result["notjson"][0], "upstream_error")
        self.assertIn("llm.chat (offline answer): the answer is not valid JSON", result["notjson"][1])

    def test_schema_failure_fails_the_job_clearly(self):
        self.agent("strict", SCHEMA + """
            return llm.chat{ messages = messages, schema = schema, offline = function() return { themes = "x", summary = "s" } end }
        """)
        code, _, stderr = self.run_agent("strict")
        self.assertEqual(code, 1)
        self.assertIn("strict failed (upstream_error): agents/strict.lua:", stderr)
        self.assertIn("the answer does not match the schema at $.themes: expected array, got string", stderr)

    def test_without_offline_function_llm_unavailable(self):
        self.agent("nooffline", 'return llm.chat{ messages = { { role = "user", content = "hi" } } }')
        code, _, stderr = self.run_agent("nooffline")
        self.assertEqual(code, 1)
        self.assertIn("nooffline failed (llm_unavailable)", stderr)
        self.assertIn("llm.chat: no model is configured (offline mode) and the call passed no offline function",
                      stderr)

    def test_production_without_key_is_missing(self):
        self.agent("prod", """
            local backend, reason = llm.backend()
            local ok, err = pcall(llm.embed, { "a text" })
            local ok2, err2 = pcall(llm.chat, { messages = { { role = "user", content = "hi" } },
                                                offline = function() return "x" end })
            return { backend = backend, reason = reason, embed = err.code .. ": " .. err.message, chat = err2.code }
        """)
        result = self.run_ok("prod", env={"NODE_ENV": "production"})
        self.assertEqual(result["backend"], "missing")
        self.assertEqual(result["embed"], "bad_config: llm.embed: OPENAI_API_KEY is not set; in production the "
                                          "offline mode is never used in place of the model")
        self.assertEqual(result["chat"], "bad_config")

    def test_every_argument_is_checked(self):
        self.agent("llmargs", """
            local cases = {}
            local function try(name, fn, args)
              local ok, err = pcall(fn, args)
              cases[name] = ok and "no error" or (err.code .. "|" .. tostring(err.retryable) .. "|" .. err.message)
            end
            local user = { { role = "user", content = "hi" } }
            local offline = function() return "x" end
            try("embed_string", llm.embed, "text")
            try("embed_empty_list", llm.embed, {})
            try("embed_empty_text", llm.embed, { "a", "" })
            try("embed_number", llm.embed, { "a", 3 })
            try("embed_holes", llm.embed, { [0] = "a", [2] = "b" })
            try("embed_mixed", llm.embed, { "a", "b", key = "c" })
            try("not_table", llm.chat, "hi")
            try("messages_missing", llm.chat, { offline = offline })
            try("message_not_table", llm.chat, { messages = { "hi" }, offline = offline })
            try("role_missing", llm.chat, { messages = { { content = "hi" } }, offline = offline })
            try("role_unknown", llm.chat, { messages = { { role = "robot", content = "hi" } }, offline = offline })
            try("content_number", llm.chat, { messages = { { role = "user", content = 1 } }, offline = offline })
            try("temperature", llm.chat, { messages = user, temperature = 3, offline = offline })
            try("max_tokens_zero", llm.chat, { messages = user, max_tokens = 0, offline = offline })
            try("max_tokens_fraction", llm.chat, { messages = user, max_tokens = 1.5, offline = offline })
            try("schema_string", llm.chat, { messages = user, schema = "object", offline = offline })
            try("schema_array", llm.chat, { messages = user, schema = { type = "array" }, offline = offline })
            try("offline_string", llm.chat, { messages = user, offline = "x" })
            try("offline_returns_table", llm.chat, { messages = user, offline = function() return {} end })
            return cases
        """)
        cases = self.run_ok("llmargs")
        bad = "bad_argument|false|"
        expected = {
            "embed_string": bad + 'llm.embed: texts must be a non-empty list, got "text"',
            "embed_empty_list": bad + "llm.embed: texts must be a non-empty list, got table",
            "embed_empty_text": bad + 'llm.embed: texts[2] must be a non-empty string, got ""',
            "embed_number": bad + "llm.embed: texts[2] must be a non-empty string, got 3",
            "embed_holes": bad + "llm.embed: texts must be a non-empty list, got table",
            "embed_mixed": bad + "llm.embed: texts must be a non-empty list, got table",
            "not_table": bad + 'llm.chat: the argument must be a table of named fields, got "hi"',
            "messages_missing": bad + "llm.chat: messages must be a non-empty list, got nil",
            "message_not_table": bad + 'llm.chat: messages[1] must be a table { role = ..., content = ... }, got "hi"',
            "role_missing": bad + 'llm.chat: messages[1].role must be "system", "user" or "assistant", got nil',
            "role_unknown": bad + "llm.chat: message 1 has role 'robot'; expected system, developer, user, "
                                  "assistant or tool",
            "content_number": bad + "llm.chat: messages[1].content must be a string, got 1",
            "temperature": bad + "llm.chat: temperature must be a number from 0 to 2, got 3",
            "max_tokens_zero": bad + "llm.chat: max_tokens must be a number from 1 to 1e+06, got 0",
            "max_tokens_fraction": bad + "llm.chat: max_tokens must be a whole number, got 1.5",
            "schema_string": bad + 'llm.chat: schema must be a JSON schema table, got "object"',
            "schema_array": bad + "llm.chat: a schema must describe a JSON object (JSON mode answers objects); "
                                  "wrap an array in an object member",
            "offline_string": bad + 'llm.chat: offline must be a function, got "x"',
            "offline_returns_table": "script_error|false|llm.chat: the offline function must return a string when "
                                     "there is no schema, got table",
        }
        for name, message in expected.items():
            with self.subTest(case=name):
                self.assertEqual(cases[name], message)


if __name__ == "__main__":
    main()
