"""Disk full for the data folder (a small tmpfs mounted by the test; it needs root and is skipped with a
reason otherwise): the local backends fail the job with a clear error naming the file and the cause, and no
truncated file is left behind: no temporary files, every .eml whole, every line of sms.jsonl whole."""
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fleet import Fleet  # noqa: E402

PAGE = 4096


def mount_tmpfs(path, size):
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], capture_output=True,
                            text=True)
    return result.returncode == 0, result.stderr.strip()


class DiskFull(unittest.TestCase):
    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="growthd-rel-tmpfs-")
        ok, why = mount_tmpfs(self.mount, "2m") if os.geteuid() == 0 else (False, "not root")
        if not ok:
            os.rmdir(self.mount)
            self.skipTest(f"cannot mount a tmpfs for the data folder ({why}); the disk-full case needs root")
        self.fleet = Fleet(data_dir=self.mount)

    def tearDown(self):
        self.fleet.cleanup()
        subprocess.run(["umount", self.mount], check=True)
        os.rmdir(self.mount)

    def fill(self, leave_in_sms_page):
        """Fills the tmpfs so that the only room left is the tail of sms.jsonl's last page."""
        outbox = os.path.join(self.mount, "outbox")
        os.makedirs(os.path.join(outbox, "mail"), exist_ok=True)
        os.makedirs(os.path.join(self.mount, "artifacts"), exist_ok=True)
        line = json.dumps({"sid": "SM" + "0" * 32, "to": "+14155550123", "from": "+14155550100",
                           "body": "before", "encoding": "gsm7", "segments": 1, "date_created": "2026-11-27"})
        lines = ""
        while len(lines) + len(line) + 1 <= PAGE - leave_in_sms_page:
            lines += line + "\n"
        with open(os.path.join(outbox, "sms.jsonl"), "w") as f:
            f.write(lines)
        fd = os.open(os.path.join(self.mount, "filler"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while os.write(fd, b"\0" * PAGE) == PAGE:
                pass
        except OSError:
            pass
        finally:
            os.close(fd)

    def check_nothing_truncated(self):
        leftovers = [p for p in glob.glob(os.path.join(self.mount, "**", "*"), recursive=True)
                     if ".tmp" in os.path.basename(p) or os.path.basename(p).startswith(".")]
        self.assertEqual(leftovers, [], "temporary files left on the full disk")
        with open(os.path.join(self.mount, "outbox", "sms.jsonl"), "rb") as f:
            text = f.read().decode()
        self.assertTrue(text == "" or text.endswith("\n"), f"sms.jsonl ends in a partial line: {text[-120:]!r}")
        for number, line in enumerate(text.splitlines(), 1):
            json.loads(line)
        for path in glob.glob(os.path.join(self.mount, "outbox", "mail", "*.eml")):
            with open(path, "rb") as f:
                self.assertIn(b"job ", f.read(), f"{path} is not a whole message")
        for path in glob.glob(os.path.join(self.mount, "artifacts", "*", "blob.bin")):
            self.assertEqual(os.path.getsize(path), 16 * 16384, f"{path} is truncated")

    def test_a_full_disk_fails_jobs_clearly_and_leaves_no_partial_file(self):
        fleet = self.fleet
        self.fill(leave_in_sms_page=300)
        fleet.start_worker(concurrency=2)
        ids = fleet.launch(["bigfile"] * 3)
        jobs = fleet.wait_finished(ids, timeout=120)
        for job_id, job in jobs.items():
            self.assertNotIn("returnvalue", job, f"{job_id} succeeded on a full disk")
            self.assertIn("No space left on device", job["failedReason"], job)
            self.assertIn("sms.jsonl", job["failedReason"], job)
        self.check_nothing_truncated()
        # with room again (the filler gone) the same agent's side effects go through whole
        os.unlink(os.path.join(self.mount, "filler"))
        ids = fleet.launch(["bigfile"])
        job = fleet.wait_finished(ids, timeout=60)[ids[0]]
        self.assertIn("returnvalue", job, job)
        self.check_nothing_truncated()
        # and a mail or artifact that does not fit fails too, leaving nothing half-written
        self.fill(leave_in_sms_page=2000)
        ids = fleet.launch(["bigfile"] * 2)
        for job_id, job in fleet.wait_finished(ids, timeout=120).items():
            self.assertNotIn("returnvalue", job, f"{job_id} succeeded on a full disk")
            self.assertIn("No space left on device", job["failedReason"], job)
            self.assertIn("mail.send: outbox: cannot write", job["failedReason"], job)
        self.check_nothing_truncated()
        print("failure reasons on a full disk:", {j["failedReason"] for j in fleet.jobs(ids).values()},
              file=sys.stderr)
        self.assertEqual(fleet.stop_all(), [0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
