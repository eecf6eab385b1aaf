"""Drive v3 subset of the Google stand-in (multipart upload, metadata create, permissions.create, files.list
by appProperties), as a mixin of GoogleStandIn: exactly two multipart/related parts, metadata first, bytes kept
as sent; appProperties kept (at most 124 bytes of key and value each, as Drive limits); files.list answers
`appProperties has { key='k' and value='v' }` queries (with `and trashed = false`), shared-drive files only
with supportsAllDrives and includeItemsFromAllDrives; a permission for an address that already has one is
updated, not added twice, as Drive does."""
import json
import re
import secrets

APP_PROPERTY_QUERY = re.compile(r"appProperties has \{ key='([^'\\]+)' and value='([^'\\]*)' \}"
                                r"(?: and trashed = false)?\Z")

from google_common import SCOPE_DRIVE, SCOPE_DRIVE_FILE
from standin import json_answer


class DriveApi:
    def file_answer(self, request, fid, wanted=None):
        meta = self.files[fid]
        full = {"kind": "drive#file", "id": fid, "name": meta["name"], "mimeType": meta["mimeType"],
                "parents": meta["parents"],
                "webViewLink": f"https://drive.google.com/file/d/{fid}/view?usp=drivesdk"}
        if meta["mimeType"] == "application/vnd.google-apps.spreadsheet":
            full["webViewLink"] = f"https://docs.google.com/spreadsheets/d/{fid}/edit?usp=drivesdk"
        fields = request.arg("fields")
        if wanted is None:
            wanted = ["kind", "id", "name", "mimeType"] if not fields else [f.strip() for f in fields.split(",")]
        return json_answer(200, {k: full[k] for k in wanted if k in full})

    @staticmethod
    def valid_app_properties(properties):
        return isinstance(properties, dict) and all(
            isinstance(v, str) and len(k.encode()) + len(v.encode()) <= 124 for k, v in properties.items())

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
        properties = meta.get("appProperties", {})
        if not self.valid_app_properties(properties):
            return self.api_error(request, 400, "Invalid appProperties: at most 124 bytes per entry", "invalid")
        fid = secrets.token_urlsafe(24)
        with self.data_lock:
            self.files[fid] = {"name": meta["name"], "mimeType": meta.get("mimeType") or parts[1][0],
                               "parents": meta.get("parents", []), "bytes": parts[1][1], "permissions": [],
                               "appProperties": dict(properties)}
        return self.file_answer(request, fid)

    def drive_list(self, request):
        denied = self.authorise(request, [SCOPE_DRIVE_FILE, SCOPE_DRIVE], "drive")
        if denied:
            return denied
        match = APP_PROPERTY_QUERY.match(request.arg("q", ""))
        if not match:
            return self.api_error(request, 400, "Invalid Value: q (this stand-in answers appProperties queries)",
                                  "invalid")
        all_drives = request.arg("supportsAllDrives") == "true" and request.arg("includeItemsFromAllDrives") == "true"
        key, value = match.groups()
        with self.data_lock:
            found = [fid for fid, meta in self.files.items()
                     if meta.get("appProperties", {}).get(key) == value
                     and (all_drives or not any(p in self.shared_drive_folders for p in meta["parents"]))]
        fields = request.arg("fields") or "files(id,name,mimeType)"
        inner = re.match(r"files\(([^)]*)\)\Z", fields)
        if not inner:
            return self.api_error(request, 400, f"Invalid field selection {fields}", "invalidParameter")
        wanted = [f.strip() for f in inner.group(1).split(",")]
        files = []
        for fid in found:
            full = json.loads(self.file_answer(request, fid, ["kind", "id", "name", "mimeType", "webViewLink"])[2])
            files.append({k: full[k] for k in wanted if k in full})
        return json_answer(200, {"kind": "drive#fileList", "incompleteSearch": False, "files": files})

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
        properties = meta.get("appProperties", {})
        if not self.valid_app_properties(properties):
            return self.api_error(request, 400, "Invalid appProperties: at most 124 bytes per entry", "invalid")
        with self.data_lock:
            if meta.get("mimeType") == "application/vnd.google-apps.spreadsheet":
                fid = self.new_spreadsheet(meta["name"], ["Sheet1"])
            else:
                fid = secrets.token_urlsafe(24)
            self.files[fid] = {"name": meta["name"], "mimeType": meta.get("mimeType", "application/octet-stream"),
                               "parents": meta.get("parents", []), "bytes": b"", "permissions": [],
                               "appProperties": dict(properties)}
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
        with self.data_lock:
            permissions = self.files[fid]["permissions"]
            same = next((p for p in permissions if perm.get("emailAddress") and
                         p.get("emailAddress", "").lower() == perm["emailAddress"].lower()), None)
            if same:
                same["role"] = perm["role"]
                pid = same["id"]
            else:
                pid = str(secrets.randbelow(10 ** 20)).zfill(20)
                permissions.append(dict(perm, id=pid))
        return json_answer(200, {"kind": "drive#permission", "id": pid, "type": perm["type"], "role": perm["role"]})
