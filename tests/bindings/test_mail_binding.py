"""growth.mail from Lua: the local outbox and a real SMTP server, each message parsed back with Python's email."""
import email
import email.policy
import glob
import os
import sys

from agent_runner import AgentTest, main

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "media"))
from smtp_server import SmtpServer, check_message  # noqa: E402

SENDER = "agent@example.com"
PASSWORD = "app-password-123"

SEND = """
local doc = pdf.new{ title = "Rapport" }
doc:title("Rapport de la semaine")
doc:paragraph("En pièce jointe.")
local bytes = doc:bytes()
local sent = mail.send{
  to = { { name = "Zoë Martin", email = "zoe@example.com" }, "bob@example.org" },
  subject = "Votre rapport — état d'esprit ✨",
  text = "Bonjour Zoë,\\n\\nvoici le rapport.\\n",
  html = "<p>Bonjour <b>Zoë</b></p>",
  attachments = {
    { name = "rapport-été.pdf", mime = "application/pdf", bytes = doc },
    { name = "notes.txt", bytes = "plain notes" },
  },
}
return { message_id = sent.message_id, pdf = bytes }
"""


class MailBinding(AgentTest):
    def check_parsed(self, data, result, sender):
        self.assertEqual(check_message(data), [])
        m = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(m["Subject"], "Votre rapport — état d'esprit ✨")
        self.assertEqual(m["From"].addresses[0].addr_spec, sender)
        self.assertEqual([(a.display_name, a.addr_spec) for a in m["To"].addresses],
                         [("Zoë Martin", "zoe@example.com"), ("", "bob@example.org")])
        self.assertEqual(m["Message-ID"], "<" + result["message_id"] + ">")
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        alternative, pdf_part, notes = m.get_payload()
        plain, html = alternative.get_payload()
        self.assertEqual(plain.get_content().replace("\r\n", "\n"), "Bonjour Zoë,\n\nvoici le rapport.\n")
        self.assertEqual(html.get_content().strip(), "<p>Bonjour <b>Zoë</b></p>")
        self.assertEqual(pdf_part.get_content_type(), "application/pdf")
        self.assertEqual(pdf_part.get_filename(), "rapport-été.pdf")
        self.assertEqual(pdf_part.get_content(), result["pdf"].encode("latin-1"))
        self.assertEqual(notes.get_content_type(), "application/octet-stream")
        self.assertEqual(notes.get_content(), b"plain notes")

    def test_local_outbox(self):
        self.agent("mailer", SEND.replace("return { message_id = sent.message_id, pdf = bytes }",
                                          "return { message_id = sent.message_id, pdf_size = #bytes }"))
        result = self.run_ok("mailer")
        files = glob.glob(os.path.join(self.data, "outbox", "mail", "*.eml"))
        self.assertEqual(len(files), 1)
        self.assertEqual(os.path.basename(files[0]), result["message_id"].split("@")[0] + ".eml")
        with open(files[0], "rb") as f:
            data = f.read()
        m = email.message_from_bytes(data, policy=email.policy.default)
        pdf_part = m.get_payload()[1]
        self.assertEqual(len(pdf_part.get_content()), result["pdf_size"])
        self.assertTrue(pdf_part.get_content().startswith(b"%PDF-"))
        self.assertEqual(m["From"].addresses[0].addr_spec, "growthd@localhost.localdomain")
        self.assertEqual(check_message(data), [])

    def test_live_smtp_with_starttls(self):
        folder = os.path.join(self.dir, "smtp")
        os.makedirs(folder)
        server = SmtpServer(folder, mode="starttls", user=SENDER, password=PASSWORD, sender=SENDER).start()
        try:
            # the PDF's bytes travel back through JSON as latin-1 code points (one per byte)
            self.agent("mailer", SEND.replace("pdf = bytes }", "pdf = (bytes:gsub('[\\128-\\255]', function(c) "
                                              "return utf8.char(c:byte()) end)) }"))
            env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_USER": SENDER,
                   "SMTP_PASS": PASSWORD, "GMAIL_SENDER_ADDRESS": SENDER,
                   "GROWTH_SMTP_CA_FILE": server.certs["ca.pem"], "GROWTH_SMTP_TIMEOUT_MS": "20000"}
            result = self.run_ok("mailer", env=env)
            self.assertEqual(len(server.messages), 1)
            received = server.messages[0]
            self.assertTrue(received["authenticated"])
            self.assertEqual(received["rcpt_tos"], ["zoe@example.com", "bob@example.org"])
            self.check_parsed(received["data"], result, SENDER)
            self.assertFalse(os.path.exists(os.path.join(self.data, "outbox")), "live mode wrote to the outbox")
        finally:
            server.stop()

    def test_production_without_smtp_is_an_error(self):
        self.agent("mailer", 'return mail.send{ to = "a@example.com", subject = "s", text = "t" }')
        code, _, stderr = self.run_agent("mailer", env={"NODE_ENV": "production"})
        self.assertEqual(code, 1)
        self.assertIn("(bad_config): agents/mailer.lua", stderr)
        self.assertIn("mail.send: SMTP_HOST is not set; in production mail is never written to the local outbox",
                      stderr)
        self.assertFalse(os.path.exists(os.path.join(self.data, "outbox")))

    def test_a_missing_need_fails_before_any_code_runs(self):
        path = os.path.join(self.scripts, "agents", "needy.lua")
        with open(path, "w") as f:
            f.write('return { name = "needy", tier = "rooted", needs = { "mail", "sms" },\n'
                    '  setup = function(ctx) ctx.artifact("setup-ran.txt", "yes") end,\n'
                    '  run = function(ctx) return { ran = true } end }\n')
        code, _, stderr = self.run_agent("needy", env={"NODE_ENV": "production"})
        self.assertEqual(code, 1)
        self.assertIn("needy failed (bad_config): needy needs mail, which is missing: SMTP_HOST is not set", stderr)
        self.assertIn("[NeedyAgent] Integration missing: mail", stderr)
        self.assertFalse(os.path.exists(os.path.join(self.artifacts, "setup-ran.txt")))
        # in development the same agent runs: mail is local, and sms (not configured) is the agent's to check
        self.assertEqual(self.run_ok("needy"), {"ran": True})
        self.assertTrue(os.path.exists(os.path.join(self.artifacts, "setup-ran.txt")))

    def test_every_field_is_checked(self):
        self.agent("badmail", """
            local cases = {}
            local function try(name, args)
              local ok, err = pcall(mail.send, args)
              cases[name] = ok and "no error" or (err.code .. "|" .. tostring(err.retryable) .. "|" .. err.message)
            end
            local good = { to = "a@example.com", subject = "s", text = "t" }
            local function with(key, value)
              local t = {}
              for k, v in pairs(good) do t[k] = v end
              t[key] = value
              return t
            end
            try("not_table", "x")
            try("to_bad", with("to", "x"))
            try("to_missing", with("to", nil))
            try("to_number", with("to", 5))
            try("to_list_bad", with("to", { "a@example.com", "nope" }))
            try("to_table_bad", with("to", { name = "A", email = "a@" }))
            try("to_empty", with("to", {}))
            try("subject_missing", with("subject", nil))
            try("subject_lines", with("subject", "a\\nBcc: x@example.com"))
            try("text_missing", with("text", nil))
            try("html_number", with("html", 1))
            try("attachments_map", with("attachments", { a = 1 }))
            try("attachment_name", with("attachments", { { bytes = "x" } }))
            try("attachment_slash", with("attachments", { { name = "a/b", bytes = "x" } }))
            try("attachment_mime", with("attachments", { { name = "a", mime = "pdf", bytes = "x" } }))
            try("attachment_bytes", with("attachments", { { name = "a", bytes = 3 } }))
            return cases
        """)
        cases = self.run_ok("badmail")
        expected = {
            "not_table": 'mail.send: the argument must be a table of named fields, got "x"',
            "to_bad": 'mail.send: to must be an email address, got "x"',
            "to_missing": "mail.send: to must be an email address or a list of them, got nil",
            "to_number": "mail.send: to must be an email address or a list of them, got 5",
            "to_list_bad": 'mail.send: to[2] must be an email address, got "nope"',
            "to_table_bad": 'mail.send: to.email must be an email address, got "a@"',
            "to_empty": "mail.send: to must be a non-empty list, got table",
            "subject_missing": "mail.send: subject must be a non-empty string, got nil",
            "subject_lines": 'mail.send: subject must be one line (no line breaks), got "a?Bcc: x@example.com"',
            "text_missing": "mail.send: text must be a string, got nil",
            "html_number": "mail.send: html must be a string, got 1",
            "attachments_map": "mail.send: attachments must be a list, got table",
            "attachment_name": "mail.send: attachments[1].name must be a file name without '/', '\\' or line "
                               "breaks, got nil",
            "attachment_slash": 'mail.send: attachments[1].name must be a file name without \'/\', \'\\\' or line '
                                'breaks, got "a/b"',
            "attachment_mime": 'mail.send: attachments[1].mime must be a media type such as application/pdf, '
                               'got "pdf"',
            "attachment_bytes": "mail.send: attachments[1].bytes must be a string or an object with a bytes() "
                                "method, got 3",
        }
        for name, message in expected.items():
            with self.subTest(case=name):
                self.assertEqual(cases[name], "bad_argument|false|" + message)
        self.assertFalse(os.path.exists(os.path.join(self.data, "outbox")), "a refused call sent something")


if __name__ == "__main__":
    main()
