"""The five agents offline (local backends) on the demo profile: every output read back and checked."""
import csv
import datetime
import json
import os
from zoneinfo import ZoneInfo

from agent_jobs import AgentJobs, DEMO_ICS, DISTORTIONS, demo_profile, main

SMS_ON = {"TWILIO_FROM_NUMBER": "+15005550006"}


class Mindset(AgentJobs):
    def test_demo_reframes_and_email(self):
        result = self.run_ok("mindset")
        beliefs = demo_profile()["inputs"]["mindset"]["beliefs"]
        self.assertEqual([r["belief"] for r in result["reframes"]], beliefs)
        for r in result["reframes"]:
            self.assertIn(r["distortion"], DISTORTIONS)
            self.assertNotEqual(r["reframe"], r["belief"])
            for field in ("evidence", "affirmation", "action"):
                self.assertTrue(r[field].strip(), field)
        self.assertGreaterEqual(len({r["distortion"] for r in result["reframes"]}), 4)
        mails = self.outbox_mail()
        self.assertEqual(mails, [self.artifact(result, "email")])
        m = self.parse_mail(mails[0])
        self.assertEqual(m["To"].addresses[0].addr_spec, "alex.morgan@example.com")
        self.assertEqual(m["Subject"], "Your reframed beliefs (5)")
        self.assertEqual(m.get_content_type(), "multipart/alternative")
        plain = m.get_body(("plain",)).get_content()
        page = m.get_body(("html",)).get_content()
        for r in result["reframes"]:
            self.assertIn(r["reframe"], plain)
        self.assertIn("&ldquo;I always mess up presentations", page)
        self.assertEqual(m["Message-ID"].strip("<>"), result["email"]["messageId"])
        with open(self.artifact(result, "html"), encoding="utf-8") as f:
            self.assertEqual(f.read().replace("\r\n", "\n"), page.replace("\r\n", "\n"))

    def test_markup_in_a_belief_is_escaped(self):
        profile = demo_profile()
        profile["inputs"]["mindset"]["beliefs"] = ["I <b>never</b> finish & everyone sees it"]
        self.run_ok("mindset", profile=profile)
        page = self.parse_mail(self.outbox_mail()[0]).get_body(("html",)).get_content()
        self.assertIn("I &lt;b&gt;never&lt;/b&gt; finish &amp; everyone", page)
        self.assertNotIn("<b>never", page)


class Purpose(AgentJobs):
    def test_demo_with_sms(self):
        before = datetime.datetime.now(datetime.timezone.utc)
        result = self.run_ok("purpose", env=SMS_ON)
        for name in ("passion", "mission", "vocation", "profession"):
            self.assertTrue(result[name].strip(), name)
        self.assertLessEqual(len(result["statement"]), 280)
        self.assertEqual(len(result["affirmations"]), 7)
        self.assertEqual(len(result["steps"]), 3)
        text = self.pdf_text(self.artifact(result, "pdf"))
        for words in ("Your Ikigai, Alex Morgan", "What you love", "What the world", "Passion", "Vocation",
                      "Three first steps", "Seven affirmations"):
            self.assertIn(words, text)
        self.assertIn(result["statement"][:40], " ".join(text.split()))
        m = self.parse_mail(self.artifact(result, "email"))
        attachment = next(m.iter_attachments())
        self.assertEqual(attachment.get_content_type(), "application/pdf")
        self.assertEqual(attachment.get_filename(), "ikigai.pdf")
        with open(self.artifact(result, "pdf"), "rb") as f:
            self.assertEqual(attachment.get_content(), f.read())
        with open(self.artifact(result, "drive"), "rb") as f:
            self.assertTrue(f.read().startswith(b"%PDF-"))
        # seven messages in the SMS outbox artifact, one a day at 08:00 in Berlin
        sms = result["sms"]
        self.assertEqual((sms["configured"], sms["mode"], sms["scheduled"], sms["zone"]), (True, "outbox", 7, "Europe/Berlin"))
        with open(self.artifact(result, "sms-outbox"), encoding="utf-8") as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual([line["body"] for line in lines], result["affirmations"])
        berlin = ZoneInfo("Europe/Berlin")
        times = [datetime.datetime.fromisoformat(line["sendAt"]) for line in lines]
        self.assertGreater(times[0], before)
        self.assertLessEqual(times[0] - before, datetime.timedelta(days=1))
        for t, line in zip(times, lines):
            local = t.astimezone(berlin)
            self.assertEqual((local.hour, local.minute), (8, 0))
            self.assertEqual(t.utcoffset(), local.utcoffset())
            self.assertEqual(line["to"], "+15555550123")
            self.assertEqual(line["segments"], 1)
        dates = [t.astimezone(berlin).date() for t in times]
        self.assertEqual([(b - a).days for a, b in zip(dates, dates[1:])], [1] * 6)
        self.assertFalse(os.path.exists(os.path.join(self.data, "outbox", "sms.jsonl")), "nothing is sent now without a queue")

    def test_without_sms_says_so_and_succeeds(self):
        code, result, stderr = self.run_agent("purpose")
        self.assertEqual(code, 0, stderr)
        self.assertFalse(result["sms"]["configured"])
        self.assertEqual(result["sms"]["scheduled"], 0)
        self.assertIn("TWILIO_FROM_NUMBER", result["sms"]["reason"])
        self.assertIn("SMS is not configured", stderr)
        self.assertFalse([a for a in result["artifacts"] if a["type"] == "sms-outbox"])

    def test_follow_up_task_sends_one_affirmation(self):
        data = {"to": "+15555550123", "body": "Today I act on my purpose.", "sendAt": "2026-11-28T08:00:00+01:00", "day": 1}
        result = self.run_ok("purpose", env=SMS_ON, input=data, task="send_affirmation")
        with open(os.path.join(self.data, "outbox", "sms.jsonl"), encoding="utf-8") as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(len(lines), 1)
        self.assertEqual((lines[0]["to"], lines[0]["body"], lines[0]["sid"]), (data["to"], data["body"], result["sid"]))


