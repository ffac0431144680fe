"""Benchmark: the 3-option Japanese handout, WeasyPrint vs. Chromium, both warm, in one process.

    DJANGO_DEBUG=1 .venv/bin/python bench/handout.py [-n 20] [--profile]

Builds a scratch SQLite database in a temporary directory (migrate + load_demo --no-users), renders a
representative handout N times with WeasyPrint (after one warm-up render), then prints the same HTML
to PDF N times with the system Chromium through Playwright (browser and page kept open; Playwright
never downloads a browser). Prints medians, the ratio and the PDF sizes; `--profile` adds the top
cProfile entries of one warm WeasyPrint render. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    ScratchDatabase,
    load_average,
    machine_info,
    prepare_database_in_process,
    print_machine,
    setup_django_in_process,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROFILE = {
    "clinic": "demo-clinic",
    "concerns": [
        {"condition": "rolling-scar", "severity": 3, "areas": ["cheek-left", "cheek-right"]},
        {"condition": "enlarged-pores", "severity": 2, "areas": ["nose"]},
    ],
    "skin_type": "IV",
    "max_downtime_days": 3,
    "budget_yen": 300000,
    "needles_ok": True,
    "max_pain": 2,
    "event_date": "2027-01-20",
    "today": "2026-11-21",
    "language": "ja",
    "patient_name": "山田 花子",
    "chart_number": "A-1001",
    "counselor": "佐藤",
    "notes": "来月に友人の結婚式があるため、ダウンタイムの短い方法を希望。",
}
OPTIONS = ["dermapen-4", "fibroblast-transplant", "subcision"]  # unapproved, regenerative, procedure


def demo_snapshot() -> dict:
    """The 3-option Japanese handout's snapshot every handout benchmark renders (Django set up)."""
    from consult.documents.handout import build_snapshot_for_profile
    from consult.profile import parse_profile

    return build_snapshot_for_profile(
        parse_profile(PROFILE), OPTIONS, datetime(2026, 11, 21, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    )


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


@contextmanager
def collection_time():
    """Seconds spent in garbage collections, added up in the yielded one-item list while the block runs."""
    total = [0.0]
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            total[0] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)
    try:
        yield total
    finally:
        gc.callbacks.remove(callback)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="renders per engine (default 20)")
    parser.add_argument("--profile", action="store_true", help="print the top cProfile entries")
    parser.add_argument("--save", type=Path, help="write the WeasyPrint and Chromium PDFs into this folder")
    args = parser.parse_args()

    info = machine_info()
    load_at_start = load_average()
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    scratch = ScratchDatabase()  # SQLite in a temporary directory, removed at the end
    try:
        setup_django_in_process(scratch.url)
        prepare_database_in_process(no_users=True)
        from clinic.lib.pdf import lay_out, write
        from consult.documents.handout import KIND, render_handout
        from consult.documents.pipeline import document_html

        snapshot = demo_snapshot()
        print_machine(info)
        print(f"load average at start: {load_at_start}")

        weasy_pdf = render_handout(snapshot)  # warm-up: fonts, stylesheet
        wall, cpu, collecting = [], [], []
        with collection_time() as collected:
            for _ in range(args.n):
                collected[0] = 0.0
                w0, c0 = time.perf_counter(), time.process_time()
                weasy_pdf = render_handout(snapshot)
                wall.append(time.perf_counter() - w0)
                cpu.append(time.process_time() - c0)
                collecting.append(collected[0])
        phases = {"template": [], "parse+style+layout": [], "draw+fonts+write": []}
        for _ in range(max(3, args.n // 2)):
            c0 = time.process_time()
            html = document_html(KIND, snapshot)
            c1 = time.process_time()
            document = lay_out(html, stylesheets=(KIND.stylesheet,))
            c2 = time.process_time()
            write(document, identifier=snapshot["handout_id"])
            c3 = time.process_time()
            for name, value in zip(phases, (c1 - c0, c2 - c1, c3 - c2), strict=True):
                phases[name].append(value)
        breakdown = ", ".join(f"{name} {median_ms(values):.0f}" for name, values in phases.items())
        pages = subprocess.run(["pdfinfo", "-"], input=weasy_pdf, capture_output=True).stdout.decode()
        page_count = next((line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")), "?")
        print(
            f"weasyprint: median {median_ms(wall):.0f} ms wall, {median_ms(cpu):.0f} ms CPU "
            f"(min {min(wall) * 1000:.0f}, max {max(wall) * 1000:.0f}; n={args.n}); "
            f"{len(weasy_pdf) / 1024:.0f} KB, {page_count} pages"
        )
        print(f"weasyprint CPU by phase (median ms): {breakdown}")
        print(f"of a render, Python's garbage collector (median): {median_ms(collecting):.0f} ms")

        html = document_html(KIND, snapshot, inline_css=True)
        chrome_pdf, chrome = chromium_pdfs(html, args.n)
        print(
            f"chromium:   median {median_ms(chrome):.0f} ms wall "
            f"(min {min(chrome) * 1000:.0f}, max {max(chrome) * 1000:.0f}; n={args.n}); "
            f"{len(chrome_pdf) / 1024:.0f} KB"
        )
        print(
            f"ratio weasyprint/chromium (median wall): {statistics.median(wall) / statistics.median(chrome):.2f}"
        )

        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / "bench-weasyprint.pdf").write_bytes(weasy_pdf)
            (args.save / "bench-chromium.pdf").write_bytes(chrome_pdf)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            render_handout(snapshot)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            # Where the time goes, by stage of WeasyPrint, then the hottest functions.
            stats.sort_stats("cumulative").print_stats(
                r"tinyhtml5/parser.py:\d+\(parse\)|get_all_computed_styles|build_formatting_structure"
                r"|make_all_pages|layout/table.py:\d+\(table_layout\)|split_first_line|document.py:\d+\(paint\)"
                r"|draw_text\b|build_fonts_dictionary|_harfbuzz_subset|add_tags|pydyf/__init__.py:\d+\(write\)"
                r"|_finish"
            )
            stats.sort_stats("tottime").print_stats(15)
            print(out.getvalue())
    finally:
        scratch.close()


def chromium_pdfs(html: str, n: int) -> tuple[bytes, list[float]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        # The handout needs nothing from the network; make sure Chromium fetches nothing either.
        page.route("**/*", lambda route: route.abort())
        page.set_content(html)
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)  # warm-up
        times = []
        for _ in range(n):
            start = time.perf_counter()
            page.set_content(html)
            pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
            times.append(time.perf_counter() - start)
        browser.close()
    return pdf, times


if __name__ == "__main__":
    main()
