"""Stand-in for Google: the OAuth token endpoint and the Sheets v4, Calendar v3 and Drive v3 subsets
that growthd uses (shared/docs/external-apis.md, sections 0-4 and 8), checked as strictly as the real
service: RS256 signatures verified with the test key's public half, bearer tokens and scopes on
every call, Google's two error shapes, 400 on malformed requests, 404 on unknown ids. The APIs are
mixins in google_sheets.py, google_calendar.py and google_drive.py; this file holds the token
endpoint, authorisation, quotas and error shapes they share.

Per-minute quotas per token (Sheets 60 reads and 60 writes, Calendar 600, Drive unlimited by
default) answer 429, or 403 userRateLimitExceeded with quota_as_403, as Google does.
Test keys are generated at test time (make_service_account_key); no private key is stored anywhere.
Faults (slow, 429, 500, drop, hang, raw bodies) come from the StandIn base.
"""
import base64
import json
import secrets
import socket
import threading
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from google_calendar import CalendarApi
from google_common import GOOGLE_TOKEN_URL, GRANT_TYPE, KNOWN_SCOPES, b64url_decode
from google_drive import DriveApi
from google_sheets import SheetsApi
from standin import StandIn, json_answer


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


class GoogleStandIn(SheetsApi, CalendarApi, DriveApi, StandIn):
    def __init__(self, public_pem, key_id, client_email, port=0):
        super().__init__(port)
        self.public_key = serialization.load_pem_public_key(public_pem)
        self.key_id = key_id
        self.client_email = client_email
        self.allow_delegation = False
        self.expires_in = 3599
        self.tokens = {}                 # token -> {"scopes", "expires", "sub"}
        self.spreadsheets = {}           # id -> {"title", "sheets": {title: [[...]]}, "order": [titles], "ids": {title: sheetId}}
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
        self.route("GET", r"/v4/spreadsheets/(?P<id>[^/:]+)", self.sheets_get_spreadsheet)
        self.route("POST", r"/v4/spreadsheets/(?P<id>[^/:]+):batchUpdate", self.sheets_batch_update)
        self.route("POST", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/]+):append", self.sheets_append)
        self.route("GET", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/:]+)", self.sheets_get)
        self.route("PUT", r"/v4/spreadsheets/(?P<id>[^/]+)/values/(?P<range>[^/:]+)", self.sheets_update)
        self.route("GET", r"/calendar/v3/calendars/(?P<id>[^/]+)/events", self.calendar_list)
        self.route("POST", r"/calendar/v3/calendars/(?P<id>[^/]+)/events", self.calendar_insert)
        self.route("GET", r"/calendar/v3/calendars/(?P<id>[^/]+)/events/(?P<event>[^/]+)", self.calendar_get)
        self.route("POST", r"/upload/drive/v3/files", self.drive_upload)
        self.route("POST", r"/drive/v3/files", self.drive_create)
        self.route("GET", r"/drive/v3/files", self.drive_list)
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


def start_google(**options):
    """A started stand-in and a matching key: returns (stand_in, key dict)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    key, public = make_service_account_key(f"http://127.0.0.1:{port}/token", **options)
    stand_in = GoogleStandIn(public, key["private_key_id"], key["client_email"], port=port).start()
    return stand_in, key