class Niche(AgentJobs):
    def test_demo_niches_and_report(self):
        result = self.run_ok("niche")
        inputs = demo_profile()["inputs"]["niche"]
        texts = [t for field in ("interests", "skills", "problems", "audiences") for t in inputs[field]]
        self.assertEqual([item["text"] for item in result["items"]], texts)
        self.assertTrue(2 <= result["k"] <= 6)
        self.assertEqual(len(result["niches"]), result["k"])
        members = sorted(i for n in result["niches"] for i in n["members"])
        self.assertEqual(members, list(range(1, len(texts) + 1)), "every item in exactly one niche")
        scores = [n["score"] for n in result["niches"]]
        self.assertEqual(scores, sorted(scores, reverse=True))
        best = max(result["scores"], key=lambda s: (s["silhouette"], -s["k"]))
        self.assertEqual(best["k"], result["k"], "the k with the best silhouette")
        text = " ".join(self.pdf_text(self.artifact(result, "pdf")).split())
        for words in ("Your niches, Alex Morgan", "PCA projection", "Niches, best first", "Top recommendation"):
            self.assertIn(words, text)
        self.assertIn(result["top"][:30], text)
        with open(self.artifact(result, "drive"), "rb") as f:
            self.assertTrue(f.read().startswith(b"%PDF-"))
        # the same input gives the same clusters
        again = self.run_ok("niche")
        self.assertEqual([i["cluster"] for i in again["items"]], [i["cluster"] for i in result["items"]])
        self.assertEqual([n["niche"] for n in again["niches"]], [n["niche"] for n in result["niches"]])


