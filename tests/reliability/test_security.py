"""No credential anywhere it could leak. Every secret setting gets a distinctive test value (fleet.SECRETS);
with live mail pointed at a closed port (so its errors are made), an API key presented right and wrong, and
a spy agent dumping everything Lua can reach, the test values must appear in no log line, no HTTP answer, no
key or value in Redis (every job record, log, step, store and event), and no file the processes wrote. The
API key is configured as its SHA-256, and its clear text must be nowhere the processes keep anything."""
import base64
import glob
import hashlib
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import SECRETS, SECRET_MARKERS, Fleet  # noqa: E402
from harness import free_port, run_growthd  # noqa: E402

API_KEY = SECRETS["GROWTH_API_KEYS"]


class Security(unittest.TestCase):
    def setUp(self):
        env = dict(SECRETS)
        env["GROWTH_API_KEYS"] = "reltest:" + hashlib.sha256(API_KEY.encode()).hexdigest()
        env.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(free_port()), "SMTP_USER": "reltest-user",
                    "GMAIL_SENDER_ADDRESS": "growth@example.com",
                    "GROWTH_SMTP_CONNECT_TIMEOUT_MS": "200", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                    # the live OpenAI backend is chosen (the key is set): keep its calls on a closed loopback port
                    "OPENAI_BASE_URL": f"http://127.0.0.1:{free_port()}/v1", "GROWTH_HTTP_MAX_ATTEMPTS": "1",
                    "GROWTH_TWILIO_URL": f"http://127.0.0.1:{free_port()}",
                    "GROWTH_LOG_LEVEL": "debug"})
        self.fleet = Fleet(extra_env=env)
        self.answers = []

    def tearDown(self):
        self.fleet.cleanup()

    def redis_everything(self):
        resp = self.fleet.redis.resp
        keys, cursor = [], "0"
        while True:
            cursor, batch = resp.call("SCAN", cursor, "COUNT", 1000)
            keys += batch
            if cursor == "0":
                break
        types = resp.pipeline([("TYPE", k) for k in keys])
        reads = {"string": lambda k: ("GET", k), "hash": lambda k: ("HGETALL", k),
                 "list": lambda k: ("LRANGE", k, 0, -1), "set": lambda k: ("SMEMBERS", k),
                 "zset": lambda k: ("ZRANGE", k, 0, -1, "WITHSCORES"), "stream": lambda k: ("XRANGE", k, "-", "+")}
        values = resp.pipeline([reads[t](k) for k, t in zip(keys, types)])
        return keys, json.dumps(list(zip(keys, values)))

    def files_written(self):
        texts = []
        for path in glob.glob(os.path.join(self.fleet.root, "**", "*"), recursive=True):
            if os.path.isfile(path) and not path.startswith(self.fleet.scripts):
                with open(path, "rb") as f:
                    texts.append((path, f.read().decode(errors="replace")))
        return texts

    def assert_clean(self, what, text):
        decoded = base64.b64decode(SECRETS["GOOGLE_SERVICE_ACCOUNT_JSON_B64"]).decode()
        for marker in SECRET_MARKERS + [decoded]:
            self.assertNotIn(marker, text, f"a test credential ({marker}) is in {what}")

    def test_no_credential_leaks(self):
        fleet = self.fleet
        serve = fleet.start_serve()
        fleet.start_worker(concurrency=2)
        for headers in ({}, {"Authorization": "Bearer " + API_KEY}, {"Authorization": "Bearer " + API_KEY + "x"},
                        {"Authorization": "Basic " + base64.b64encode(API_KEY.encode()).decode()}):
            for path in ("/health", "/api/agents", "/api/dashboard", "/api/orchestrator/health", "/metrics"):
                status, _, body = serve.request("GET", path, headers=headers)
                self.answers.append(f"{path} {status} {body.decode(errors='replace')}")
        status, _, body = serve.request("POST", "/api/auth/session", body={"key": API_KEY})
        self.assertEqual(status, 200, body)
        self.answers.append(body.decode(errors="replace"))
        status, _, body = serve.request("GET", "/api/agents", headers={"Authorization": "Bearer " + API_KEY})
        self.assertEqual(status, 200, body)
        status, _, body = serve.request("GET", "/api/agents")
        self.assertEqual(status, 401, body)
        launch = run_growthd(["launch", "--agents", "spy,sidefx,noop"], env=fleet.env)
        self.assertEqual(launch.returncode, 0, launch.stderr)
        ids = json.loads(launch.stdout)["jobIds"]
        jobs = fleet.wait_finished(ids, timeout=120)
        self.assertIn("returnvalue", jobs[ids[0]], jobs[ids[0]])
        spy = json.loads(jobs[ids[0]]["returnvalue"])["seen"]
        # the dump reached what a script sees (so the absence of secrets in it means something)
        for expected in ("send", "u-7", "progress", "step", "gsub", "live:OpenAI API at http://127.0.0.1:", "llm.chat: POST",
                         "mail.send: cannot connect"):
            self.assertIn(expected, spy)
        self.assertIn("mail.send: cannot connect", jobs[ids[1]].get("failedReason", ""), jobs[ids[1]])
        codes = fleet.stop_all()
        self.assertEqual(codes, [0, 0])
        keys, everything = self.redis_everything()
        self.assertTrue(any(k.endswith(ids[0]) for k in keys))
        self.assert_clean("Redis", everything)
        self.assert_clean("the logs", fleet.logs() + launch.stderr)
        self.assert_clean("the HTTP answers", "\n".join(self.answers))
        self.assert_clean("the spy's view", spy)
        for path, text in self.files_written():
            self.assert_clean(path, text)
        print(f"checked {len(keys)} Redis keys, {len(fleet.logs().splitlines())} log lines, "
              f"{len(self.answers)} HTTP answers, {len(self.files_written())} files; spy saw {len(spy)} bytes",
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
