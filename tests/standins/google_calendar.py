"""Calendar v3 subset of the Google stand-in (events.list with paging and recurring expansion,
events.insert), as a mixin of GoogleStandIn."""
import base64
import datetime
import re
import secrets
import urllib.parse

from google_common import DATE, RFC3339, SCOPE_CALENDAR, b64url_decode, parse_rfc3339
from standin import json_answer


class CalendarApi:
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
        eid = event.get("id")
        if eid is not None and not (isinstance(eid, str) and re.match(r"[a-v0-9]{5,1024}\Z", eid)):
            return self.api_error(request, 400, "Invalid resource id value.", "invalid")
        with self.data_lock:
            if eid is not None and any(e.get("id") == eid for e in self.calendars[cid]):
                return self.api_error(request, 409, "The requested identifier already exists.", "duplicate")
        if eid is None:
            eid = "".join(secrets.choice("abcdefghijklmnopqrstuv0123456789") for _ in range(26))
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        event.update({"kind": "calendar#event", "id": eid, "status": "confirmed", "created": stamp, "updated": stamp,
                      "htmlLink": f"https://www.google.com/calendar/event?eid={eid}", "iCalUID": f"{eid}@google.com",
                      "sequence": 0, "creator": {"email": self.client_email},
                      "organizer": {"email": cid, "self": True}})
        with self.data_lock:
            self.calendars[cid].append(event)
        return json_answer(200, event)

    def calendar_get(self, request):
        denied = self.authorise(request, [SCOPE_CALENDAR, SCOPE_CALENDAR + ".readonly", SCOPE_CALENDAR + ".events"],
                                "calendar")
        if denied:
            return denied
        cid = urllib.parse.unquote(request.match.group("id"))
        event = next((e for e in self.calendars.get(cid, []) if e.get("id") == request.match.group("event")), None)
        if event is None:
            return self.api_error(request, 404, "Not Found", "notFound")
        return json_answer(200, event)
