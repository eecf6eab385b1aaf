"""LLM usage per job, end to end: `growthd serve --workers 1` runs agent jobs against the OpenAI stand-in
(tests/standins/openai.py), and the tokens the stand-in answered in its `usage` objects come back three ways:
the job's llmUsage in GET /api/orchestrator/jobs/{id}, growth_llm_tokens_total{agent,model,kind} and
growth_llm_calls_total{agent,model} on /metrics, and the growth_llm_job_tokens{agent} histogram. A job that
fails after a repair round trip still records the tokens of both answers; a job without LLM calls records
zeros and no histogram sample; offline mode records calls with 0 tokens under model "offline".

The test agents are in tests/integration/llm_usage_agents/.
"""
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "standins"))
import harness  # noqa: E402
from openai import OpenAIStandIn  # noqa: E402
from test_metrics import parse_exposition, value_of  # noqa: E402

SCRIPTS = os.path.join(HERE, "llm_usage_agents")
CHAT, EMBEDDING = "gpt-4o-mini", "text-embedding-3-small"


class LlmUsage(unittest.TestCase):
    def setUp(self):
        self.redis = harness.Redis().start()
        self.tmp = tempfile.mkdtemp(prefix="growth-llm-usage-")
        self.profile = os.path.join(self.tmp, "profile.json")
        with open(self.profile, "w") as f:
            json.dump({"user": {"id": "u1", "name": "Alex"}, "inputs": {}}, f)
        self.openai = OpenAIStandIn().start()
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.cleanup()
        self.openai.stop()
        self.redis.stop()

    def start(self, live=True):
        env = {"REDIS_URL": self.redis.url, "ENABLE_GROWTH_AGENTS": "true", "GROWTH_SCRIPTS_DIR": SCRIPTS,
               "GROWTH_DATA_DIR": os.path.join(self.tmp, "data"), "GROWTH_HOT_RELOAD": "false",
               "GROWTH_PROFILE": self.profile, "GROWTH_LLM_EMBED_BATCH": "2", "GROWTH_HTTP_BACKOFF_MS": "20",
               "GROWTH_HTTP_BACKOFF_MAX_MS": "100"}
        if live:
            env.update(OPENAI_API_KEY=self.openai.api_key, OPENAI_BASE_URL=self.openai.base_url)
        self.server = harness.Growthd(env=env, args=["serve", "--workers", "1"]).start()

    def run_job(self, agent, state="completed"):
        status, body = self.server.json("POST", "/api/orchestrator/launch", {"agents": [agent]})
        self.assertEqual(status, 202, body)
        job_id = body["jobIds"][0]

        def finished():
            code, job = self.server.json("GET", f"/api/orchestrator/jobs/{job_id}")
            return job if code == 200 and job["state"] in ("completed", "failed") else None

        job = harness.wait_until(finished, timeout=30, what=f"job {job_id} to finish")
        self.assertEqual(job["state"], state, job)
        return job

    def metrics(self):
        status, _, data = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        return parse_exposition(data.decode())

    def test_usage_of_a_job_matches_the_answers(self):
        self.start()
        job = self.run_job("asker")
        self.assertEqual(job["returnvalue"]["vectors"], 3)
        usage = self.openai.usage
        prompt, completion = usage[(CHAT, "prompt")], usage[(CHAT, "completion")]
        embedding = usage[(EMBEDDING, "embedding")]
        # 2 chat answers; 3 texts in batches of 2: 2 embedding answers
        self.assertEqual(self.openai.answered, 4)
        self.assertEqual(embedding, 3 + 3 + 5)
        self.assertEqual(job["llmUsage"], {
            "promptTokens": prompt, "completionTokens": completion, "embeddingTokens": embedding,
            "calls": 3, "requests": 4,
            "models": {CHAT: {"promptTokens": prompt, "completionTokens": completion, "embeddingTokens": 0,
                              "calls": 2, "requests": 2},
                       EMBEDDING: {"promptTokens": 0, "completionTokens": 0, "embeddingTokens": embedding,
                                   "calls": 1, "requests": 2}}})
        m = self.metrics()
        self.assertEqual(m["growth_llm_tokens_total"]["type"], "counter")
        self.assertEqual(value_of(m, "growth_llm_tokens_total", agent="asker", model=CHAT, kind="prompt"), prompt)
        self.assertEqual(value_of(m, "growth_llm_tokens_total", agent="asker", model=CHAT, kind="completion"),
                         completion)
        self.assertEqual(value_of(m, "growth_llm_tokens_total", agent="asker", model=EMBEDDING, kind="embedding"),
                         embedding)
        self.assertNotIn((CHAT, "embedding"), [(s[1]["model"], s[1]["kind"])
                                               for s in m["growth_llm_tokens_total"]["samples"]])
        self.assertEqual(value_of(m, "growth_llm_calls_total", agent="asker", model=CHAT), 2)
        self.assertEqual(value_of(m, "growth_llm_calls_total", agent="asker", model=EMBEDDING), 1)
        total = prompt + completion + embedding
        self.assertEqual(m["growth_llm_job_tokens"]["type"], "histogram")
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_count", agent="asker"), 1)
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_sum", agent="asker"), total)
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_bucket", agent="asker", le="100"),
                         1 if total <= 100 else 0)
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_bucket", agent="asker", le="500"), 1)

        # a second job adds to the counters and the histogram
        self.openai.usage.clear()
        second = self.run_job("asker")
        self.assertEqual(second["llmUsage"]["promptTokens"], self.openai.usage[(CHAT, "prompt")])
        m = self.metrics()
        self.assertEqual(value_of(m, "growth_llm_tokens_total", agent="asker", model=CHAT, kind="prompt"),
                         prompt + self.openai.usage[(CHAT, "prompt")])
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_count", agent="asker"), 2)

    def test_a_failed_job_keeps_the_tokens_it_spent(self):
        self.start()
        self.openai.mismatch = 2   # the schema chat's answer and its repair both miss the schema
        job = self.run_job("asker", state="failed")
        self.assertIn("even after one repair attempt", job["failedReason"])
        usage = self.openai.usage
        self.assertEqual(self.openai.answered, 3)   # the plain chat, the schema chat, its repair
        self.assertNotIn((EMBEDDING, "embedding"), usage)
        self.assertEqual(job["llmUsage"]["models"], {CHAT: {
            "promptTokens": usage[(CHAT, "prompt")], "completionTokens": usage[(CHAT, "completion")],
            "embeddingTokens": 0, "calls": 2, "requests": 3}})
        m = self.metrics()
        self.assertEqual(value_of(m, "growth_llm_tokens_total", agent="asker", model=CHAT, kind="prompt"),
                         usage[(CHAT, "prompt")])
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_count", agent="asker"), 1)

    def test_a_job_without_llm_calls_records_zeros(self):
        self.start()
        job = self.run_job("quiet")
        self.assertEqual(job["llmUsage"], {"promptTokens": 0, "completionTokens": 0, "embeddingTokens": 0,
                                           "calls": 0, "requests": 0, "models": {}})
        m = self.metrics()
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_count", agent="quiet"), 0)
        self.assertFalse([s for s in m.get("growth_llm_tokens_total", {"samples": []})["samples"]
                          if s[1]["agent"] == "quiet"])
        self.assertEqual(self.openai.answered, 0)

    def test_offline_mode_counts_calls_and_zero_tokens(self):
        self.start(live=False)
        job = self.run_job("asker")
        self.assertEqual(job["returnvalue"]["text"], "offline answer")
        self.assertEqual(job["llmUsage"]["models"], {"offline": {
            "promptTokens": 0, "completionTokens": 0, "embeddingTokens": 0, "calls": 3, "requests": 0}})
        m = self.metrics()
        for kind in ("prompt", "completion", "embedding"):
            samples = [s for s in m["growth_llm_tokens_total"]["samples"]
                       if s[1] == {"agent": "asker", "model": "offline", "kind": kind}]
            self.assertEqual([s[2] for s in samples], [0.0], kind)
        self.assertEqual(value_of(m, "growth_llm_calls_total", agent="asker", model="offline"), 3)
        self.assertEqual(value_of(m, "growth_llm_job_tokens", "_bucket", agent="asker", le="100"), 1)
        self.assertEqual(self.openai.answered, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
