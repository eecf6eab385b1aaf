"""growth.sms on the live backend: Lua jobs run by `growthd run` against the Twilio stand-in. A message sent with basic
auth and form fields; a bad token, a number Twilio refuses, 429 then success, 5xx and timeouts (not repeated: the
message may have been queued), malformed answers."""
import base64
import json
import os
import urllib.parse

from live_support import LiveAgentTest, catching, main
from twilio import TwilioStandIn

SEND = 'return sms.send{ to = "+33612345678", body = "Time for your evening reflection ✨" }'


class SmsLive(LiveAgentTest):
    @classmethod
    def setUpClass(cls):
        cls.twilio = TwilioStandIn().start()

    @classmethod
    def tearDownClass(cls):
        cls.twilio.stop()

    def setUp(self):
        super().setUp()
        self.twilio.clear_faults()
        self.twilio.clear_requests()
        self.twilio.messages.clear()
        self.twilio.too_many = 0
        self.twilio.too_many_retry_after = None

    def live_env(self):
        return {"TWILIO_ACCOUNT_SID": self.twilio.account_sid, "TWILIO_AUTH_TOKEN": self.twilio.auth_token,
                "TWILIO_FROM_NUMBER": "+15005550006", "GROWTH_TWILIO_URL": self.twilio.url}

    def posts(self):
        return self.twilio.requests("/2010-04-01/")

    def outbox_exists(self):
        return os.path.exists(os.path.join(self.data, "outbox", "sms.jsonl"))

    def test_send_reaches_twilio(self):
        self.agent("texter", """
            local available, reason = sms.available()
            local sent = sms.send{ to = "+33612345678", body = "Time for your evening reflection ✨" }
            return { available = available, reason = reason, sid = sent.sid, segments = sent.segments }
        """)
        result = self.run_ok("texter", env={"NODE_ENV": "production"})
        self.assertTrue(result["available"])
        self.assertEqual(result["reason"], f"Twilio at {self.twilio.url}, account {self.twilio.account_sid}, from "
                                           "+15005550006")
        (message,) = self.twilio.messages
        self.assertEqual(result["sid"], message["sid"])
        self.assertRegex(result["sid"], r"^SM[0-9a-f]{32}$")
        self.assertEqual((message["to"], message["from"], message["body"], message["status"]),
                         ("+33612345678", "+15005550006", "Time for your evening reflection ✨", "queued"))
        self.assertEqual(result["segments"], 1)
        (request,) = self.posts()
        self.assertEqual(request["path"], f"/2010-04-01/Accounts/{self.twilio.account_sid}/Messages.json")
        self.assertEqual(request["headers"]["content-type"], "application/x-www-form-urlencoded")
        self.assertEqual(urllib.parse.parse_qs(request["body"], strict_parsing=True),
                         {"To": ["+33612345678"], "From": ["+15005550006"],
                          "Body": ["Time for your evening reflection ✨"]})
        self.assertIn("To=%2B33612345678", request["body"])
        self.assertFalse(self.outbox_exists())

    def test_bad_token_is_unauthorized(self):
        self.agent("texter", catching(SEND))
        result = self.run_error("texter", env={"TWILIO_AUTH_TOKEN": "not-the-token"})
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("unauthorized", False, 401))
        self.assertEqual(result["message"], "sms.send: Twilio answered 401 (code 20003): Authenticate")
        self.assertEqual(len(self.posts()), 1)

    def test_number_twilio_refuses_is_bad_argument(self):
        self.agent("texter", catching('sms.send{ to = "+15005550001", body = "hello" }'))
        result = self.run_error("texter")
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("bad_argument", False, 400))
        self.assertEqual(result["message"], "sms.send: Twilio answered 400 (code 21211): The 'To' number "
                                            "+15005550001 is not a valid phone number.")
        self.assertEqual(self.twilio.messages, [])

    def test_unsubscribed_recipient_is_final(self):
        self.agent("texter", catching('sms.send{ to = "+15005550004", body = "hello" }'))
        result = self.run_error("texter")
        self.assertEqual((result["code"], result["retryable"]), ("upstream_error", False))
        self.assertIn("code 21610", result["message"])

    def test_number_not_e164_never_leaves(self):
        self.agent("texter", catching('sms.send{ to = "0612345678", body = "hello" }'))
        result = self.run_error("texter")
        self.assertEqual((result["code"], result["retryable"]), ("bad_argument", False))
        self.assertEqual(self.posts(), [])

    def test_sender_not_of_the_account_is_bad_config(self):
        self.agent("texter", catching(SEND))
        result = self.run_error("texter", env={"TWILIO_FROM_NUMBER": "+15005550007"})
        self.assertEqual((result["code"], result["retryable"]), ("bad_config", False))
        self.assertIn("code 21606", result["message"])

    def test_too_many_requests_then_success(self):
        self.twilio.too_many = 1
        self.twilio.too_many_retry_after = 1
        self.agent("texter", SEND)
        result = self.run_ok("texter")
        self.assertEqual(result["sid"], self.twilio.messages[0]["sid"])
        first, second = self.posts()
        self.assertGreaterEqual(second["time"] - first["time"], 0.9)   # Retry-After: 1 honoured

    def test_too_many_requests_until_retries_run_out(self):
        self.twilio.too_many = 10
        self.agent("texter", catching(SEND))
        result = self.run_error("texter")
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("rate_limited", True, 429))
        self.assertEqual(result["message"], "sms.send: Twilio answered 429 (code 20429): Too Many Requests "
                                            "(after 3 attempts)")
        self.assertEqual(len(self.posts()), 3)

    def test_server_error_is_retryable_but_not_repeated(self):
        self.twilio.add_fault("status", status=500, count=-1)
        self.agent("texter", catching(SEND))
        result = self.run_error("texter")
        self.assertEqual((result["code"], result["retryable"], result["status"]), ("unavailable", True, 500))
        self.assertIn("code 20500", result["message"])
        self.assertEqual(len(self.posts()), 1)

    def test_timeout_is_retryable_but_not_repeated(self):
        self.twilio.add_fault("hang", delay=3, count=-1)
        self.agent("texter", catching(SEND))
        result = self.run_error("texter", env={"GROWTH_HTTP_TIMEOUT_MS": "300"})
        self.assertEqual((result["code"], result["retryable"]), ("timeout", True))
        self.assertTrue(result["message"].startswith(f"sms.send: POST {self.twilio.url}/2010-04-01/Accounts/"
                                                     f"{self.twilio.account_sid}/Messages.json: timed out ("),
                        result["message"])
        self.assertEqual(len(self.posts()), 1)

    def test_malformed_answer_is_a_final_error(self):
        self.twilio.add_fault("status", status=201, raw='{"status": "queued"}')
        self.agent("texter", catching(SEND))
        result = self.run_error("texter")
        self.assertEqual((result["code"], result["retryable"]), ("upstream_error", False))
        self.assertEqual(result["message"], "sms.send: Twilio's answer has no valid message sid and status")

    def test_stand_in_checks_like_twilio(self):
        """The stand-in itself refuses what Twilio refuses (so the tests above mean something)."""
        import urllib.request
        url = f"{self.twilio.url}/2010-04-01/Accounts/{self.twilio.account_sid}/Messages.json"
        auth = base64.b64encode(f"{self.twilio.account_sid}:{self.twilio.auth_token}".encode()).decode()

        def post(fields, authorization=auth, target=url):
            data = urllib.parse.urlencode(fields).encode()
            request = urllib.request.Request(target, data=data, method="POST", headers={
                "Authorization": "Basic " + authorization, "Content-Type": "application/x-www-form-urlencoded"})
            try:
                with urllib.request.urlopen(request) as answer:
                    return answer.status, json.load(answer)
            except urllib.error.HTTPError as error:
                return error.code, json.load(error)

        self.assertEqual(post({"From": "+15005550006", "Body": "x"})[1]["code"], 21604)
        self.assertEqual(post({"To": "+1555", "From": "+15005550006", "Body": "x"})[1]["code"], 21211)
        self.assertEqual(post({"To": "+33612345678", "Body": "x"})[1]["code"], 21603)
        self.assertEqual(post({"To": "+33612345678", "From": "+15005550006"})[1]["code"], 21602)
        self.assertEqual(post({"To": "+33612345678", "From": "+15005550006", "Body": "x" * 1601})[1]["code"], 21617)
        self.assertEqual(post({"To": "+33612345678", "From": "+15005550006", "Body": "x"}, "eDp5")[0], 401)
        other_account = url.replace(self.twilio.account_sid, "AC" + "1" * 32)
        self.assertEqual(post({"To": "+33612345678", "From": "+15005550006", "Body": "x"}, target=other_account),
                         (404, {"code": 20404, "message": f"The requested resource {other_account[len(self.twilio.url):]}"
                                " was not found", "more_info": "https://www.twilio.com/docs/errors/20404",
                                "status": 404}))
        status, body = post({"To": "+33612345678", "From": "+15005550006", "Body": "ж" * 71})
        self.assertEqual((status, body["num_segments"], body["status"]), (201, "2", "queued"))
        self.assertRegex(body["sid"], r"^SM[0-9a-f]{32}$")
        status, body = post({"To": "+33612345678", "MessagingServiceSid": "MG" + "a" * 32, "Body": "x",
                             "ScheduleType": "fixed"})
        self.assertEqual((status, body["code"], body["status"]), (400, 35111, 400))


if __name__ == "__main__":
    main()
