"""growth.llm on the live backend: Lua jobs run by `growthd run` against the OpenAI stand-in. Chat in text and JSON
mode, the repair attempt, embeddings in batches, and every failure: a bad key, 429s (Retry-After and x-ratelimit-*),
an exhausted quota, 5xx until the retries run out, a timeout, malformed answers. The token counter through
live_fixture."""
import json
import time

from live_support import LiveAgentTest, catching, main, run_fixture
from openai import OpenAIStandIn, unit_vector

MESSAGES = """
local messages = { { role = "system", content = "You are a concise coach." },
                   { role = "user", content = "How do I rest better?" } }
"""

SCHEMA = MESSAGES + """
local schema = { type = "object", required = { "themes", "summary", "mood", "score" }, additionalProperties = false,
  properties = { themes = { type = "array", items = { type = "string" } }, summary = { type = "string" },
                 mood = { type = "string", enum = { "calm", "tense" } }, score = { type = "integer" } } }
"""

NEVER_OFFLINE = 'offline = function() error("the offline function must not run on the live backend") end'


class LlmLive(LiveAgentTest):
    @classmethod
    def setUpClass(cls):
        cls.openai = OpenAIStandIn().start()

    @classmethod
    def tearDownClass(cls):
        cls.openai.stop()

    def setUp(self):
        super().setUp()
        s = self.openai
        s.clear_faults()
        s.clear_requests()
        s.invalid_json = s.mismatch = s.rate_limited = s.quota_exhausted = 0
        s.finish_length = s.reverse_embeddings = s.accept_any_key = False
        s.rate_limit_retry_after = "1"
        s.usage = {}
        s.answered = 0

    def live_env(self):
        return {"OPENAI_API_KEY": self.openai.api_key, "OPENAI_BASE_URL": self.openai.base_url}

    def chat_bodies(self):
        return [json.loads(r["body"]) for r in self.openai.requests("/v1/chat/completions")]

    # ---- success ----
    def test_chat_text_answer(self):
        self.agent("coach", MESSAGES + f"""
            local backend, reason = llm.backend()
            local answer = llm.chat{{ messages = messages, temperature = 0.3, max_tokens = 50, {NEVER_OFFLINE} }}
            return {{ backend = backend, reason = reason, answer = answer }}
        """)
        result = self.run_ok("coach")
        self.assertEqual(result["backend"], "live")
        self.assertEqual(result["reason"], f"OpenAI API at {self.openai.base_url}: chat gpt-4o-mini, embeddings "
                                           "text-embedding-3-small")
        self.assertEqual(result["answer"], "stand-in answer to: How do I rest better?")
        (request,) = self.openai.requests("/v1/chat/completions")
        self.assertEqual(request["headers"]["authorization"], "***")   # recorded masked; the stand-in checked it
        body = json.loads(request["body"])
        self.assertEqual(body, {"model": "gpt-4o-mini", "temperature": 0.3, "max_completion_tokens": 50,
                                "messages": [{"role": "system", "content": "You are a concise coach."},
                                             {"role": "user", "content": "How do I rest better?"}]})

    def test_model_setting_and_unknown_model(self):
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        result = self.run_error("coach", env={"OPENAI_MODEL": "gpt-9-imaginary"})
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("not_found", False, 404))
        self.assertIn("model_not_found", result["message"])
        self.assertEqual(self.chat_bodies()[0]["model"], "gpt-9-imaginary")

    def test_chat_with_schema_is_json_mode_and_checked(self):
        self.agent("coach", SCHEMA + f"""
            return llm.chat{{ messages = messages, schema = schema, {NEVER_OFFLINE} }}
        """)
        result = self.run_ok("coach")
        self.assertEqual(result, {"themes": ["themes: How do I rest better?"], "summary": "summary: How do I rest "
                                  "better?", "mood": "calm", "score": len("How do I rest better?")})
        (body,) = self.chat_bodies()
        self.assertEqual(body["response_format"], {"type": "json_object"})
        self.assertEqual(body["messages"][0]["role"], "system")
        self.assertIn("json", body["messages"][0]["content"])
        self.assertIn('"required":["themes","summary","mood","score"]', body["messages"][0]["content"])

    # ---- the repair attempt ----
    def repaired(self, switch):
        setattr(self.openai, switch, 1)
        self.agent("coach", SCHEMA + f"return llm.chat{{ messages = messages, schema = schema, {NEVER_OFFLINE} }}")
        result = self.run_ok("coach")
        self.assertEqual(result["mood"], "calm")
        first, second = self.chat_bodies()
        self.assertEqual(second["messages"][:len(first["messages"])], first["messages"])
        assistant, repair = second["messages"][len(first["messages"]):]
        self.assertEqual(assistant["role"], "assistant")
        self.assertEqual(repair["role"], "user")
        self.assertIn("Your previous answer could not be used", repair["content"])
        return assistant["content"], repair["content"]

    def test_invalid_json_is_repaired_once(self):
        bad, repair = self.repaired("invalid_json")
        self.assertTrue(bad.startswith("Sure! Here is the JSON"))
        self.assertIn("not valid JSON", repair)

    def test_answer_off_schema_is_repaired_once(self):
        bad, repair = self.repaired("mismatch")
        self.assertEqual(bad, '{"unexpected": 7}')
        self.assertIn("does not match the schema", repair)

    def test_second_bad_answer_is_a_clear_final_error(self):
        self.openai.invalid_json = 2
        self.agent("coach", SCHEMA + catching(f"llm.chat{{ messages = messages, schema = schema, {NEVER_OFFLINE} }}"))
        result = self.run_error("coach")
        self.assertEqual((result["code"], result["retryable"]), ("upstream_error", False))
        self.assertTrue(result["message"].startswith("llm.chat: the model's answer does not match the schema, even "
                                                     "after one repair attempt: the answer is not valid JSON"),
                        result["message"])
        self.assertEqual(len(self.chat_bodies()), 2)

    # ---- embeddings ----
    def test_embeddings_in_batches_keep_their_order(self):
        self.openai.reverse_embeddings = True
        texts = [f"text number {i} about habits" for i in range(7)]
        self.agent("embedder", f"""
            local texts = {{ {", ".join(json.dumps(t) for t in texts)} }}
            local vectors = llm.embed(texts)
            local heads, norms = {{}}, {{}}
            for i, v in ipairs(vectors) do
              local s = 0
              for _, x in ipairs(v) do s = s + x * x end
              heads[i] = {{ v[1], v[2], v[3] }}
              norms[i] = s
            end
            return {{ count = #vectors, dim = #vectors[1], heads = heads, norms = norms }}
        """)
        result = self.run_ok("embedder", env={"GROWTH_LLM_EMBED_BATCH": "3"})
        self.assertEqual((result["count"], result["dim"]), (7, 1536))
        for i, text in enumerate(texts):
            expected = unit_vector(text, 1536)[:3]
            for got, want in zip(result["heads"][i], expected):
                self.assertAlmostEqual(got, want, places=6)
            self.assertAlmostEqual(result["norms"][i], 1.0, places=4)
        batches = [json.loads(r["body"]) for r in self.openai.requests("/v1/embeddings")]
        self.assertEqual([b["input"] for b in batches], [texts[0:3], texts[3:6], texts[6:7]])
        self.assertEqual({b["model"] for b in batches}, {"text-embedding-3-small"})

    # ---- failures ----
    def test_bad_key_is_unauthorized(self):
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        wrong = "sk-wrong-0123456789abcdef"
        result = self.run_error("coach", env={"OPENAI_API_KEY": wrong})
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("unauthorized", False, 401))
        self.assertIn("invalid_api_key", result["message"])
        self.assertNotIn(wrong, result["message"])
        self.assertEqual(len(self.chat_bodies()), 1)

    def test_rate_limited_then_success_waits_retry_after(self):
        self.openai.rate_limited = 1
        self.agent("coach", MESSAGES + f"return llm.chat{{ messages = messages, {NEVER_OFFLINE} }}")
        self.assertEqual(self.run_ok("coach"), "stand-in answer to: How do I rest better?")
        first, second = self.openai.requests("/v1/chat/completions")
        self.assertGreaterEqual(second["time"] - first["time"], 0.9)   # Retry-After: 1 honoured, not 20 ms backoff

    def test_rate_limit_without_retry_after_uses_the_reset_header(self):
        # x-ratelimit-remaining-requests 0 and x-ratelimit-reset-requests 1.5s: the wait is 1500 ms, over the bound
        self.openai.rate_limited = 1
        self.openai.rate_limit_retry_after = None
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        result = self.run_error("coach", env={"GROWTH_HTTP_RETRY_AFTER_MAX_MS": "1000"})
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("rate_limited", True, 429))
        self.assertIn("the server asks to wait 1500 ms, longer than the 1000 ms allowed", result["message"])
        self.assertIn("rate_limit_exceeded", result["message"])
        self.openai.rate_limited = 1
        started = time.monotonic()
        self.assertEqual(self.run_ok("coach")["code"], "none")
        self.assertGreaterEqual(time.monotonic() - started, 1.4)

    def test_exhausted_quota_is_not_retried(self):
        self.openai.quota_exhausted = 1
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        result = self.run_error("coach")
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("upstream_error", False, 429))
        self.assertIn("billing quota exhausted", result["message"])
        self.assertEqual(len(self.chat_bodies()), 1)

    def test_server_errors_until_retries_run_out(self):
        self.openai.add_fault("status", status=500, count=-1, path="/v1/chat")
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        result = self.run_error("coach")
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("unavailable", True, 500))
        self.assertIn("server_error", result["message"])
        self.assertIn("after 3 attempts", result["message"])
        self.assertEqual(len(self.chat_bodies()), 3)

    def test_server_error_then_success(self):
        self.openai.add_fault("status", status=503, count=1, path="/v1/embeddings")
        self.agent("embedder", 'return #llm.embed{ "one", "two" }')
        self.assertEqual(self.run_ok("embedder"), 2)
        self.assertEqual(len(self.openai.requests("/v1/embeddings")), 2)

    def test_dropped_connection_is_retried(self):
        self.openai.add_fault("drop", count=1, path="/v1/chat")
        self.agent("coach", MESSAGES + f"return llm.chat{{ messages = messages, {NEVER_OFFLINE} }}")
        self.assertEqual(self.run_ok("coach"), "stand-in answer to: How do I rest better?")
        self.assertEqual(len(self.chat_bodies()), 2)

    def test_timeout_is_retryable(self):
        self.openai.add_fault("hang", delay=3, count=-1, path="/v1/chat")
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        result = self.run_error("coach", env={"GROWTH_LLM_TIMEOUT_MS": "300", "GROWTH_HTTP_MAX_ATTEMPTS": "2"})
        self.assertEqual((result["code"], result["retryable"]), ("timeout", True))
        self.assertTrue(result["message"].startswith(f"llm.chat: POST {self.openai.base_url}/chat/completions: "
                                                     "timed out after 2 attempts ("), result["message"])
        self.assertEqual(len(self.chat_bodies()), 2)

    def test_malformed_answers_are_clear_final_errors(self):
        self.agent("coach", MESSAGES + catching(f"llm.chat{{ messages = messages, {NEVER_OFFLINE} }}"))
        self.openai.add_fault("status", status=200, raw="<html>gateway</html>", path="/v1/chat")
        result = self.run_error("coach")
        self.assertEqual((result["code"], result["retryable"]), ("upstream_error", False))
        self.assertEqual(result["message"], "llm.chat: the chat answer is not a JSON object")
        self.openai.finish_length = True
        result = self.run_error("coach")
        self.assertEqual((result["code"], result["retryable"]), ("upstream_error", False))
        self.assertIn("cut off at the token limit", result["message"])

    def test_malformed_embeddings_answer(self):
        self.openai.add_fault("status", status=200, raw='{"object": "list", "data": []}', path="/v1/embeddings")
        self.agent("embedder", catching('llm.embed{ "one", "two" }'))
        result = self.run_error("embedder")
        self.assertEqual((result["code"], result["retryable"]), ("upstream_error", False))
        self.assertEqual(result["message"], "llm.embed: the embeddings answer holds 0 vectors for 2 texts")

    # ---- the token counter ----
    def test_token_counter_matches_the_usage_answered(self):
        env = self.live_env()
        line = run_fixture(["chat", "first question here", "a second one"], env)
        self.assertTrue(line["ok"], line)
        self.assertEqual(line["result"], ["stand-in answer to: first question here",
                                          "stand-in answer to: a second one"])
        line_embed = run_fixture(["embed", "alpha beta", "gamma"], env)
        self.assertTrue(line_embed["ok"], line_embed)
        usage = self.openai.usage
        self.assertEqual(line["metrics"], {"gpt-4o-mini|prompt": usage[("gpt-4o-mini", "prompt")],
                                           "gpt-4o-mini|completion": usage[("gpt-4o-mini", "completion")]})
        self.assertEqual(line["metrics"]["gpt-4o-mini|prompt"], (3 + 4) + (3 + 4))
        self.assertEqual(line["usage"]["models"]["gpt-4o-mini"],
                         {"promptTokens": 14, "completionTokens": usage[("gpt-4o-mini", "completion")],
                          "embeddingTokens": 0, "calls": 2, "requests": 2})
        self.assertEqual(line_embed["metrics"], {"text-embedding-3-small|embedding": 3})
        self.assertEqual(line_embed["usage"], {"promptTokens": 0, "completionTokens": 0, "embeddingTokens": 3,
                                               "calls": 1, "requests": 1,
                                               "models": {"text-embedding-3-small": {
                                                   "promptTokens": 0, "completionTokens": 0, "embeddingTokens": 3,
                                                   "calls": 1, "requests": 1}}})

    def test_usage_of_a_failed_call_is_kept(self):
        """An answer cut off at the token limit fails the call, and its tokens are still counted."""
        self.openai.finish_length = True
        line = run_fixture(["chat", "cut off"], self.live_env())
        self.assertFalse(line["ok"], line)
        self.assertEqual(line["usage"]["calls"], 1)
        self.assertEqual(line["usage"]["requests"], 1)
        self.assertEqual(line["usage"]["promptTokens"], 2 + 4)
        self.assertEqual(line["metrics"]["gpt-4o-mini|prompt"], 2 + 4)

    def test_any_key_server_like_ollama(self):
        self.openai.accept_any_key = True
        line = run_fixture(["chat", "hello"], dict(self.live_env(), OPENAI_API_KEY="ollama"))
        self.assertEqual(line["result"], ["stand-in answer to: hello"])

    def test_stand_in_checks_like_openai(self):
        """The stand-in itself refuses what OpenAI refuses (so the tests above mean something)."""
        import urllib.error
        import urllib.request

        def post(path, body, key=self.openai.api_key):
            headers = {"Content-Type": "application/json"}
            if key:
                headers["Authorization"] = "Bearer " + key
            request = urllib.request.Request(self.openai.base_url + path, data=json.dumps(body).encode(),
                                             method="POST", headers=headers)
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.status, json.load(answer)
            except urllib.error.HTTPError as error:
                return error.code, json.load(error)

        user = [{"role": "user", "content": "hi"}]
        status, body = post("/chat/completions", {"model": "gpt-4o-mini", "messages": user}, key=None)
        self.assertEqual((status, body["error"]["type"], body["error"]["code"]), (401, "invalid_request_error", None))
        self.assertEqual(post("/chat/completions", {"model": "gpt-4o-mini", "messages": user}, key="sk-x")[0], 401)
        self.assertEqual(post("/chat/completions", {"model": "gpt-4o-mini", "messages": []})[0], 400)
        self.assertEqual(post("/chat/completions", {"messages": user})[0], 400)
        self.assertEqual(post("/chat/completions", {"model": "gpt-4o-mini", "messages": [{"role": "robot",
                                                                                           "content": "x"}]})[0], 400)
        self.assertEqual(post("/chat/completions", {"model": "gpt-4o-mini", "messages": user, "temperature": 2.5})[0],
                         400)
        status, body = post("/chat/completions", {"model": "gpt-4o-mini", "messages": user,
                                                  "response_format": {"type": "json_object"}})
        self.assertEqual(status, 400)
        self.assertIn("must contain the word 'json'", body["error"]["message"])
        self.assertEqual(post("/chat/completions", {"model": "gpt-4o-mini", "messages": user, "bogus": 1})[0], 400)
        status, body = post("/chat/completions", {"model": "gpt-4o-mini", "messages": user, "response_format": {
            "type": "json_schema", "json_schema": {"name": "n", "schema": {"type": "object", "properties": {
                "ok": {"type": "boolean"}}}}}})
        self.assertEqual((status, json.loads(body["choices"][0]["message"]["content"])), (200, {"ok": True}))
        self.assertEqual(body["usage"]["total_tokens"], body["usage"]["prompt_tokens"] +
                         body["usage"]["completion_tokens"])
        self.assertEqual(post("/embeddings", {"model": "text-embedding-3-small", "input": ["a", ""]})[0], 400)
        self.assertEqual(post("/embeddings", {"model": "text-embedding-3-small", "input": ["a"] * 2049})[0], 400)
        status, body = post("/embeddings", {"model": "text-embedding-3-small", "input": "a", "dimensions": 256})
        self.assertEqual((status, len(body["data"][0]["embedding"])), (200, 256))
        self.assertEqual(post("/embeddings", {"model": "text-embedding-ada-002", "input": "a", "dimensions": 8})[0],
                         400)


if __name__ == "__main__":
    main()
