"""growth.time.zone from Lua through `growthd run`: to_local and from_local across Europe/Berlin's
daylight-saving changes (a spring-forward gap moves forward, a fall-back overlap takes its first
occurrence), other zones, the argument checks, and lib/civil.lua and lib/rhythm.lua driven by a zone."""
import datetime
import json
import os
import shutil

from agent_runner import AgentTest, main

SOURCE_DIR = os.environ.get("GROWTH_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def lua(value):
    """A Python list/dict of numbers and strings as a Lua table constructor."""
    if isinstance(value, list):
        return "{ " + ", ".join(lua(v) for v in value) + " }"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"[{json.dumps(k)}] = {lua(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def epoch(text):
    return int(datetime.datetime.fromisoformat(text).timestamp())


class TimeZone(AgentTest):
    def test_berlin_across_both_changes(self):
        instants = [epoch("2026-03-29T00:59:59+00:00"), epoch("2026-03-29T01:00:00+00:00"),
                    epoch("2026-10-25T00:59:59+00:00"), epoch("2026-10-25T01:00:00+00:00"),
                    epoch("2024-03-31T01:00:00+00:00"), epoch("2026-07-01T12:00:00+00:00")]
        walls = [[2026, 3, 29, 1, 59], [2026, 3, 29, 2, 0], [2026, 3, 29, 2, 30], [2026, 3, 29, 3, 0],
                 [2026, 10, 25, 1, 59], [2026, 10, 25, 2, 30], [2026, 10, 25, 3, 0], [2026, 12, 31, 23, 59, 59]]
        self.agent("dst", f"local INSTANTS, WALLS = {lua(instants)}, {lua(walls)}\n" + """
            local time = require "growth.time"
            local berlin = time.zone("Europe/Berlin")
            local function show(t)
              local l = berlin:to_local(t)
              return string.format("%04d-%02d-%02d %02d:%02d:%02d %d %d %s", l.year, l.month, l.day, l.hour, l.min,
                l.sec, l.offset_s, l.wday, tostring(l.is_dst))
            end
            local out = { name = berlin.name, shown = {}, made = {} }
            for _, t in ipairs(INSTANTS) do out.shown[#out.shown + 1] = show(t) end
            for _, w in ipairs(WALLS) do out.made[#out.made + 1] = berlin:from_local(table.unpack(w)) end
            out.dot = berlin.from_local(2026, 3, 29, 2, 30) == berlin:from_local(2026, 3, 29, 2, 30)
            -- every quarter hour of the two change days: local -> instant -> local is the identity except in the gap
            local mismatches = {}
            for _, day in ipairs({ { 2026, 3, 29 }, { 2026, 10, 25 } }) do
              for q = 0, 95 do
                local h, m = q // 4, q % 4 * 15
                local back = berlin:to_local(berlin:from_local(day[1], day[2], day[3], h, m))
                if back.hour ~= h or back.min ~= m then
                  mismatches[#mismatches + 1] = string.format("%02d-%02d %02d:%02d->%02d:%02d", day[2], day[3], h, m,
                    back.hour, back.min)
                end
              end
            end
            out.mismatches = mismatches
            return out
        """)
        result = self.run_ok("dst")
        self.assertEqual(result["name"], "Europe/Berlin")
        self.assertEqual(result["shown"], [
            "2026-03-29 01:59:59 3600 7 false",
            "2026-03-29 03:00:00 7200 7 true",
            "2026-10-25 02:59:59 7200 7 true",
            "2026-10-25 02:00:00 3600 7 false",
            "2024-03-31 03:00:00 7200 7 true",
            "2026-07-01 14:00:00 7200 3 true",
        ])
        self.assertEqual(result["made"], [
            epoch("2026-03-29T00:59:00+00:00"),
            epoch("2026-03-29T01:00:00+00:00"),   # 02:00 does not exist: 03:00 CEST
            epoch("2026-03-29T01:30:00+00:00"),   # 02:30 does not exist: 03:30 CEST
            epoch("2026-03-29T01:00:00+00:00"),
            epoch("2026-10-24T23:59:00+00:00"),
            epoch("2026-10-25T00:30:00+00:00"),   # 02:30 happens twice: the first, still CEST
            epoch("2026-10-25T02:00:00+00:00"),
            epoch("2026-12-31T22:59:59+00:00"),
        ])
        self.assertTrue(result["dot"])
        self.assertEqual(result["mismatches"], ["03-29 02:00->03:00", "03-29 02:15->03:15", "03-29 02:30->03:30",
                                                "03-29 02:45->03:45"])

    def test_other_zones(self):
        self.agent("zones", """
            local time = require "growth.time"
            local out = {}
            for _, name in ipairs({ "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC" }) do
              local zone = time.zone(name)
              local winter, summer = zone.to_local(1768478400), zone.to_local(1784116800)  -- 15 Jan, 15 Jul 2026 12:00Z
              out[name] = { winter.offset_s, summer.offset_s, winter.hour, zone:from_local(2026, 1, 15, winter.hour, 0) }
            end
            return out
        """)
        result = self.run_ok("zones")
        self.assertEqual(result["America/New_York"], [-18000, -14400, 7, 1768478400])
        self.assertEqual(result["Australia/Sydney"], [39600, 36000, 23, 1768478400])
        self.assertEqual(result["Asia/Kolkata"], [19800, 19800, 17, 1768478400 - 1800])
        self.assertEqual(result["UTC"], [0, 0, 12, 1768478400])

    def test_arguments(self):
        self.agent("zoneargs", """
            local time = require "growth.time"
            local berlin = time.zone("Europe/Berlin")
            local cases = {}
            local function try(name, fn, ...)
              local ok, err = pcall(fn, ...)
              cases[name] = ok and "no error" or (err.code .. "|" .. tostring(err.retryable) .. "|" .. err.message)
            end
            try("unknown", time.zone, "Mars/Olympus_Mons")
            try("traversal", time.zone, "../../etc/passwd")
            try("empty", time.zone, "")
            try("number", time.zone, 1)
            try("to_local_text", berlin.to_local, "now")
            try("to_local_far", berlin.to_local, 1e12)
            try("month", berlin.from_local, 2026, 13, 1, 0, 0)
            try("february", berlin.from_local, 2026, 2, 29, 0, 0)
            try("hour", berlin.from_local, 2026, 1, 1, 24, 0)
            try("minute", berlin.from_local, 2026, 1, 1, 9, 60)
            try("fraction", berlin.from_local, 2026, 1, 1, 9.5, 0)
            try("year", berlin.from_local, 1800, 1, 1, 0, 0)
            try("missing_day", berlin.from_local, 2026, 1)
            cases.leap_day = berlin:from_local(2028, 2, 29, 12) == 1835434800  -- 11:00Z
            return cases
        """)
        result = self.run_ok("zoneargs")
        self.assertTrue(result.pop("leap_day"))
        expected = {
            "unknown": 'time.zone: the name must be a time zone of the tz database such as "Europe/Berlin", '
                       'got "Mars/Olympus_Mons"',
            "traversal": 'time.zone: the name must be a time zone of the tz database such as "Europe/Berlin", '
                         'got "../../etc/passwd"',
            "empty": "time.zone: the name must be a time zone of the tz database",
            "number": 'time.zone: the name must be an IANA time zone name such as "Europe/Berlin", got 1',
            "to_local_text": 'zone:to_local: epoch must be epoch seconds between the years 1900 and 2199, got "now"',
            "to_local_far": "zone:to_local: epoch must be epoch seconds between the years 1900 and 2199, got 1000000000000",
            "month": "zone:from_local: month must be an integer from 1 to 12, got 13",
            "february": "zone:from_local: day must be an integer from 1 to 28, got 29",
            "hour": "zone:from_local: hour must be an integer from 0 to 23, got 24",
            "minute": "zone:from_local: min must be an integer from 0 to 59, got 60",
            "fraction": "zone:from_local: hour must be an integer from 0 to 23, got 9.5",
            "year": "zone:from_local: year must be an integer from 1900 to 2199, got 1800",
            "missing_day": "zone:from_local: day must be an integer from 1 to 31, got nothing",
        }
        self.assertEqual(set(result), set(expected))
        for name, message in expected.items():
            code, retryable, text = result[name].split("|", 2)
            self.assertEqual((code, retryable), ("bad_argument", "false"), name)
            self.assertTrue(text.startswith(message), (name, text))

    def test_civil_and_rhythm_with_a_zone(self):
        shutil.copytree(os.path.join(SOURCE_DIR, "scripts", "lib"), os.path.join(self.scripts, "lib"))
        events = [{"title": "Block", "start": "2026-12-01T09:00:00+01:00", "end": "2026-12-01T12:30:00+01:00"},
                  {"title": "Block", "start": "2026-12-01T12:40:00+01:00", "end": "2026-12-01T17:00:00+01:00"}]
        self.agent("plan", f"local EVENTS = {lua(events)}\n" + """
            local time = require "growth.time"
            local civil = require "lib.civil"
            local rhythm = require "lib.rhythm"
            local berlin = time.zone("Europe/Berlin")
            local to_local, from_local = berlin.to_local, berlin.from_local
            -- a night shift across the spring change: 00:00-06:00 on 29 March 2026 is five real hours
            local night = rhythm.plan({}, { to_local = to_local, from_local = from_local, start = "2026-03-29", days = 1,
              workingDays = { "Sunday" }, workingHours = { start = "00:00", ["end"] = "06:00" } })
            -- a full Tuesday in the demo week, from the calendar in Berlin time
            local events = {}
            for _, e in ipairs(EVENTS) do
              events[#events + 1] = { title = e.title, start = time.parse(e.start), ["end"] = time.parse(e["end"]) }
            end
            local opts = { to_local = to_local, from_local = from_local, start = "2026-12-01", days = 1 }
            local plan = rhythm.plan(events, opts)
            return { night = night.days[1].workingMinutes, tuesday = plan.days[1], pauses = plan.pauses,
                     ok = rhythm.verify(events, plan, opts), stamp = civil.rfc3339(1774747800, to_local) }
        """)
        result = self.run_ok("plan")
        self.assertEqual(result["night"], 300)
        self.assertEqual(result["stamp"], "2026-03-29T03:30:00+02:00")
        self.assertTrue(result["ok"])
        self.assertEqual(result["tuesday"]["busyMinutes"], 470)
        self.assertTrue(result["pauses"])
        for pause in result["pauses"]:
            self.assertTrue(pause["start"].endswith("+01:00"), pause)


if __name__ == "__main__":
    main()