class Journal(AgentJobs):
    def test_demo_entry_sheet_summary_and_csv(self):
        result = self.run_ok("journal", state=True)
        today = datetime.datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
        entry = demo_profile()["inputs"]["journal"]["entry"]
        self.assertEqual((result["date"], result["entries"], result["entryAppended"]), (today, 1, True))
        with open(self.artifact(result, "csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["Date", "Intention", "Gratitude", "Energy (1–10)", "Alignment (1–10)", "Reflection"])
        self.assertEqual(rows[1], [today, entry["intention"], entry["gratitude"], "7", "8", entry["reflection"]])
        sheets = {a["name"]: a["path"][len("file://"):] for a in result["artifacts"] if a["type"] == "spreadsheet"}
        with open(sheets["Alignment Journal"], encoding="utf-8", newline="") as f:
            self.assertEqual(list(csv.reader(f)), rows)
        self.assertEqual(os.path.dirname(sheets["Journal Summaries"]), os.path.dirname(sheets["Alignment Journal"]),
                         "the summaries are a sheet of the journal spreadsheet")
        self.assertEqual(os.path.basename(sheets["Journal Summaries"]), "Summaries.csv")
        with open(sheets["Journal Summaries"], encoding="utf-8", newline="") as f:
            summary_rows = list(csv.reader(f))
        self.assertEqual(summary_rows[0], ["Date", "Days", "Entries", "Energy (mean)", "Energy (trend)",
                                           "Alignment (mean)", "Alignment (trend)", "Themes", "Summary", "Suggestion"])
        self.assertEqual(len(summary_rows), 2)
        self.assertEqual(summary_rows[1][:3], [today, "7", "1"])
        self.assertEqual(summary_rows[1][7], ", ".join(result["themes"]))
        self.assertEqual(summary_rows[1][8], result["summary"])
        self.assertEqual(summary_rows[1][9], result["suggestion"])
        self.assertEqual((result["summariesSheet"], result["summaryAppended"]), ("Summaries", True))
        self.assertTrue(1 <= len(result["themes"]) <= 5)
        self.assertIn("workshop", result["themes"])
        self.assertTrue(0 < len(result["summary"]) <= 500)

        # the next day: the same spreadsheets (kept in ctx.store), a second row, a 2-day summary
        profile = demo_profile()
        tomorrow = (datetime.date.fromisoformat(today) + datetime.timedelta(days=1)).isoformat()
        profile["inputs"]["journal"]["entry"].update(date=tomorrow, energy=9, alignment=6)
        with open(self.state, encoding="utf-8") as f:
            state = json.load(f)
        state["steps"] = {}   # a new job, the same user's store
        self.write_json("state.json", state)
        code, later, stderr = self.run_agent("journal", profile=profile, state=True)
        self.assertEqual(code, 0, stderr[-3000:])
        self.assertEqual(later["spreadsheetId"], result["spreadsheetId"])
        self.assertEqual(later["entries"], 2)
        self.assertEqual((later["energy"]["mean"], later["energy"]["direction"]), (8, "rising"))
        self.assertEqual(later["alignment"]["direction"], "falling")
        with open(sheets["Alignment Journal"], encoding="utf-8", newline="") as f:
            self.assertEqual([row[0] for row in csv.reader(f)][1:], [today, tomorrow])
        with open(sheets["Journal Summaries"], encoding="utf-8", newline="") as f:
            self.assertEqual([row[:3] for row in csv.reader(f)][1:], [[today, "7", "1"], [tomorrow, "7", "2"]])
        self.assertNotIn("Added the Summaries sheet", stderr, "the tab is known from ctx.store")

    def test_an_entry_twice_the_same_day_is_one_row(self):
        self.run_ok("journal", state=True)
        with open(self.state, encoding="utf-8") as f:
            state = json.load(f)
        state["steps"] = {}   # another job on the same day: only the sheet's content can stop a second row
        self.write_json("state.json", state)
        result = self.run_ok("journal", state=True)
        self.assertFalse(result["entryAppended"])
        self.assertFalse(result["summaryAppended"])
        for name in ("Alignment Journal", "Journal Summaries"):
            path = next(a["path"] for a in result["artifacts"] if a["name"] == name)[len("file://"):]
            with open(path, encoding="utf-8", newline="") as f:
                self.assertEqual(len(list(csv.reader(f))), 2, name)


class Rhythm(AgentJobs):
    ENV = {"GROWTH_CALENDAR_ICS": DEMO_ICS}

    def test_demo_week(self):
        result = self.run_ok("rhythm", env=self.ENV, input=dict(demo_profile()["inputs"]["rhythm"], startDate="2026-11-30"))
        days = {d["date"]: d for d in result["days"]}
        self.assertEqual(sorted(days), ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
        self.assertTrue(days["2026-12-04"]["dayOff"])
        tuesday = days["2026-12-01"]
        self.assertGreater(tuesday["density"], 0.75)
        self.assertEqual(tuesday["pausesAdded"], 2)
        self.assertEqual(sum(d["pausesAdded"] for d in result["days"]), len(result["pauses"]))
        for p in result["pauses"]:
            self.assertRegex(p["start"], r"^2026-12-01T\d\d:\d\d:00\+01:00$")
            start, end = datetime.datetime.fromisoformat(p["start"]), datetime.datetime.fromisoformat(p["end"])
            self.assertEqual(end - start, datetime.timedelta(minutes=20))
            self.assertTrue(9 <= start.hour and (end.hour, end.minute) <= (18, 0))
        with open(self.artifact(result, "ics"), encoding="utf-8") as f:
            ics = f.read()
        self.assertEqual(ics.count("SUMMARY:[Pause] Breathe and reset"), 2)
        m = self.parse_mail(self.artifact(result, "email"))
        self.assertIn("<th>Busy (min)</th>", m.get_body(("html",)).get_content())
        self.assertIn("2026-12-01 | Tuesday | 415", m.get_body(("plain",)).get_content())
        # a later run recognises its own pauses and adds none
        again = self.run_ok("rhythm", env=self.ENV, input={"startDate": "2026-11-30"})
        self.assertEqual(again["pauses"], [])
        self.assertEqual({d["date"]: d["existingPauses"] for d in again["days"]}["2026-12-01"], 2)


if __name__ == "__main__":
    main()
