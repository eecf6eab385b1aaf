"""growth.sms from Lua: availability by the settings, the outbox lines, segment counts, argument checks."""
import json
import os

from agent_runner import AgentTest, main

SEND = """
local available, reason = sms.available()
local result = { available = available, reason = reason }
if available then
  result.first = sms.send{ to = "+14155550123", body = "Good morning ✨ you are enough" }
  result.second = sms.send{ to = "+33612345678", body = ("long text "):rep(40) }
end
return result
"""


class SmsBinding(AgentTest):
    def outbox(self):
        path = os.path.join(self.data, "outbox", "sms.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f]

    def test_not_configured_is_not_available(self):
        self.agent("texter", SEND + "\n")
        result = self.run_ok("texter")
        self.assertFalse(result["available"])
        self.assertIn("TWILIO_FROM_NUMBER, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set", result["reason"])
        self.assertEqual(self.outbox(), [])

    def test_send_without_configuration_is_bad_config(self):
        self.agent("texter", 'return sms.send{ to = "+14155550123", body = "hi" }')
        code, _, stderr = self.run_agent("texter")
        self.assertEqual(code, 1)
        self.assertIn("(bad_config)", stderr)
        self.assertIn("sms.send: TWILIO_FROM_NUMBER, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set", stderr)

    def test_sender_only_writes_the_outbox(self):
        self.agent("texter", SEND)
        result = self.run_ok("texter", env={"TWILIO_FROM_NUMBER": "+15005550006"})
        self.assertTrue(result["available"])
        self.assertIn("outbox/sms.jsonl", result["reason"])
        lines = self.outbox()
        self.assertEqual(len(lines), 2)
        first, second = lines
        self.assertEqual(first["sid"], result["first"]["sid"])
        self.assertRegex(first["sid"], r"^SM[0-9a-f]{32}$")
        self.assertEqual(first["to"], "+14155550123")
        self.assertEqual(first["from"], "+15005550006")
        self.assertEqual(first["body"], "Good morning ✨ you are enough")
        self.assertEqual((first["encoding"], first["segments"]), ("ucs2", 1))
        self.assertEqual((second["encoding"], second["segments"]), ("gsm7", 3))
        self.assertEqual(result["second"]["segments"], 3)

    def test_sender_without_account_in_production_is_missing(self):
        # production never falls back to the outbox (the live backend is tested in tests/live/)
        self.agent("texter", SEND)
        env = {"TWILIO_FROM_NUMBER": "+15005550006", "NODE_ENV": "production"}
        result = self.run_ok("texter", env=env)
        self.assertFalse(result["available"])
        self.assertIn("in production messages are never written to the local outbox", result["reason"])
        self.assertEqual(self.outbox(), [])

    def test_bad_account_sid_is_missing(self):
        self.agent("texter", SEND)
        env = {"TWILIO_FROM_NUMBER": "+15005550006", "TWILIO_ACCOUNT_SID": "AC" + "0" * 31,
               "TWILIO_AUTH_TOKEN": "secret-token-value"}
        result = self.run_ok("texter", env=env)
        self.assertFalse(result["available"])
        self.assertEqual(result["reason"], "TWILIO_ACCOUNT_SID is not 'AC' followed by 32 hex digits")
        self.assertNotIn("secret-token-value", json.dumps(result))
        self.assertEqual(self.outbox(), [])

    def test_segments_and_arguments(self):
        self.agent("smsargs", """
            local cases = {}
            local function try(name, fn, ...)
              local ok, err = pcall(fn, ...)
              cases[name] = ok and "no error" or (err.code .. "|" .. tostring(err.retryable) .. "|" .. err.message)
            end
            cases.gsm = sms.segments(("a"):rep(161))
            cases.ucs = sms.segments("Привет")
            cases.escape = sms.segments("{}")
            try("segments_empty", sms.segments, "")
            try("segments_number", sms.segments, 5)
            try("not_table", sms.send, "+14155550123")
            try("to_missing", sms.send, { body = "x" })
            try("to_local", sms.send, { to = "0612345678", body = "x" })
            try("body_missing", sms.send, { to = "+14155550123" })
            try("body_empty", sms.send, { to = "+14155550123", body = "" })
            try("body_long", sms.send, { to = "+14155550123", body = ("x"):rep(1531) })
            return cases
        """)
        cases = self.run_ok("smsargs", env={"TWILIO_FROM_NUMBER": "+15005550006"})
        self.assertEqual(cases["gsm"], {"encoding": "gsm7", "characters": 161, "units": 161, "segments": 2})
        self.assertEqual(cases["ucs"], {"encoding": "ucs2", "characters": 6, "units": 6, "segments": 1})
        self.assertEqual(cases["escape"]["units"], 4)
        expected = {
            "segments_empty": "bad_argument|false|sms.segments: the body is empty; expected some text",
            "segments_number": "bad_argument|false|sms.segments: the text must be a string, got 5",
            "not_table": 'bad_argument|false|sms.send: the argument must be a table of named fields, got '
                         '"+14155550123"',
            "to_missing": "bad_argument|false|sms.send: to must be a non-empty string, got nil",
            "to_local": 'bad_argument|false|sms.send: to must be an E.164 phone number such as +14155550123, '
                        'got "0612345678"',
            "body_missing": "bad_argument|false|sms.send: body must be a non-empty string, got nil",
            "body_empty": 'bad_argument|false|sms.send: body must be a non-empty string, got ""',
        }
        for name, message in expected.items():
            with self.subTest(case=name):
                self.assertEqual(cases[name], message)
        self.assertTrue(cases["body_long"].startswith("too_large|false|sms.send: the body needs 11 GSM-7 segments (1531 characters); expected at most 10"),
                        cases["body_long"])
        self.assertEqual(self.outbox(), [])


if __name__ == "__main__":
    main()
