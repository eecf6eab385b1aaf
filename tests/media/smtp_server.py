"""A real SMTP server for the mail tests: Debian's aiosmtpd on a loopback port.

It speaks what a submission server speaks: STARTTLS (required before AUTH and MAIL,
530 otherwise) or implicit TLS, with a certificate from a test CA made at start;
AUTH PLAIN/LOGIN checked against one user (535 5.7.8 on mismatch); MAIL FROM must be
the configured sender; SIZE is honoured by aiosmtpd itself. Every message received
is kept (envelope and bytes, also written as an .eml) and checked the way
shared/docs/external-apis.md section 8 asks: CRLF line ends, lines within 998
octets, the required headers. Fault switch: reply with a chosen code at MAIL, RCPT or
DATA, to test how the client classifies transient and permanent failures; with fault_rate
set, only that share of the transactions (drawn from a generator seeded with fault_seed, so
a run is reproducible) gets the reply, as a server under load refusing some of them with 4xx.
"""
import datetime
import ipaddress
import logging
import os
import random
import re
import socket
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REQUIRED_HEADERS = ("Date", "From", "Subject", "Message-ID")

# aiosmtpd logs every refused handshake with a traceback; the tests provoke those on purpose.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_test_ca(folder):
    """Writes ca.pem, server.pem and server.key (for 127.0.0.1 and localhost) into folder."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "growthd test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {name: os.path.join(folder, name) for name in ("ca.pem", "server.pem", "server.key")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.key"], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths


def check_message(data):
    """Problems of a received message, as a list of strings (empty when it is well formed)."""
    problems = []
    if re.search(rb"(?<!\r)\n", data) or re.search(rb"\r(?!\n)", data):
        problems.append("a line does not end in CRLF")
    for number, line in enumerate(data.split(b"\r\n"), 1):
        if len(line) > 998:
            problems.append(f"line {number} is {len(line)} octets long")
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    names = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z-]+):", head, re.M)}
    for name in REQUIRED_HEADERS:
        if name.lower() not in names:
            problems.append(f"header {name} is missing")
    if "to" not in names and "cc" not in names:
        problems.append("neither To nor Cc is present")
    if "content-type" in names and "mime-version" not in names:
        problems.append("MIME is used without MIME-Version")
    if re.search(r"[^\x00-\x7f]", head):
        problems.append("a header holds raw non-ASCII bytes")
    return problems


class Recorder:
    """The aiosmtpd handler: checks the envelope, keeps every message."""

    def __init__(self, sender, folder):
        self.sender = sender
        self.folder = folder
        self.messages = []   # dicts: mail_from, rcpt_tos, mail_options, data, problems, authenticated
        self.fault = None    # (stage, reply) e.g. ("RCPT", "451 4.3.0 try again later")
        self.fault_rate = None   # share of transactions the fault hits; None: every one
        self.random = random.Random(1)
        self.refused = 0     # transactions answered with the fault

    def set_fault(self, stage, reply, rate=None, seed=1):
        self.fault, self.fault_rate, self.random = (stage, reply), rate, random.Random(seed)

    def _fault(self, stage):
        if not self.fault or self.fault[0] != stage:
            return None
        if self.fault_rate is not None and self.random.random() >= self.fault_rate:
            return None
        self.refused += 1
        return self.fault[1]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        fault = self._fault("MAIL")
        if fault:
            return fault
        if address != self.sender:
            return "550 5.7.1 Sender address not allowed for this user"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        fault = self._fault("RCPT")
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        fault = self._fault("DATA")
        if fault:
            return fault
        if not envelope.rcpt_tos:
            return "554 5.5.1 No valid recipients"
        data = envelope.original_content or envelope.content
        record = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                  "mail_options": list(envelope.mail_options), "data": data, "problems": check_message(data),
                  "authenticated": bool(session.authenticated)}
        self.messages.append(record)
        with open(os.path.join(self.folder, f"received-{len(self.messages)}.eml"), "wb") as f:
            f.write(data)
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """mode: "starttls" (port-587 style), "implicit" (port-465 style) or "plain" (no TLS at all)."""

    def __init__(self, folder, mode="starttls", user="agent@example.com", password="app-password-123",
                 sender="agent@example.com", port=None, size_limit=None):
        self.folder = folder
        self.mode = mode
        self.user, self.password = user, password
        self.port = port or free_port()
        self.certs = make_test_ca(folder)
        self.recorder = Recorder(sender, folder)
        self.size_limit = size_limit
        self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user \
                and auth_data.password.decode() == self.password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def start(self):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certs["server.pem"], self.certs["server.key"])
        kwargs = {"hostname": "127.0.0.1", "port": self.port, "authenticator": self._authenticate,
                  "auth_required": True, "decode_data": False}
        if self.size_limit:
            kwargs["data_size_limit"] = self.size_limit
        if self.mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        elif self.mode == "implicit":
            kwargs.update(ssl_context=context, auth_require_tls=False)
        else:
            kwargs.update(auth_require_tls=False)
        self.controller = Controller(self.recorder, **kwargs)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.recorder.messages
