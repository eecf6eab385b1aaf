"""Stand-in for Google: the OAuth token endpoint and the Sheets v4, Calendar v3 and Drive v3 subsets
that growthd uses (shared/docs/external-apis.md, sections 0-4 and 8), checked as strictly as the real
service: RS256 signatures verified with the test key's public half, bearer tokens and scopes on
every call, Google's two error shapes, 400 on malformed requests, 404 on unknown ids.

Per-minute quotas per token (Sheets 60 reads and 60 writes, Calendar 600, Drive unlimited by
default) answer 429, or 403 userRateLimitExceeded with quota_as_403, as Google does.
Test keys are generated at test time (make_service_account_key); no private key is stored anywhere.
Faults (slow, 429, 500, drop, hang, raw bodies) come from the StandIn base.
"""
import base64
import datetime
import json
import re
import secrets
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from standin import StandIn, json_answer

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPE_SHEETS = "https://www.googleapis.com/auth/spreadsheets"
SCOPE_CALENDAR = "https://www.googleapis.com/auth/calendar"
SCOPE_DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
SCOPE_DRIVE = "https://www.googleapis.com/auth/drive"
KNOWN_SCOPES = {SCOPE_SHEETS, SCOPE_CALENDAR, SCOPE_DRIVE_FILE, SCOPE_DRIVE, SCOPE_CALENDAR + ".events",
                SCOPE_CALENDAR + ".readonly", SCOPE_SHEETS + ".readonly"}
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def make_service_account_key(token_uri, client_email="agent@growth-test.iam.gserviceaccount.com"):
    """A fresh RSA key in the JSON layout of a downloaded service-account key; returns (key dict, public PEM)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    key = {"type": "service_account", "project_id": "growth-test", "private_key_id": secrets.token_hex(20),
           "private_key": pem, "client_email": client_email, "client_id": "112233445566778899001",
           "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri,
           "universe_domain": "googleapis.com"}
    return key, public


def key_to_base64(key):
    return base64.b64encode(json.dumps(key).encode()).decode()


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_rfc3339(text):
    if not RFC3339.match(text or ""):
        raise ValueError(f"not an RFC 3339 time with offset: {text!r}")
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def column_letters(index):
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters):
    value = 0
    for c in letters:
        value = value * 26 + ord(c) - 64
    return value - 1


A1 = re.compile(r"(?:(?P<sheet>'(?:[^']|'')+'|[^!':]+)!)?(?P<c1>[A-Z]*)(?P<r1>\d*)(?::(?P<c2>[A-Z]*)(?P<r2>\d*))?\Z")


def cell_text(value):
    """How Sheets shows a cell with FORMATTED_VALUE."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class GoogleStandIn(StandIn):
    def __init__(self, public_pem, key_id, client_email, port=0):
        super().__init__(port)
        self.public_key = serialization.load_pem_public_key(public_pem)
        self.key_id = key_id
        self.client_email = client_email
        self.allow_delegation = False
        self.expires_in = 3599
        self.tokens = {}                 # token -> {"scopes", "expires", "sub"}
        self.spreadsheets = {}           # id -> {"title", "sheets": {title: [[...]]}, "order": [titles]}
        self.calendars = {"primary": []}  # id -> [event]
        self.calendar_page_cap = None    # answer at most this many items per page
        self.files = {}                  # id -> {"name", "mimeType", "parents", "bytes", "permissions"}
        self.shared_drive_folders = set()
        self.require_shared_drive = False
        # Per-minute quotas per token (None: unlimited), as Google counts a service account as one user.
        self.quotas = {"sheets_read": 60, "sheets_write": 60, "calendar": 600, "drive": None}
        self.quota_as_403 = False        # answer 403 usageLimits/userRateLimitExceeded instead of 429
        self.usage = {}                  # (token, kind, minute) -> calls
        self.data_lock = threading.Lock()
        self.route("POST", r"/token", self.token)
        self.route("POST", r"/v4/spreadsheets", self.sheets_create)
        self.route("POST", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/]+):append", self.sheets_append)
        self.route("GET", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/:]+)", self.sheets_get)
        self.route("PUT", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/:]+)", self.sheets_update)
        self.route("GET", r"/calendar/v3/calendars/(?P<id>[^/]+)/events", self.calendar_list)
        self.route("POST", r"/calendar/v3/calendars/(?P<id>[^/]+)/events", self.calendar_insert)
        self.route("POST", r"/upload/drive/v3/files", self.drive_upload)
        self.route("POST", r"/drive/v3/files", self.drive_create)
        self.route("POST", r"/drive/v3/files/(?P<id>[^/]+)/permissions", self.drive_permission)

    # ---- error shapes ----
    @staticmethod
    def is_sheets(path):
        return path.startswith("/v4/")

    def api_error(self, request, status, message, reason, sheets_status=None):
        if self.is_sheets(request.path):
            body = {"error": {"code": status, "message": message, "status": sheets_status or "INVALID_ARGUMENT"}}
            if reason in ("rateLimitExceeded", "userRateLimitExceeded"):
                body["error"]["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                             "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"}]
        else:
            domain = "usageLimits" if "RateLimit" in reason or "rateLimit" in reason else "global"
            body = {"error": {"code": status, "message": message,
                              "errors": [{"domain": domain, "reason": reason, "message": message}]}}
        return json_answer(status, body)

    def fault_body(self, status, request):
        reasons = {429: "rateLimitExceeded", 500: "backendError", 503: "backendError", 401: "authError"}
        statuses = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 401: "UNAUTHENTICATED"}
        message = {429: "Rate Limit Exceeded", 401: "Invalid Credentials"}.get(status, "Backend Error")
        return json.loads(self.api_error(request, status, message, reasons.get(status, "backendError"),
                                         statuses.get(status, "INTERNAL"))[2])

    def over_quota(self, request, token, kind):
        limit = self.quotas.get(kind)
        if limit is None:
            return None
        key = (token, kind, int(time.time() // 60))
        with self.data_lock:
            self.usage[key] = self.usage.get(key, 0) + 1
            used = self.usage[key]
        if used <= limit:
            return None
        if self.quota_as_403:
            return self.api_error(request, 403, "User Rate Limit Exceeded", "userRateLimitExceeded",
                                  "PERMISSION_DENIED")
        return self.api_error(request, 429, f"Quota exceeded for quota metric '{kind}' and limit per minute per user",
                              "rateLimitExceeded", "RESOURCE_EXHAUSTED")

    def authorise(self, request, scopes, quota=None):
        """None when the bearer token is valid, holds one of scopes and is within quota, else the error answer."""
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return self.api_error(request, 401, "Request is missing required authentication credential.",
                                  "authError", "UNAUTHENTICATED")
        token = self.tokens.get(header[7:])
        if not token or token["expires"] < time.time():
            return self.api_error(request, 401, "Request had invalid authentication credentials.", "authError",
                                  "UNAUTHENTICATED")
        if not token["scopes"] & set(scopes):
            return self.api_error(request, 403, "Request had insufficient authentication scopes.",
                                  "insufficientPermissions", "PERMISSION_DENIED")
        request.token = token
        return self.over_quota(request, header[7:], quota) if quota else None

    def body_json(self, request):
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise ValueError("Content-Type must be application/json")
        value = json.loads(request.body.decode("utf-8"))
        if not isinstance(value, dict):
            raise ValueError("the body must be a JSON object")
        return value

    # ---- OAuth token endpoint ----
    def oauth_error(self, status, error, description):
        return json_answer(status, {"error": error, "error_description": description})

    def token(self, request):
        if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self.oauth_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = urllib.parse.parse_qs(request.body.decode(), keep_blank_values=True, strict_parsing=True)
        if form.get("grant_type") != [GRANT_TYPE]:
            return self.oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type')}")
        parts = (form.get("assertion") or [""])[0].split(".")
        if len(parts) != 3 or any("=" in p for p in parts):
            return self.oauth_error(400, "invalid_grant", "Invalid JWT: not three base64url parts without padding.")
        header, claims = json.loads(b64url_decode(parts[0])), json.loads(b64url_decode(parts[1]))
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return self.oauth_error(400, "invalid_grant", "Invalid JWT header.")
        if "kid" in header and header["kid"] != self.key_id:
            return self.oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        try:
            self.public_key.verify(b64url_decode(parts[2]), (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(),
                                   hashes.SHA256())
        except Exception:
            return self.oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != self.client_email:
            return self.oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
        if claims.get("aud") not in (self.url + "/token", GOOGLE_TOKEN_URL):
            return self.oauth_error(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        now = time.time()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or abs(iat - now) > 300 or exp <= now or \
                exp - iat > 3600:
            return self.oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes)"
                                    " and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
        scopes = set((claims.get("scope") or "").split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            return self.oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        if "sub" in claims and not self.allow_delegation:
            return self.oauth_error(401, "unauthorized_client", "Client is unauthorized to retrieve access tokens "
                                    "using this method, or client not authorized for any of the scopes requested.")
        token = "ya29.test-" + secrets.token_urlsafe(24)
        self.tokens[token] = {"scopes": scopes, "expires": now + self.expires_in, "sub": claims.get("sub")}
        return json_answer(200, {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"})

    # ---- Sheets ----
    def new_spreadsheet(self, title, sheet_titles):
        sid = secrets.token_urlsafe(33)[:44]
        self.spreadsheets[sid] = {"title": title, "sheets": {t: [] for t in sheet_titles}, "order": list(sheet_titles)}
        return sid

    def spreadsheet_json(self, sid):
        book = self.spreadsheets[sid]
        return {"spreadsheetId": sid, "properties": {"title": book["title"], "locale": "en_US"},
                "sheets": [{"properties": {"sheetId": i, "title": t, "index": i, "sheetType": "GRID",
                                           "gridProperties": {"rowCount": 1000, "columnCount": 26}}}
                           for i, t in enumerate(book["order"])],
                "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{sid}/edit"}

    def sheets_create(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        titles = [s["properties"]["title"] for s in body.get("sheets", [])] or ["Sheet1"]
        with self.data_lock:
            sid = self.new_spreadsheet(body.get("properties", {}).get("title", "Untitled spreadsheet"), titles)
            return json_answer(200, self.spreadsheet_json(sid))

    def parse_range(self, request, book):
        text = urllib.parse.unquote(request.match.group("range"))
        if "!" not in text and not re.match(r"[A-Z]*\d*(:[A-Z]*\d*)?\Z", text):
            text_for_match = text + "!A:ZZZ"      # a bare sheet name is the whole sheet
        else:
            text_for_match = text
        match = A1.match(text_for_match)
        if not match:
            return None, self.api_error(request, 400, f"Unable to parse range: {text}", "badRequest")
        sheet = match.group("sheet")
        if sheet is None:
            sheet = book["order"][0]
        elif sheet.startswith("'"):
            sheet = sheet[1:-1].replace("''", "'")
        if sheet not in book["sheets"]:
            return None, self.api_error(request, 400, f"Unable to parse range: {text}", "badRequest")
        c1 = column_index(match.group("c1")) if match.group("c1") else 0
        return {"text": text, "cells": text_for_match.split("!")[-1], "sheet": sheet, "c1": c1, "r1": int(match.group("r1") or 1) - 1,
                "c2": column_index(match.group("c2")) if match.group("c2") else None,
                "r2": int(match.group("r2")) - 1 if match.group("r2") else None}, None

    def book_for(self, request):
        book = self.spreadsheets.get(request.match.group("id"))
        if not book:
            return None, self.api_error(request, 404, "Requested entity was not found.", "notFound", "NOT_FOUND")
        return book, None

    def check_values(self, request, body, where):
        values = body.get("values")
        if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
            return self.api_error(request, 400, "Invalid values: 'values' must be a list of lists", "badRequest")
        for row in values:
            for cell in row:
                if cell is not None and not isinstance(cell, (str, int, float, bool)):
                    return self.api_error(request, 400, f"Invalid value at 'data.values' ({where})", "badRequest")
        if body.get("range") is not None and body["range"] != urllib.parse.unquote(request.match.group("range")):
            return self.api_error(request, 400, "Requested writing within range but tried writing outside it",
                                  "badRequest")
        if request.arg("valueInputOption") not in ("RAW", "USER_ENTERED"):
            return self.api_error(request, 400, "'valueInputOption' is required but not specified", "badRequest")
        return None

    def sheets_append(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            where, bad = self.parse_range(request, book)
            bad = bad or self.check_values(request, body, "append")
            if bad:
                return bad
            if request.arg("insertDataOption", "OVERWRITE") not in ("OVERWRITE", "INSERT_ROWS"):
                return self.api_error(request, 400, "Invalid insertDataOption", "badRequest")
            rows = book["sheets"][where["sheet"]]
            table_rows = len(rows)
            table_columns = max((len(r) for r in rows), default=0)
            start = table_rows
            for row in body["values"]:
                rows.append([""] * where["c1"] + [cell_text(c) if c is not None else "" for c in row])
            width = max((len(r) for r in body["values"]), default=0)
            name = where["sheet"] if re.match(r"^\w+$", where["sheet"]) else "'" + where["sheet"] + "'"
            first = column_letters(where["c1"])
            updated = f"{name}!{first}{start + 1}:{column_letters(where['c1'] + max(width, 1) - 1)}" \
                      f"{start + len(body['values'])}"
            answer = {"spreadsheetId": request.match.group("id"),
                      "updates": {"spreadsheetId": request.match.group("id"), "updatedRange": updated,
                                  "updatedRows": len(body["values"]), "updatedColumns": width,
                                  "updatedCells": sum(len(r) for r in body["values"])}}
            if table_rows:
                answer["tableRange"] = f"{name}!A1:{column_letters(max(table_columns, 1) - 1)}{table_rows}"
            return json_answer(200, answer)

    def sheets_update(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS], "sheets_write")
        if denied:
            return denied
        body = self.body_json(request)
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            where, bad = self.parse_range(request, book)
            bad = bad or self.check_values(request, body, "update")
            if bad:
                return bad
            rows = book["sheets"][where["sheet"]]
            for i, row in enumerate(body["values"]):
                r = where["r1"] + i
                while len(rows) <= r:
                    rows.append([])
                line = rows[r]
                for j, cell in enumerate(row):
                    c = where["c1"] + j
                    while len(line) <= c:
                        line.append("")
                    if cell is not None:
                        line[c] = cell_text(cell)
            width = max((len(r) for r in body["values"]), default=0)
            return json_answer(200, {"spreadsheetId": request.match.group("id"), "updatedRange": where["text"],
                                     "updatedRows": len(body["values"]), "updatedColumns": width,
                                     "updatedCells": sum(len(r) for r in body["values"])})

    def sheets_get(self, request):
        denied = self.authorise(request, [SCOPE_SHEETS, SCOPE_SHEETS + ".readonly"], "sheets_read")
        if denied:
            return denied
        with self.data_lock:
            book, missing = self.book_for(request)
            if missing:
                return missing
            where, bad = self.parse_range(request, book)
            if bad:
                return bad
            rows = book["sheets"][where["sheet"]]
            last_row = len(rows) if where["r2"] is None else min(len(rows), where["r2"] + 1)
            values = []
            for row in rows[where["r1"]:last_row]:
                end = len(row) if where["c2"] is None else where["c2"] + 1
                cells = row[where["c1"]:end]
                while cells and cells[-1] == "":
                    cells.pop()
                values.append(cells)
            while values and not values[-1]:
                values.pop()
            answer = {"range": f"{where['sheet']}!{where['cells']}", "majorDimension": "ROWS"}
            if values:
                answer["values"] = values
            return json_answer(200, answer)

    # ---- Calendar ----
    def expand(self, event):
        """Instances of an event with recurrence RRULE:FREQ=DAILY|WEEKLY;COUNT=n (what the client needs)."""
        rule = next((r for r in event.get("recurrence", []) if r.startswith("RRULE:")), None)
        if not rule:
            return [event]
        params = dict(p.split("=") for p in rule[6:].split(";"))
        step = {"DAILY": datetime.timedelta(days=1), "WEEKLY": datetime.timedelta(days=7)}[params["FREQ"]]
        start, end = parse_rfc3339(event["start"]["dateTime"]), parse_rfc3339(event["end"]["dateTime"])
        instances = []
        for i in range(int(params.get("COUNT", "10"))):
            s, e = start + i * step, end + i * step
            instance = dict(event, id=f"{event['id']}_{s.astimezone(datetime.timezone.utc):%Y%m%dT%H%M%SZ}",
                            recurringEventId=event["id"], start=dict(event["start"], dateTime=s.isoformat()),
                            end=dict(event["end"], dateTime=e.isoformat()),
                            originalStartTime={"dateTime": s.isoformat()})
            instance.pop("recurrence")
            instances.append(instance)
        return instances

    @staticmethod
    def bounds(event):
        def when(side, end):
            if "dateTime" in event[side]:
                return parse_rfc3339(event[side]["dateTime"])
            day = datetime.date.fromisoformat(event[side]["date"])
            return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
        return when("start", False), when("end", True)

    def calendar_list(self, request):
        denied = self.authorise(request, [SCOPE_CALENDAR, SCOPE_CALENDAR + ".readonly", SCOPE_CALENDAR + ".events"],
                                "calendar")
        if denied:
            return denied
        cid = urllib.parse.unquote(request.match.group("id"))
        if cid not in self.calendars:
            return self.api_error(request, 404, "Not Found", "notFound")
        try:
            time_min = parse_rfc3339(request.arg("timeMin")) if request.arg("timeMin") else None
            time_max = parse_rfc3339(request.arg("timeMax")) if request.arg("timeMax") else None
        except ValueError as error:
            return self.api_error(request, 400, f"Bad Request: {error}", "badRequest")
        if time_min and time_max and time_min >= time_max:
            return self.api_error(request, 400, "The specified time range is empty.", "timeRangeEmpty")
        single = request.arg("singleEvents") == "true"
        if request.arg("orderBy") == "startTime" and not single:
            return self.api_error(request, 400, "The requested ordering is not available for the particular query.",
                                  "badRequest")
        page_size = int(request.arg("maxResults", "250"))
        if not 1 <= page_size <= 2500:
            return self.api_error(request, 400, "Invalid value for maxResults", "invalid")
        if self.calendar_page_cap:
            page_size = min(page_size, self.calendar_page_cap)
        items = []
        for event in self.calendars[cid]:
            for instance in (self.expand(event) if single else [event]):
                if instance.get("status") == "cancelled" and request.arg("showDeleted") != "true":
                    continue
                start, end = self.bounds(instance)
                if (time_min and end <= time_min) or (time_max and start >= time_max):
                    continue
                items.append(instance)
        if request.arg("orderBy") == "startTime":
            items.sort(key=lambda e: self.bounds(e)[0])
        offset = int(b64url_decode(request.arg("pageToken")).decode()) if request.arg("pageToken") else 0
        page = items[offset:offset + page_size]
        answer = {"kind": "calendar#events", "summary": cid, "timeZone": "UTC", "items": page}
        if offset + page_size < len(items):
            answer["nextPageToken"] = base64.urlsafe_b64encode(str(offset + page_size).encode()).decode().rstrip("=")
        else:
            answer["nextSyncToken"] = "sync-" + secrets.token_hex(4)
        return json_answer(200, answer)

    def check_time(self, side):
        if not isinstance(side, dict) or ("dateTime" in side) == ("date" in side):
            raise ValueError("start and end need exactly one of dateTime and date")
        if "dateTime" in side and not (RFC3339.match(side["dateTime"]) or side.get("timeZone")):
            raise ValueError("dateTime needs an offset or a timeZone")
        if "date" in side and not DATE.match(side["date"]):
            raise ValueError("date must be YYYY-MM-DD")

    def calendar_insert(self, request):
        denied = self.authorise(request, [SCOPE_CALENDAR, SCOPE_CALENDAR + ".events"], "calendar")
        if denied:
            return denied
        cid = urllib.parse.unquote(request.match.group("id"))
        if cid not in self.calendars:
            return self.api_error(request, 404, "Not Found", "notFound")
        event = self.body_json(request)
        if "start" not in event or "end" not in event:
            return self.api_error(request, 400, "Missing end time." if "start" in event else "Missing start time.",
                                  "required")
        try:
            self.check_time(event["start"])
            self.check_time(event["end"])
        except ValueError as error:
            return self.api_error(request, 400, f"Bad Request: {error}", "badRequest")
        if event.get("attendees") and not request.token.get("sub"):
            return self.api_error(request, 403, "Service accounts cannot invite attendees without Domain-Wide "
                                  "Delegation of Authority.", "forbiddenForServiceAccounts")
        if event.get("transparency", "opaque") not in ("opaque", "transparent"):
            return self.api_error(request, 400, "Invalid transparency", "invalid")
        eid = "".join(secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26))
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        event.update({"kind": "calendar#event", "id": eid, "status": "confirmed", "created": stamp, "updated": stamp,
                      "htmlLink": f"https://www.google.com/calendar/event?eid={eid}", "iCalUID": f"{eid}@google.com",
                      "sequence": 0, "creator": {"email": self.client_email},
                      "organizer": {"email": cid, "self": True}})
        with self.data_lock:
            self.calendars[cid].append(event)
        return json_answer(200, event)

    # ---- Drive ----
    def file_answer(self, request, fid):
        meta = self.files[fid]
        full = {"kind": "drive#file", "id": fid, "name": meta["name"], "mimeType": meta["mimeType"],
                "parents": meta["parents"],
                "webViewLink": f"https://drive.google.com/file/d/{fid}/view?usp=drivesdk"}
        if meta["mimeType"] == "application/vnd.google-apps.spreadsheet":
            full["webViewLink"] = f"https://docs.google.com/spreadsheets/d/{fid}/edit?usp=drivesdk"
        fields = request.arg("fields")
        wanted = ["kind", "id", "name", "mimeType"] if not fields else [f.strip() for f in fields.split(",")]
        return json_answer(200, {k: full[k] for k in wanted if k in full})

    def check_parents(self, request, meta):
        parents = meta.get("parents", [])
        if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
            raise ValueError("parents must be a list of folder ids")
        if any(p in self.shared_drive_folders for p in parents) and request.arg("supportsAllDrives") != "true":
            return self.api_error(request, 404, f"File not found: {parents[0]}.", "notFound")
        if self.require_shared_drive and not any(p in self.shared_drive_folders for p in parents):
            return self.api_error(request, 403, "Service Accounts do not have storage quota. Leverage shared drives "
                                  "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or "
                                  "use OAuth delegation instead.", "storageQuotaExceeded")
        return None

    def drive_upload(self, request):
        denied = self.authorise(request, [SCOPE_DRIVE_FILE, SCOPE_DRIVE], "drive")
        if denied:
            return denied
        if request.arg("uploadType") != "multipart":
            return self.api_error(request, 400, "Invalid uploadType: expected multipart", "badRequest")
        match = re.match(r"multipart/related; boundary=(\S+)\Z", request.headers.get("content-type", ""))
        if not match:
            return self.api_error(request, 400, "Content-Type must be multipart/related with a boundary", "badRequest")
        delimiter = b"--" + match.group(1).encode()
        body = request.body
        if not body.startswith(delimiter + b"\r\n") or not body.endswith(b"\r\n" + delimiter + b"--\r\n"):
            return self.api_error(request, 400, "Malformed multipart body", "badRequest")
        chunks = body[len(delimiter) + 2:-(len(delimiter) + 6)].split(b"\r\n" + delimiter + b"\r\n")
        if len(chunks) != 2:
            return self.api_error(request, 400, f"Multipart body must have exactly two parts, got {len(chunks)}",
                                  "badRequest")
        parts = []
        for chunk in chunks:
            head, sep, content = chunk.partition(b"\r\n\r\n")
            if not sep:
                return self.api_error(request, 400, "Malformed multipart part", "badRequest")
            headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
            parts.append((headers.get("Content-Type", ""), content))
        if not parts[0][0].startswith("application/json"):
            return self.api_error(request, 400, "The first part must be the JSON metadata", "badRequest")
        meta = json.loads(parts[0][1])
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            return self.api_error(request, 400, "Metadata needs a name", "badRequest")
        refused = self.check_parents(request, meta)
        if refused:
            return refused
        fid = secrets.token_urlsafe(24)
        with self.data_lock:
            self.files[fid] = {"name": meta["name"], "mimeType": meta.get("mimeType") or parts[1][0],
                               "parents": meta.get("parents", []), "bytes": parts[1][1], "permissions": []}
        return self.file_answer(request, fid)

    def drive_create(self, request):
        denied = self.authorise(request, [SCOPE_DRIVE_FILE, SCOPE_DRIVE], "drive")
        if denied:
            return denied
        meta = self.body_json(request)
        if not isinstance(meta.get("name"), str):
            return self.api_error(request, 400, "Metadata needs a name", "badRequest")
        refused = self.check_parents(request, meta)
        if refused:
            return refused
        with self.data_lock:
            if meta.get("mimeType") == "application/vnd.google-apps.spreadsheet":
                fid = self.new_spreadsheet(meta["name"], ["Sheet1"])
            else:
                fid = secrets.token_urlsafe(24)
            self.files[fid] = {"name": meta["name"], "mimeType": meta.get("mimeType", "application/octet-stream"),
                               "parents": meta.get("parents", []), "bytes": b"", "permissions": []}
        return self.file_answer(request, fid)

    def drive_permission(self, request):
        denied = self.authorise(request, [SCOPE_DRIVE_FILE, SCOPE_DRIVE], "drive")
        if denied:
            return denied
        fid = request.match.group("id")
        if fid not in self.files:
            return self.api_error(request, 404, f"File not found: {fid}.", "notFound")
        perm = self.body_json(request)
        if perm.get("type") not in ("user", "group", "domain", "anyone"):
            return self.api_error(request, 400, "Invalid permission type.", "invalid")
        if perm.get("role") not in ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"):
            return self.api_error(request, 400, "Invalid permission role.", "invalid")
        if perm["type"] in ("user", "group") and not isinstance(perm.get("emailAddress"), str):
            return self.api_error(request, 400, "The permission emailAddress field is required.", "required")
        if perm["type"] == "domain" and not isinstance(perm.get("domain"), str):
            return self.api_error(request, 400, "The permission domain field is required.", "required")
        pid = str(secrets.randbelow(10 ** 20)).zfill(20)
        with self.data_lock:
            self.files[fid]["permissions"].append(dict(perm, id=pid))
        return json_answer(200, {"kind": "drive#permission", "id": pid, "type": perm["type"], "role": perm["role"]})


def start_google(**options):
    """A started stand-in and a matching key: returns (stand_in, key dict)."""
    from standin import _Server  # noqa: F401  (keeps the base's server class in one place)
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key, public = make_service_account_key(f"http://127.0.0.1:{port}/token", **options)
    stand_in = GoogleStandIn(public, key["private_key_id"], key["client_email"], port=port).start()
    return stand_in, key
