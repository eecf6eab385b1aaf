"""growth.pdf from Lua: a document built by an agent opens in poppler with its text, in order."""
import os
import shutil
import subprocess

from agent_runner import AgentTest, main

LONG = "Une phrase assez longue pour remplir des lignes entières, encore et encore. " * 120

BUILD = f"""
local doc = pdf.new{{ title = "Rapport de niche — Zoë", author = "growthd tests", subject = "bindings", size = "A4" }}
doc:title("Rapport de niche — Zoë")
doc:heading("Première partie")
doc:paragraph("Bonjour Zoë, voici le résumé: café, naïve, Ωμέγα.")
doc:bullets{{ "premier point", "second point" }}
doc:heading("Deuxième partie", 2)
doc:paragraph([[{LONG}]])
doc:table{{ header = {{ "Niche", "Taille" }}, rows = {{ {{ "Coaching", 4 }}, {{ "Écriture", 2.5 }}, {{ "Yoga", true }} }} }}
doc:bar_chart{{ title = "Tailles", labels = {{ "Coaching", "Écriture" }}, values = {{ 4, 2.5 }} }}
doc:scatter{{ title = "Carte", x_label = "PC1", y_label = "PC2",
  groups = {{ {{ label = "Groupe A", points = {{ {{ 0.1, 0.2 }}, {{ 0.3, 0.1, "mentor" }} }} }},
             {{ label = "Groupe B", points = {{ {{ -0.4, 0.5 }} }} }} }} }}
doc:ikigai{{ love = {{ label = "Ce que j'aime", items = {{ "écrire" }} }}, good_at = "Mes forces",
  world_needs = "Besoins", paid_for = "Revenus", center = "Ikigai", passion = "Passion" }}
doc:heading("Fin")
doc:paragraph("Dernier paragraphe.")
local pages = doc:pages()
local bytes = doc:bytes()
local saved = doc:save("report.pdf")
local stored = ctx.artifact("stored.pdf", doc)
return {{ pages = pages, size = #bytes, saved = saved, stored = stored, same = (doc:bytes() == bytes),
          head = bytes:sub(1, 5) }}
"""


class PdfBinding(AgentTest):
    def test_document_from_lua_opens_with_its_text(self):
        self.agent("report", BUILD)
        result = self.run_ok("report")
        self.assertEqual(result["head"], "%PDF-")
        self.assertGreaterEqual(result["pages"], 3)
        self.assertTrue(result["same"])
        saved, stored = result["saved"], result["stored"]
        self.assertEqual(saved, os.path.join(self.artifacts, "report.pdf"))
        with open(saved, "rb") as a, open(stored, "rb") as b:
            data = a.read()
            self.assertEqual(data, b.read())
        self.assertEqual(len(data), result["size"])

        info = subprocess.run(["pdfinfo", saved], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        self.assertEqual(fields["Title"].strip(), "Rapport de niche — Zoë")
        self.assertEqual(fields["Author"].strip(), "growthd tests")
        self.assertEqual(int(fields["Pages"]), result["pages"])

        text = subprocess.run(["pdftotext", "-layout", saved, "-"], capture_output=True, text=True,
                              check=True).stdout
        flat = " ".join(text.split())
        order = ["Rapport de niche — Zoë", "Première partie", "Bonjour Zoë, voici le résumé: café, naïve, Ωμέγα.",
                 "premier point", "second point", "Deuxième partie", "Une phrase assez longue", "Niche", "Écriture",
                 "Tailles", "Carte", "Groupe A", "Ce que j'aime", "Fin", "Dernier paragraphe."]
        position = 0
        for piece in order:
            found = flat.find(piece, position)
            self.assertGreaterEqual(found, 0, f"{piece!r} missing or out of order in:\n{flat[:3000]}")
            position = found + len(piece)
        # the long paragraph really breaks across pages: its sentence is on two pages at least
        pages = text.split("\f")
        self.assertGreaterEqual(sum("Une phrase assez longue" in page for page in pages), 2)

        keep = os.environ.get("BINDINGS_ARTIFACT_DIR")
        if keep:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(saved, os.path.join(keep, "lua-report.pdf"))
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", saved,
                            os.path.join(keep, "lua-report-page")], check=True)

    def test_misuse_is_refused_with_the_method_named(self):
        self.agent("misuse", """
            local cases = {}
            local function try(name, fn)
              local ok, err = pcall(fn)
              cases[name] = ok and "no error" or (err.code .. ": " .. err.message)
            end
            local doc = pdf.new()
            try("size", function() pdf.new{ size = "A3" } end)
            try("title", function() pdf.new{ title = 3 } end)
            try("heading_level", function() doc:heading("x", 3) end)
            try("paragraph", function() doc:paragraph({}) end)
            try("table_row", function() doc:table{ header = { "a", "b" }, rows = { { "x" } } } end)
            try("table_cell", function() doc:table{ header = { "a" }, rows = { { {} } } } end)
            try("bullets", function() doc:bullets("x") end)
            try("bars", function() doc:bar_chart{ labels = { "a" }, values = { "b" } } end)
            try("dot", function() doc.paragraph("x") end)
            doc:paragraph("still usable after argument errors")
            local bytes = doc:bytes()
            try("after_finish", function() doc:paragraph("late") end)
            try("save_name", function() doc:save("../x.pdf") end)
            local docs = {}
            try("too_many", function() for i = 1, 20 do docs[i] = pdf.new() end end)
            cases.bytes_ok = bytes:sub(1, 5) == "%PDF-"
            return cases
        """)
        cases = self.run_ok("misuse")
        self.assertTrue(cases["bytes_ok"])
        self.assertEqual(cases["size"], 'bad_argument: pdf.new: size must be "A4" or "Letter", got "A3"')
        self.assertEqual(cases["title"], "bad_argument: pdf.new: title must be a string, got 3")
        self.assertEqual(cases["heading_level"], "bad_argument: pdf doc:heading: the level must be 1 or 2, got 3")
        self.assertEqual(cases["paragraph"], "bad_argument: pdf doc:paragraph: the text must be a string, got table")
        self.assertEqual(cases["table_row"],
                         "bad_argument: pdf doc:table: row 1 has 1 cells; expected an array of 2")
        self.assertTrue(cases["table_cell"].startswith("bad_argument: pdf doc:table"), cases["table_cell"])
        self.assertEqual(cases["bullets"], 'bad_argument: pdf doc:bullets: the argument must be a table, got "x"')
        self.assertTrue(cases["bars"].startswith("bad_argument: pdf doc:bar_chart: "), cases["bars"])
        self.assertEqual(cases["dot"], "bad_argument: pdf doc:paragraph: call it with ':' on a document from "
                                       "pdf.new, got string")
        self.assertEqual(cases["after_finish"], "bad_argument: pdf doc:paragraph: the document is finished "
                                                "(bytes() or save() was called); start a new one with pdf.new")
        self.assertTrue(cases["save_name"].startswith("bad_argument: pdf doc:save: artifact name '../x.pdf' is not "
                                                      "a plain file name"), cases["save_name"])
        self.assertEqual(cases["too_many"], "too_large: pdf.new: a job may have at most 16 documents open at once; "
                                            "finish one with bytes() first")
        self.assertFalse(os.path.exists(os.path.join(self.artifacts, "x.pdf")))


if __name__ == "__main__":
    main()
