"""Times the cairo/pango PDF provider against headless Chromium on the same report.

Both renderers get the same content: a JSON description for the provider, and an
HTML page (SVG for the chart and the diagram, DejaVu Sans, A4, explicit page
breaks) for Chromium. Each run starts a fresh process, as a job would.

Measures, per run: wall time from start to exit, and peak memory as the larger of
  - the peak resident set of the largest single process (wait4's ru_maxrss), and
  - the peak of the summed proportional set sizes (Pss, so pages shared between
    Chromium's processes count once) of the whole process tree, sampled every 5 ms.
Reports medians over the runs, and ratios Chromium / provider. Then, since growthd
renders inside long-lived workers rather than a process per document, the provider's
time per document in one warm process (fonts loaded once), with its memory.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

PARAGRAPH = ("This week you kept your morning writing habit on five days out of seven and moved the hardest task "
             "of each day to the first two hours after breakfast. The days with a walk after lunch show longer "
             "focused blocks in the afternoon and fewer context switches. Your journal entries mention the word "
             "tired less often than last week, and the word clear more often. Keep the evening review short: "
             "three lines about what went well, one about what to change. — Ça avance, Zoë.")
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MINUTES = [95, 120, 60, 140, 110, 30, 45]
IKIGAI = {"love": ("What you love", ["writing", "teaching", "long walks"]),
          "good_at": ("What you are good at", ["explaining", "structure"]),
          "world_needs": ("What the world needs", ["clear guides", "calm"]),
          "paid_for": ("What you can be paid for", ["courses", "coaching"])}


def content():
    """The report as (kind, payload) items, shared by both renderers."""
    return [
        ("title", "Weekly growth report"),
        ("heading", "Summary"), ("paragraph", PARAGRAPH), ("paragraph", PARAGRAPH),
        ("bullets", ["Write for twenty minutes before checking messages", "Walk after lunch",
                     "Three-line evening review", "One deep-work block before noon"]),
        ("paragraph", PARAGRAPH),
        ("page_break", None),
        ("heading", "Deep work"), ("bar_chart", ("Minutes of deep work per day", DAYS, MINUTES)),
        ("paragraph", PARAGRAPH),
        ("table", (["Day", "Minutes", "Mood", "Note"],
                   [[d, m, 3 + i % 3, "focused" if m > 90 else "scattered"] for i, (d, m) in enumerate(zip(DAYS, MINUTES))])),
        ("page_break", None),
        ("heading", "Reflections"), ("paragraph", PARAGRAPH), ("paragraph", PARAGRAPH), ("paragraph", PARAGRAPH),
        ("paragraph", PARAGRAPH), ("paragraph", PARAGRAPH),
        ("page_break", None),
        ("heading", "Purpose"), ("ikigai", IKIGAI), ("paragraph", PARAGRAPH),
        ("page_break", None),
        ("heading", "Next week"),
        ("bullets", ["Keep the morning block", "Try a second walk on Thursday", "Send the course outline"]),
        ("paragraph", PARAGRAPH), ("paragraph", PARAGRAPH),
    ]


def description():
    blocks = []
    for kind, payload in content():
        if kind in ("title", "heading", "paragraph"):
            blocks.append({"type": kind, "text": payload})
        elif kind == "bullets":
            blocks.append({"type": "bullets", "items": payload})
        elif kind == "page_break":
            blocks.append({"type": "page_break"})
        elif kind == "bar_chart":
            title, labels, values = payload
            blocks.append({"type": "bar_chart", "title": title, "labels": labels, "values": values})
        elif kind == "table":
            blocks.append({"type": "table", "header": payload[0], "rows": payload[1]})
        elif kind == "ikigai":
            block = {"type": "ikigai", "center": "Ikigai"}
            for key, (label, items) in payload.items():
                block[key] = {"label": label, "items": items}
            blocks.append(block)
    return {"page_size": "A4", "title": "Weekly growth report", "author": "Growth Agents", "blocks": blocks}


def svg_bar_chart(title, labels, values):
    width, height, left, bottom = 480, 230, 40, 30
    top = max(values) * 1.1
    slot = (width - left) / len(values)
    parts = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" font-size="9">',
             f'<text x="{width / 2}" y="12" text-anchor="middle" font-weight="bold">{title}</text>']
    for i, (label, value) in enumerate(zip(labels, values)):
        h = value / top * (height - bottom - 20)
        x = left + i * slot + slot * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="#3b72b0"/>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom - h - 3:.1f}" text-anchor="middle">{value}</text>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 12}" text-anchor="middle">{label}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#555"/></svg>')
    return "".join(parts)


def svg_ikigai(circles):
    side, colours = 380, ["#3b72b0", "#dd8452", "#55a868", "#c44e52"]
    centres = [(0, -0.2), (-0.2, 0), (0.2, 0), (0, 0.2)]
    anchors = [(0, -0.36), (-0.36, 0), (0.36, 0), (0, 0.36)]
    parts = [f'<svg width="{side}" height="{side}" xmlns="http://www.w3.org/2000/svg" font-size="9">']
    for (cx, cy), colour in zip(centres, colours):
        parts.append(f'<circle cx="{side / 2 + cx * side}" cy="{side / 2 + cy * side}" r="{0.3 * side}" '
                     f'fill="{colour}" fill-opacity="0.28" stroke="{colour}"/>')
    for (ax, ay), (label, items) in zip(anchors, circles.values()):
        x, y = side / 2 + ax * side, side / 2 + ay * side
        parts.append(f'<text x="{x}" y="{y}" text-anchor="middle" font-weight="bold">{label}</text>')
        for j, item in enumerate(items):
            parts.append(f'<text x="{x}" y="{y + 12 * (j + 1)}" text-anchor="middle">{item}</text>')
    for (ox, oy), name in zip([(-0.17, -0.17), (0.17, -0.17), (-0.17, 0.17), (0.17, 0.17)],
                              ["Passion", "Mission", "Profession", "Vocation"]):
        parts.append(f'<text x="{side / 2 + ox * side}" y="{side / 2 + oy * side}" text-anchor="middle">{name}</text>')
    parts.append(f'<text x="{side / 2}" y="{side / 2}" text-anchor="middle" font-size="13" font-weight="bold">'
                 f'Ikigai</text></svg>')
    return "".join(parts)


def html():
    body = []
    for kind, payload in content():
        if kind == "title":
            body.append(f"<h1>{payload}</h1>")
        elif kind == "heading":
            body.append(f"<h2>{payload}</h2>")
        elif kind == "paragraph":
            body.append(f"<p>{payload}</p>")
        elif kind == "bullets":
            body.append("<ul>" + "".join(f"<li>{item}</li>" for item in payload) + "</ul>")
        elif kind == "page_break":
            body.append('<div style="page-break-after: always"></div>')
        elif kind == "bar_chart":
            body.append(f'<div class="figure">{svg_bar_chart(*payload)}</div>')
        elif kind == "table":
            header, rows = payload
            body.append("<table><tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>" +
                        "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
        elif kind == "ikigai":
            body.append(f'<div class="figure">{svg_ikigai(payload)}</div>')
    style = ("@page { size: A4; margin: 2cm; } body { font-family: 'DejaVu Sans'; font-size: 10.5pt; } "
             "h1 { font-size: 22pt; border-bottom: 1.5pt solid #3b72b0; } h2 { font-size: 15pt; } "
             "table { border-collapse: collapse; width: 100%; } td, th { border: 0.5pt solid #999; padding: 4pt; } "
             "th { background: #dbe6f2; } .figure { text-align: center; }")
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Weekly growth report</title>'
            f'<style>{style}</style></head><body>{"".join(body)}</body></html>')


def tree_pss_kb(root_pid):
    """Summed Pss (kB) of root_pid and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def measure(args):
    """Runs args; returns (seconds, peak memory in MB)."""
    start = time.monotonic()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], tree_pss_kb(process.pid))
            done.wait(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"bench-pdf: {args[0]} exited with {process.returncode}")
    return elapsed, max(peak[0], usage.ru_maxrss) / 1024.0


def pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in out.splitlines() if line.startswith("Pages:")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="growth-bench-pdf-")
    source, page = os.path.join(work, "report.json"), os.path.join(work, "report.html")
    with open(source, "w", encoding="utf-8") as f:
        json.dump(description(), f, ensure_ascii=False)
    with open(page, "w", encoding="utf-8") as f:
        f.write(html())
    ours_pdf, chrome_pdf = os.path.join(work, "cairo.pdf"), os.path.join(work, "chromium.pdf")
    profile = os.path.join(work, "chromium-profile")
    ours = [options.tool, "pdf", source, ours_pdf]
    chrome = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
              f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={chrome_pdf}",
              "file://" + page]
    # One warm-up each (font caches, disk), then alternate so both see the same machine load.
    measure(ours)
    measure(chrome)
    results = {"ours": [], "chrome": []}
    for _ in range(options.runs):
        results["ours"].append(measure(ours))
        results["chrome"].append(measure(chrome))

    def summary(key, pdf):
        times = [t for t, _ in results[key]]
        memory = [m for _, m in results[key]]
        return statistics.median(times) * 1000, statistics.median(memory), pages(pdf), os.path.getsize(pdf) / 1024

    o, c = summary("ours", ours_pdf), summary("chrome", chrome_pdf)
    print(f"bench-pdf: 5-page report with a bar chart and the Ikigai diagram; median of {options.runs} runs each")
    print(f"{'renderer':<26}{'time ms':>10}{'peak MB':>10}{'pages':>7}{'size kB':>9}")
    print(f"{'cairo/pango (growthd)':<26}{o[0]:>10.1f}{o[1]:>10.1f}{o[2]:>7}{o[3]:>9.1f}")
    print(f"{'chromium --headless':<26}{c[0]:>10.1f}{c[1]:>10.1f}{c[2]:>7}{c[3]:>9.1f}")
    speed, memory = c[0] / o[0], c[1] / o[1]
    print(f"ratio chromium/growthd: {speed:.1f}x time, {memory:.1f}x memory "
          f"(target >= 20x and >= 10x: {'met' if speed >= 20 and memory >= 10 else 'NOT met'})")
    warm = [options.tool, "pdf-repeat", source, "30"]
    out = subprocess.run(warm, capture_output=True, text=True, check=True).stdout
    warm_ms = float(out.strip())
    _, warm_mb = measure(warm)
    print(f"{'cairo/pango, warm worker':<26}{warm_ms:>10.1f}{warm_mb:>10.1f}   (median per document of 30 renders "
          f"in one process; {c[0] / warm_ms:.0f}x faster than chromium's cold run)")
    print("per-run ms  growthd: " + " ".join(f"{t * 1000:.0f}" for t, _ in results["ours"]) +
          " | chromium: " + " ".join(f"{t * 1000:.0f}" for t, _ in results["chrome"]))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
