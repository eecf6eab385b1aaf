"""PDF provider: documents rendered by the C builder and read back with poppler-utils.

pdfinfo checks the file and its metadata, pdffonts that every font is embedded,
pdftotext the text and its order page by page, pdftoppm renders pages to images
(page 1 of the report is kept as a PNG artifact of the test run).
"""
import json
import os
import re
import subprocess
import tempfile
import unittest

MEDIA_TOOL = os.environ.get("MEDIA_TOOL", "build/tests/media/media_tool")
ARTIFACT_DIR = os.environ.get("MEDIA_ARTIFACT_DIR", os.path.join(tempfile.gettempdir(), "growth-media-artifacts"))

NON_ASCII = "Zoë’s naïve café — Ελληνικά, Кириллица, 5 € ½ “quoted”"


def report_description():
    return {
        "page_size": "A4", "title": "Weekly mindset report", "author": "Growth Agents — Zoë",
        "subject": "mindset", "date": "2026-11-27T09:00:00Z",
        "blocks": [
            {"type": "title", "text": "Weekly mindset report"},
            {"type": "heading", "text": "Summary of the week"},
            {"type": "paragraph", "text": "You reframed three limiting beliefs this week. " + NON_ASCII},
            {"type": "bullets", "items": ["Wake up at seven", "Write for twenty minutes", "Walk after lunch"]},
            {"type": "heading", "text": "Mood by day", "level": 2},
            {"type": "table", "header": ["Day", "Mood", "Notes"],
             "rows": [["Monday", 3, "tired"], ["Tuesday", 4.5, "focused"], ["Wednesday", None, True]]},
            {"type": "bar_chart", "title": "Minutes of deep work", "labels": ["Mon", "Tue", "Wed", "Thu", "Fri"],
             "values": [30, 45, 20, 60, 50]},
            {"type": "heading", "text": "Niche clusters"},
            {"type": "scatter", "title": "Ideas by theme", "x_label": "first axis", "y_label": "second axis",
             "groups": [{"label": "Bakeries", "points": [[1, 2], [1.5, 2.2], [1.2, 1.8, "sourdough"]]},
                        {"label": "Runners", "points": [[4, 5], [4.2, 5.5], [3.8, 4.9]]}]},
            {"type": "heading", "text": "Purpose"},
            {"type": "ikigai", "center": "Ikigai",
             "love": {"label": "What you love", "items": ["writing", "teaching"]},
             "good_at": "What you are good at",
             "world_needs": {"label": "What the world needs", "items": ["clear guides"]},
             "paid_for": {"label": "What you can be paid for", "items": ["courses"]}},
            {"type": "paragraph", "text": "Closing words after the diagram."},
        ],
    }


def run(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=check)


class PdfTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="growth-pdf-test-")

    def render(self, description, name="out.pdf", env=None):
        source = os.path.join(self.dir, name + ".json")
        with open(source, "w", encoding="utf-8") as f:
            json.dump(description, f, ensure_ascii=False)
        path = os.path.join(self.dir, name)
        result = subprocess.run([MEDIA_TOOL, "pdf", source, path], capture_output=True, text=True, timeout=120,
                                env=dict(os.environ, **(env or {})))
        self.assertEqual(result.returncode, 0, result.stderr)
        return path

    def info(self, path):
        out = run("pdfinfo", path).stdout
        return dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line))

    def text(self, path, page=None):
        args = ["pdftotext", "-layout"]
        if page:
            args += ["-f", str(page), "-l", str(page)]
        return run(*args, path, "-").stdout

    def test_report_opens_with_metadata_and_embedded_fonts(self):
        path = self.render(report_description())
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"%PDF-1.5"))
        self.assertTrue(data.rstrip().endswith(b"%%EOF"))
        info = self.info(path)
        self.assertEqual(info["Title"], "Weekly mindset report")
        self.assertEqual(info["Author"], "Growth Agents — Zoë")
        self.assertEqual(info["Subject"], "mindset")
        self.assertEqual(info["Creator"], "growthd")
        self.assertIn("Nov 27 09:00:00 2026", info["CreationDate"])
        self.assertIn("(A4)", info["Page size"])
        fonts = run("pdffonts", path).stdout.splitlines()[2:]
        self.assertTrue(fonts, "no fonts in the PDF")
        for line in fonts:
            self.assertIn("DejaVu", line)
            self.assertRegex(line, r"\byes\s+yes\s+yes\b", f"font not embedded as a subset with unicode map: {line}")

    def embedded_fonts(self, path):
        fonts = run("pdffonts", path).stdout.splitlines()[2:]
        for line in fonts:
            self.assertRegex(line, r"\byes\s+yes\s+yes\b", f"font not embedded as a subset with unicode map: {line}")
        return sorted({line.split()[0].split("+", 1)[1] for line in fonts})

    def test_system_fontconfig_when_the_environment_names_one(self):
        """growth.pdf's own DejaVu-only configuration, or the system's under FONTCONFIG_FILE: same fonts."""
        own = self.render(report_description(), "own.pdf")
        system = self.render(report_description(), "system.pdf", env={"FONTCONFIG_FILE": "/etc/fonts/fonts.conf"})
        self.assertEqual(self.embedded_fonts(own), ["DejaVuSans", "DejaVuSans-Bold"])
        self.assertEqual(self.embedded_fonts(system), ["DejaVuSans", "DejaVuSans-Bold"])
        self.assertEqual(re.sub(r"\s+", " ", self.text(own)), re.sub(r"\s+", " ", self.text(system)))

    def test_text_comes_out_in_order(self):
        path = self.render(report_description())
        text = re.sub(r"\s+", " ", self.text(path))
        expected = ["Weekly mindset report", "Summary of the week", "You reframed three limiting beliefs",
                    "Wake up at seven", "Write for twenty minutes", "Walk after lunch", "Mood by day", "Day", "Mood",
                    "Notes", "Monday", "tired", "Tuesday", "4.5", "Wednesday", "yes", "Minutes of deep work",
                    "Niche clusters", "Ideas by theme", "Bakeries", "Runners", "Purpose", "What you love",
                    "Ikigai", "Closing words after the diagram."]
        position = 0
        for phrase in expected:
            found = text.find(phrase, position)
            self.assertGreaterEqual(found, 0, f"{phrase!r} missing or out of order after position {position}")
            position = found + len(phrase)

    def test_non_ascii_text_survives(self):
        path = self.render(report_description())
        text = re.sub(r"\s+", " ", self.text(path))
        self.assertIn(NON_ASCII, text)

    def test_long_paragraph_breaks_across_pages(self):
        sentences = [f"Sentence {i:03d} of the long reflection, written to fill the page." for i in range(1, 181)]
        path = self.render({"page_size": "Letter", "blocks": [
            {"type": "heading", "text": "A long reflection"},
            {"type": "paragraph", "text": " ".join(sentences)},
            {"type": "paragraph", "text": "The end."}]})
        info = self.info(path)
        self.assertIn("612 x 792", info["Page size"])
        pages = int(info["Pages"])
        self.assertGreaterEqual(pages, 2)
        texts = [self.text(path, page) for page in range(1, pages + 1)]
        for page, text in enumerate(texts, 1):
            self.assertIn("of the long reflection", text, f"page {page} holds no part of the paragraph")
        # A line may end between "Sentence" and its number, also at a page break.
        seen = [int(n) for n in re.findall(r"Sentence\s+(\d{3})", " ".join(texts))]
        self.assertEqual(seen, list(range(1, 181)), "sentences lost, doubled or out of order across pages")
        self.assertIn("The end.", self.text(path, pages))
        # Every page but the last is filled down to the bottom margin: its last sentence is not the paragraph's.
        self.assertNotRegex(texts[0], r"Sentence\s+180")

    def test_heading_stays_with_the_block_after_it(self):
        # Shift a heading + diagram down the page in steps; wherever the break falls, the heading
        # must be on the page of the diagram that follows it.
        for filler in range(0, 60, 4):
            blocks = [{"type": "paragraph", "text": f"Filler line {i}."} for i in range(filler)]
            blocks += [{"type": "heading", "text": "Purpose heading"}, {"type": "ikigai"}]
            path = self.render({"blocks": blocks}, f"keep-{filler}.pdf")
            pages = int(self.info(path)["Pages"])
            page_of = {}
            for page in range(1, pages + 1):
                text = self.text(path, page)
                for phrase in ("Purpose heading", "What you love"):
                    if phrase in text:
                        page_of[phrase] = page
            self.assertEqual(page_of["Purpose heading"], page_of["What you love"], f"filler={filler}")

    def test_table_header_repeats_and_never_ends_a_page(self):
        rows = [[f"row {i:03d}", i, "note " * (i % 4 + 1)] for i in range(1, 121)]
        for filler in range(0, 50, 4):  # 28 once left the header alone at a page end
            blocks = [{"type": "paragraph", "text": f"Filler line {i}."} for i in range(filler)]
            blocks.append({"type": "table", "header": ["Name", "Count", "Notes"], "rows": rows})
            path = self.render({"blocks": blocks}, f"table-{filler}.pdf")
            pages = int(self.info(path)["Pages"])
            self.assertGreaterEqual(pages, 2)
            seen = []
            for page in range(1, pages + 1):
                text = self.text(path, page)
                numbers = [int(n) for n in re.findall(r"row (\d{3})", text)]
                if "Name" in text:
                    self.assertTrue(numbers, f"filler={filler}: page {page} has the header without any row")
                    self.assertLess(text.index("Name"), text.index("row"), f"filler={filler}: page {page}")
                elif numbers:
                    self.fail(f"filler={filler}: page {page} continues the table without its header")
                seen += numbers
            self.assertEqual(seen, list(range(1, 121)), f"filler={filler}: rows lost or split")

    def test_page_one_renders_with_chart_colours(self):
        path = self.render(report_description())
        os.makedirs(ARTIFACT_DIR, exist_ok=True)
        prefix = os.path.join(ARTIFACT_DIR, "report-page")
        run("pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile", path, prefix)
        with open(prefix + ".png", "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        # The same page as raw pixels: the bars are drawn in the first palette colour (59, 114, 176).
        raw = run("pdftoppm", "-r", "72", "-f", "1", "-l", "1", "-singlefile", path,
                  os.path.join(self.dir, "page")).returncode
        self.assertEqual(raw, 0)
        with open(os.path.join(self.dir, "page.ppm"), "rb") as f:
            header = [f.readline() for _ in range(3)]
            self.assertEqual(header[0].strip(), b"P6")
            width, height = map(int, header[1].split())
            pixels = f.read()
        self.assertEqual(len(pixels), width * height * 3)
        bar = sum(1 for i in range(0, len(pixels), 3)
                  if abs(pixels[i] - 59) < 12 and abs(pixels[i + 1] - 114) < 12 and abs(pixels[i + 2] - 176) < 12)
        self.assertGreater(bar, 2000, "the bar chart's bars are not on page 1")
        self.assertTrue(os.path.getsize(prefix + ".png") > 10000)

    def test_bad_descriptions_are_refused_with_the_block_named(self):
        cases = [
            ({"blocks": [{"type": "paragraph", "text": "ok"}, {"type": "wobble"}]},
             "bad_argument: pdf: block 2 (wobble): unknown type"),
            ({"page_size": "A5", "blocks": []}, "bad_argument: pdf: page size 'A5' is unknown; expected A4 or Letter"),
            ({"blocks": [{"type": "heading", "text": "x", "level": 3}]},
             "bad_argument: pdf: block 1 (heading): heading level 3; expected 1 or 2"),
            ({"blocks": [{"type": "bar_chart", "labels": ["a", "b"], "values": [1]}]},
             "bad_argument: pdf: block 1 (bar_chart): \"values\" must be an array of 2 numbers"),
            ({"blocks": [{"type": "table", "header": ["a", "b"], "rows": [["x"]]}]},
             "bad_argument: pdf: block 1 (table): row 1 has 1 cells; expected an array of 2"),
            ({"date": "yesterday", "blocks": []}, "bad_argument: pdf: date 'yesterday' is not ISO 8601"),
        ]
        for description, message in cases:
            source = os.path.join(self.dir, "bad.json")
            with open(source, "w") as f:
                json.dump(description, f)
            result = run(MEDIA_TOOL, "pdf", source, os.path.join(self.dir, "bad.pdf"), check=False)
            self.assertEqual(result.returncode, 1)
            self.assertTrue(result.stderr.startswith(message), result.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.dir, "bad.pdf")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
