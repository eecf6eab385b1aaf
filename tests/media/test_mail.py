"""Mail provider against a real SMTP server (aiosmtpd, smtp_server.py) and its local backend.

media_tool mail reads its settings from the environment exactly as growthd does
(SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASS, GMAIL_SENDER_ADDRESS, GROWTH_SMTP_CA_FILE,
GROWTH_DATA_DIR), builds the message in C and sends it with libcurl. What the server
received is parsed back with Python's email package.
"""
import email
import email.policy
import email.utils
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtp_server import SmtpServer, check_message, free_port  # noqa: E402

MEDIA_TOOL = os.environ.get("MEDIA_TOOL", "build/tests/media/media_tool")
SENDER = "agent@example.com"
PASSWORD = "app-password-123"

SUBJECT = "Votre rapport hebdomadaire — état d'esprit ✨ " + "et un sujet assez long pour être replié " * 2
TEXT = ("Bonjour Zoë,\n\nvoici votre rapport de la semaine.\n.\nUne ligne qui commence par un point, "
        "une autre très longue: " + "mot " * 60 + "\nFin.  \n")
HTML = "<html><body><p>Bonjour <b>Zoë</b>,</p><p>" + "texte " * 50 + "</p></body></html>"


def make_pdf(folder):
    """A real PDF from the pdf provider, to attach."""
    description = os.path.join(folder, "report.json")
    with open(description, "w") as f:
        json.dump({"title": "Report", "blocks": [{"type": "title", "text": "Weekly report"},
                                                  {"type": "paragraph", "text": "Attached for the mail test."}]}, f)
    path = os.path.join(folder, "report.pdf")
    subprocess.run([MEDIA_TOOL, "pdf", description, path], check=True, timeout=60)
    return path


class MailTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="growth-mail-test-")
        self.pdf = make_pdf(self.dir)
        with open(self.pdf, "rb") as f:
            self.pdf_bytes = f.read()
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()

    def server(self, mode="starttls"):
        folder = os.path.join(self.dir, f"smtp-{len(self.servers)}")
        os.makedirs(folder)
        server = SmtpServer(folder, mode=mode, user=SENDER, password=PASSWORD, sender=SENDER).start()
        self.servers.append(server)
        return server

    def message(self, **overrides):
        spec = {"to": [{"name": "Zoë Martin", "email": "zoe@example.com"}, "bob@example.org"], "subject": SUBJECT,
                "text": TEXT, "html": HTML,
                "attachments": [{"filename": "rapport-été.pdf", "content_type": "application/pdf", "path": self.pdf}]}
        spec.update(overrides)
        path = os.path.join(self.dir, "message.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False)
        return path

    def send(self, env, message=None):
        base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GROWTH_DATA_DIR": os.path.join(self.dir, "var"),
                "GROWTH_SMTP_CONNECT_TIMEOUT_MS": "3000", "GROWTH_SMTP_TIMEOUT_MS": "20000"}
        base.update(env)
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                base[key] = os.environ[key]
        return subprocess.run([MEDIA_TOOL, "mail", message or self.message()], env=base, capture_output=True,
                              text=True, timeout=60)

    def live_env(self, server, **overrides):
        env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_USER": SENDER, "SMTP_PASS": PASSWORD,
               "GMAIL_SENDER_ADDRESS": SENDER, "GROWTH_SMTP_CA_FILE": server.certs["ca.pem"]}
        env.update(overrides)
        return env

    def assert_parses_back(self, data, message_id):
        self.assertEqual(check_message(data), [])
        m = email.message_from_bytes(data, policy=email.policy.default)
        self.assertEqual(m["Subject"], SUBJECT)
        self.assertEqual(m["From"].addresses[0].addr_spec, SENDER)
        self.assertEqual([(a.display_name, a.addr_spec) for a in m["To"].addresses],
                         [("Zoë Martin", "zoe@example.com"), ("", "bob@example.org")])
        self.assertEqual(m["Message-ID"], f"<{message_id}>")
        self.assertEqual(m["MIME-Version"], "1.0")
        self.assertIsNotNone(email.utils.parsedate_to_datetime(m["Date"]).tzinfo)
        self.assertEqual(m.get_content_type(), "multipart/mixed")
        alternative, attachment = m.get_payload()
        self.assertEqual(alternative.get_content_type(), "multipart/alternative")
        plain, html = alternative.get_payload()
        self.assertEqual(plain.get_content_type(), "text/plain")
        self.assertEqual(plain.get_content_charset(), "utf-8")
        self.assertEqual(plain.get_content().replace("\r\n", "\n"), TEXT)
        self.assertEqual(html.get_content_type(), "text/html")
        self.assertEqual(html.get_content().replace("\r\n", "\n").rstrip("\n"), HTML)
        self.assertEqual(attachment.get_content_type(), "application/pdf")
        self.assertEqual(attachment.get_content_disposition(), "attachment")
        self.assertEqual(attachment.get_filename(), "rapport-été.pdf")
        self.assertEqual(attachment.get_content(), self.pdf_bytes)

    def test_starttls_submission_arrives_intact(self):
        server = self.server("starttls")
        result = self.send(self.live_env(server, SMTP_PORT=str(server.port)))
        self.assertEqual(result.returncode, 0, result.stderr)
        message_id = result.stdout.strip()
        self.assertEqual(len(server.messages), 1)
        received = server.messages[0]
        self.assertTrue(received["authenticated"])
        self.assertEqual(received["mail_from"], SENDER)
        self.assertEqual(received["rcpt_tos"], ["zoe@example.com", "bob@example.org"])
        self.assertTrue(any(o.startswith("SIZE=") for o in received["mail_options"]), received["mail_options"])
        self.assert_parses_back(received["data"], message_id)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "var", "outbox")), "live mode wrote to the outbox")

    def test_implicit_tls_by_setting(self):
        server = self.server("implicit")
        result = self.send(self.live_env(server, GROWTH_SMTP_SECURITY="implicit"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.messages), 1)
        self.assert_parses_back(server.messages[0]["data"], result.stdout.strip())
        # The same server spoken to with STARTTLS fails: the client really switched modes.
        result = self.send(self.live_env(server, GROWTH_SMTP_SECURITY="starttls"))
        self.assertEqual(result.returncode, 1)
        result = self.send(self.live_env(server, GROWTH_SMTP_SECURITY="maybe"))
        self.assertTrue(result.stderr.startswith("bad_config: mail: GROWTH_SMTP_SECURITY 'maybe' is unknown"),
                        result.stderr)

    def test_implicit_tls_on_port_465(self):
        # libcurl picks implicit TLS for port 465 only, so the server must listen there;
        # when 465 cannot be bound (no privilege) this mode cannot be exercised.
        try:
            server = SmtpServer(self.dir, mode="implicit", user=SENDER, password=PASSWORD, sender=SENDER,
                                port=465).start()
        except (PermissionError, OSError) as error:
            self.skipTest(f"cannot listen on port 465: {error}")
        self.servers.append(server)
        result = self.send(self.live_env(server))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(len(server.messages), 1)
        self.assert_parses_back(server.messages[0]["data"], result.stdout.strip())

    def test_local_backend_writes_the_same_message(self):
        result = self.send({"GMAIL_SENDER_ADDRESS": SENDER})
        self.assertEqual(result.returncode, 0, result.stderr)
        message_id = result.stdout.strip()
        files = glob.glob(os.path.join(self.dir, "var", "outbox", "mail", "*.eml"))
        self.assertEqual([os.path.basename(f) for f in files], [message_id.split("@")[0] + ".eml"])
        with open(files[0], "rb") as f:
            self.assert_parses_back(f.read(), message_id)

    def test_bad_credentials_are_unauthorized(self):
        server = self.server()
        result = self.send(self.live_env(server, SMTP_PASS="wrong"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("unauthorized: mail: 127.0.0.1", result.stderr)
        self.assertIn("check SMTP_USER and SMTP_PASS", result.stderr)
        self.assertNotIn("wrong", result.stderr)
        self.assertEqual(server.messages, [])

    def test_server_down_is_unavailable(self):
        port = free_port()
        result = self.send({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_USER": SENDER,
                            "SMTP_PASS": PASSWORD, "GMAIL_SENDER_ADDRESS": SENDER})
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.startswith(f"unavailable: mail: cannot connect to 127.0.0.1:{port}"),
                        result.stderr)

    def test_server_without_starttls_is_refused(self):
        server = self.server("plain")
        result = self.send(self.live_env(server))
        self.assertEqual(result.returncode, 1)
        self.assertIn("bad_config: mail: 127.0.0.1", result.stderr)
        self.assertIn("does not offer STARTTLS", result.stderr)
        self.assertEqual(server.messages, [])

    def test_untrusted_certificate_is_refused(self):
        server = self.server()
        env = self.live_env(server)
        del env["GROWTH_SMTP_CA_FILE"]
        result = self.send(env)
        self.assertEqual(result.returncode, 1)
        self.assertIn("is not trusted", result.stderr)
        self.assertTrue(result.stderr.startswith("bad_config:"), result.stderr)

    def test_transient_and_permanent_replies_are_classified(self):
        server = self.server()
        cases = [(("RCPT", "451 4.3.0 Try again later"), "unavailable:", "reply 451"),
                 (("MAIL", "421 4.7.0 Too many connections"), "unavailable:", "reply 421"),
                 (("DATA", "554 5.7.1 Message rejected"), "upstream_error:", "reply 554"),
                 (("RCPT", "550 5.1.1 No such user"), "upstream_error:", "reply 550")]
        for fault, code, reply in cases:
            server.recorder.fault = fault
            result = self.send(self.live_env(server))
            self.assertEqual(result.returncode, 1, fault)
            self.assertTrue(result.stderr.startswith(code), f"{fault}: {result.stderr}")
            self.assertIn(reply, result.stderr)
        server.recorder.fault = None
        self.assertEqual(server.messages, [])

    def test_message_over_the_size_limit_is_refused_at_mail_from(self):
        folder = os.path.join(self.dir, "small")
        os.makedirs(folder)
        server = SmtpServer(folder, user=SENDER, password=PASSWORD, sender=SENDER, size_limit=4096).start()
        self.servers.append(server)
        result = self.send(self.live_env(server))  # the PDF alone is larger than 4 KiB
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.startswith("upstream_error:"), result.stderr)
        self.assertIn("reply 552", result.stderr)
        self.assertEqual(server.messages, [])

    def test_wrong_sender_is_refused_by_the_server(self):
        server = self.server()
        result = self.send(self.live_env(server, GMAIL_SENDER_ADDRESS="someone-else@example.com"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("reply 550", result.stderr)

    def test_bad_addresses_are_bad_arguments(self):
        for address in ("not-an-address", "a@b", "two@@example.com", "dot.@example.com", "x@-bad.example.com",
                        "spa ce@example.com", "new\nline@example.com"):
            result = self.send({}, self.message(to=[address]))
            self.assertEqual(result.returncode, 1, address)
            self.assertTrue(result.stderr.startswith("bad_argument: mail: '"), result.stderr)
            self.assertIn("is not a valid e-mail address", result.stderr)
        result = self.send({}, self.message(subject="Injected\r\nBcc: victim@example.com"))
        self.assertTrue(result.stderr.startswith("bad_argument: mail: the subject holds a line break"), result.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "var", "outbox", "mail")))

    def test_production_without_smtp_is_a_configuration_error(self):
        result = self.send({"NODE_ENV": "production"})
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.startswith("bad_config: mail: SMTP_HOST is not set"), result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
