"""Shared pieces of the Google stand-in modules: scopes, base64url and RFC 3339 parsing."""
import base64
import datetime
import re

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


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_rfc3339(text):
    if not RFC3339.match(text or ""):
        raise ValueError(f"not an RFC 3339 time with offset: {text!r}")
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
