"""Input that breaks an agent's schema (or a check of its setup) fails the job with a clear field error
before any side effect: nothing in the outbox, no spreadsheet, event or upload, no artifact."""
import os

from agent_jobs import AgentJobs, with_input, main

CASES = [
    ("mindset", {"beliefs": ["I always fail", 3]}, "mindset.beliefs[2]: expected string, got number"),
    ("mindset", {"beliefs": []}, "mindset.beliefs"),
    ("mindset", {"beliefs": ["x"] * 11}, "mindset.beliefs"),
    ("mindset", {"tone": "warm"}, "mindset.tone: unknown field"),
    ("purpose", {"love": None}, "purpose.love: required field is missing"),
    ("purpose", {"goodAt": ["ok", ""]}, "purpose.goodAt[2]"),
    ("purpose", {"affirmationTime": "25:00"}, "purpose.affirmationTime: expected HH:MM from 00:00 to 23:59, got 25:00"),
    ("niche", {"interests": ["a"], "skills": ["b"], "problems": [], "audiences": []},
     "niche: interests, skills, problems and audiences hold 2 texts in all; expected 6 to 60"),
    ("niche", {"skills": "cooking"}, "niche.skills: expected array, got string"),
    ("journal", {"entry": {"energy": 11, "alignment": 5}}, "journal.entry.energy"),
    ("journal", {"entry": {"alignment": 5}}, "journal.entry.energy: required field is missing"),
    ("journal", {"entry": {"energy": 5, "alignment": 5, "date": "27.11.2026"}},
     "journal.entry.date: expected YYYY-MM-DD, got 27.11.2026"),
    ("journal", {"days": 0}, "journal.days"),
    ("rhythm", {"pauseMinutes": "20"}, "rhythm.pauseMinutes: expected integer, got string"),
    ("rhythm", {"workingHours": {"start": "18:00", "end": "09:00"}}, "rhythm.workingHours: start must be before end"),
    ("rhythm", {"workingDays": ["Monday", "Caturday"]}, 'rhythm.workingDays[2]: "Caturday" is not a weekday'),
    ("rhythm", {"densityThreshold": 1.5}, "rhythm.densityThreshold"),
]


class SchemaErrors(AgentJobs):
    def test_every_case_fails_before_any_side_effect(self):
        for agent, changes, message in CASES:
            with self.subTest(agent=agent, changes=changes):
                profile = with_input(agent, changes)
                profile["inputs"][agent] = {k: v for k, v in profile["inputs"][agent].items() if v is not None}
                code, _, stderr = self.run_agent(agent, profile=profile, env={"TWILIO_FROM_NUMBER": "+15005550006"})
                self.assertEqual(code, 1, stderr)
                self.assertIn(f"growthd run: {agent} failed (bad_argument)", stderr)
                self.assertIn(message, stderr)
                for folder in ("outbox", "sheets", "drive", "calendar"):
                    self.assertEqual(self.files(folder), [], f"{agent}: {folder} after {changes}")
                self.assertFalse(os.path.exists(self.artifacts), f"{agent}: artifacts after {changes}")

    def test_a_bad_time_zone_is_named(self):
        profile = with_input("rhythm", {})
        profile["user"]["timezone"] = "Mars/Olympus"
        code, _, stderr = self.run_agent("rhythm", profile=profile)
        self.assertEqual(code, 1)
        self.assertIn("user.timezone: Mars/Olympus is not a time zone of the tz database", stderr)


if __name__ == "__main__":
    main()
