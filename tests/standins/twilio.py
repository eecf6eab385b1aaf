"""Stand-in for Twilio's Programmable Messaging: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, checked as
strictly as Twilio does (shared/docs/external-apis.md, sections 6 and 8).

- HTTP Basic auth against the test Account SID and Auth Token -> 401 code 20003 on a mismatch; the SID in the
  path must be the authenticated account -> 404 code 20404 otherwise.
- Content-Type application/x-www-form-urlencoded, parsed strictly; To required (21604) and E.164 (21211);
  From one of from_numbers (21606) unless MessagingServiceSid (MG + 32 hex) is given, one of them required
  (21603); Body or MediaUrl required (21602); Body at most 1600 characters (21617).
- Twilio's magic test numbers as recipients: +15005550001 invalid (21211), +15005550004 unsubscribed
  (21610), +15005550009 not a mobile number (21614); everything else is accepted.
- Scheduling: ScheduleType must be "fixed" (35126) with SendAt (35111), a Messaging Service (35118) and a
  SendAt 5 minutes to 35 days ahead (35115); the message is then "scheduled".
- 201 with the full message JSON: sid SM + 32 hex, counts as strings, RFC 2822 dates, status queued
  (accepted without From, scheduled when scheduled); each message kept in `messages`.
- too_many = N answers the next N requests 429 code 20429 (Retry-After when too_many_retry_after is set).
Error bodies have Twilio's shape {code, message, more_info, status}, also for the base's injected faults.
"""
import base64
import datetime
import email.utils
import re
import secrets
import sys
import urllib.parse

from standin import StandIn, json_answer, serve_forever

E164 = re.compile(r"\+[1-9]\d{7,14}\Z")
MESSAGING_SERVICE = re.compile(r"MG[0-9a-fA-F]{32}\Z")
MAGIC_RECIPIENTS = {"+15005550001": (21211, "The 'To' number +15005550001 is not a valid phone number."),
                    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
                    "+15005550009": (21614, "'To' number is not a valid mobile number")}
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
           "¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = set("^{}\\[~]|€\f")


def twilio_error(status, code, message, headers=None):
    return json_answer(status, {"code": code, "message": message,
                                "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}, headers)


def segments(body):
    if all(c in GSM7 or c in GSM7_EXTENDED for c in body):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in body)
        return 1 if units <= 160 else -(-units // 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


class TwilioStandIn(StandIn):
    def __init__(self, account_sid=None, auth_token=None, from_numbers=("+15005550006",), port=0):
        super().__init__(port)
        self.account_sid = account_sid or "AC" + secrets.token_hex(16)
        self.auth_token = auth_token or secrets.token_hex(16)
        self.from_numbers = set(from_numbers)
        self.messages = []
        self.too_many = 0
        self.too_many_retry_after = None
        self.route("POST", r"/2010-04-01/Accounts/([^/]+)/Messages\.json", self._create)

    def fault_body(self, status, request):
        if status == 429:
            return {"code": 20429, "message": "Too Many Requests",
                    "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}
        return {"code": 20500, "message": "Internal Server Error",
                "more_info": "https://www.twilio.com/docs/errors/20500", "status": status}

    def _authenticated(self, request):
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user if (user, password) == (self.account_sid, self.auth_token) else None

    def _create(self, request):
        account = self._authenticated(request)
        if not account:
            return twilio_error(401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})
        if request.match.group(1) != account:
            return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
        with self.lock:
            limited = self.too_many > 0
            if limited:
                self.too_many -= 1
        if limited:
            headers = {"Retry-After": str(self.too_many_retry_after)} if self.too_many_retry_after else None
            return twilio_error(429, 20429, "Too Many Requests", headers)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return twilio_error(400, 21602, "Message body is required.")
        try:
            form = urllib.parse.parse_qs(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (ValueError, UnicodeDecodeError):
            return twilio_error(400, 21602, "Message body is required.")
        field = {name: values[-1] for name, values in form.items()}
        to, sender = field.get("To"), field.get("From")
        service, body = field.get("MessagingServiceSid"), field.get("Body")
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if service is not None and not MESSAGING_SERVICE.match(service):
            return twilio_error(400, 21701, f"The Messaging Service Sid {service} is invalid.")
        if not sender and not service:
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if sender and sender not in self.from_numbers:
            return twilio_error(400, 21606, f"The From phone number {sender} is not a valid, SMS-capable inbound "
                                "phone number or short code for your account.")
        if not body and not form.get("MediaUrl"):
            return twilio_error(400, 21602, "Message body is required.")
        if body and len(body) > 1600:
            return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        status = "queued" if sender else "accepted"
        if "ScheduleType" in field or "SendAt" in field:
            error = self._schedule(field, service)
            if error:
                return error
            status = "scheduled"
        if to in MAGIC_RECIPIENTS:
            code, message = MAGIC_RECIPIENTS[to]
            return twilio_error(400, code, message)
        sid = "SM" + secrets.token_hex(16)
        now = email.utils.format_datetime(datetime.datetime.now(datetime.timezone.utc), usegmt=True)
        uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}"
        message = {"sid": sid, "account_sid": account, "messaging_service_sid": service, "from": sender, "to": to,
                   "body": body or "", "status": status, "direction": "outbound-api",
                   "num_segments": str(segments(body or "")), "num_media": str(len(form.get("MediaUrl", []))),
                   "price": None, "price_unit": "USD", "error_code": None, "error_message": None,
                   "api_version": "2010-04-01", "date_created": now, "date_updated": now, "date_sent": None,
                   "uri": uri + ".json", "subresource_uris": {"media": uri + "/Media.json"}}
        with self.lock:
            self.messages.append(message)
        return json_answer(201, message)

    @staticmethod
    def _schedule(field, service):
        if field.get("ScheduleType") != "fixed":
            return twilio_error(400, 35126, "ScheduleType must be 'fixed'.")
        if not field.get("SendAt"):
            return twilio_error(400, 35111, "SendAt is required when ScheduleType is 'fixed'.")
        if not service:
            return twilio_error(400, 35118, "MessagingServiceSid is required to schedule a message.")
        try:
            when = datetime.datetime.fromisoformat(field["SendAt"].replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            return twilio_error(400, 35114, "SendAt is not a valid ISO 8601 time in UTC.")
        ahead = when - datetime.datetime.now(datetime.timezone.utc)
        if not datetime.timedelta(minutes=5) <= ahead <= datetime.timedelta(days=35):
            return twilio_error(400, 35115, "SendAt must be between 5 minutes and 35 days in the future.")
        return None


if __name__ == "__main__":
    stand_in = TwilioStandIn()
    print(f"ACCOUNT {stand_in.account_sid} TOKEN {stand_in.auth_token}", flush=True)
    serve_forever(stand_in)
