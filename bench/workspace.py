"""Benchmark: server time and query count of one htmx workspace update, by catalog size.

One update is what a counselor triggers with every change on the workspace page: toggle a concern,
the profile form is posted to `consult:save` with `HX-Request: true`, and the server answers with
the re-rendered suggestions and comparison grid (`workspace.html#update`).

Runs in-process with Django's test `Client` against a scratch database (SQLite in a temporary
directory by default, or `--database-url postgres://…/clinic_bench`), with the demo catalog and then
with synthetic catalogs grown to 200 and 2,000 treatments. Synthetic treatments are copies of
`subcision` (same indications, contraindications, side effects, offering and course prices), so every
one of them is a candidate for the benchmark patient's scar concerns: the worst case for the engine
and for the template, which renders every suggestion.

    .venv/bin/python bench/workspace.py                       # SQLite, demo + 200 + 2,000
    .venv/bin/python bench/workspace.py --database-url postgres://clinic:clinic@127.0.0.1:5432/clinic_bench
    .venv/bin/python bench/workspace.py --requests 100 --sizes 200,2000,5000 --profile

Targets (issue 6): median ≤ 30 ms with the demo catalog, ≤ 150 ms with 2,000 treatments, and the
same query count at every size. The result of each target is printed as PASS or MISS.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import os
import pkgutil
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    ScratchDatabase,
    load_average,
    machine_info,
    percentile,
    prepare_database_in_process,
    print_machine,
    setup_django_in_process,
    system_cpu_seconds,
    verdict,
)

# Issue 13: median ≤ 20 ms (demo catalog) and ≤ 40 ms (2,000 treatments); ≤ 12 queries at every size.
TARGET_DEMO_MS = 20.0
TARGET_2000_MS = 40.0
TARGET_QUERIES = 12
TOGGLED = "enlarged-pores"
OPTIONS = ("subcision", "potenza", "dermapen-4")
VERSION_RE = re.compile(r'id="version-field" value="(\d+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=40, help="timed updates per catalog size (default 40)"
    )
    parser.add_argument("--warmup", type=int, default=6, help="untimed updates first (default 6)")
    parser.add_argument(
        "--sizes",
        default="200,2000",
        help="synthetic catalog sizes (total treatments) after the demo catalog (default 200,2000)",
    )
    parser.add_argument(
        "--database-url",
        help="postgres://… of a scratch database whose name contains 'bench' "
        "(dropped and re-created); default: SQLite in a temporary directory",
    )
    parser.add_argument("--no-breakdown", action="store_true", help="skip the per-stage time breakdown")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile a few updates at the largest size and print the top functions",
    )
    parser.add_argument(
        "--profile-out", help="also write the cProfile stats to this file (for snakeviz etc.)"
    )
    parser.add_argument("--json", help="write the results as JSON to this file")
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the checkout whose app code is measured (default: this one; e.g. a 'before' worktree)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (SQLite file)")
    args = parser.parse_args()
    if not 1 <= args.requests <= 10_000 or not 0 <= args.warmup <= 1_000:
        parser.error("--requests must be 1..10000 and --warmup 0..1000")
    try:
        args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes is a comma-separated list of integers, e.g. 200,2000")
    if any(not 1 <= s <= 20_000 for s in args.sizes) or args.sizes != sorted(args.sizes):
        parser.error("--sizes must be increasing and within 1..20000")
    return args


# --- setup ---------------------------------------------------------------------------------------


def grow_catalog(total: int) -> int:
    """Add copies of `subcision` (offered by the demo clinic) until the catalog has `total` treatments."""
    from django.db import transaction

    from catalog.models import Clinic, CoursePrice, Offering, Treatment

    missing = total - Treatment.objects.count()
    if missing <= 0:
        return Treatment.objects.count()
    clinic = Clinic.objects.get(slug="demo-clinic")
    template = Treatment.objects.get(slug="subcision")
    indications = list(template.indications.all())
    contraindications = list(template.contraindications.all())
    side_effects = list(template.side_effects.all())
    offering = Offering.objects.get(clinic=clinic, treatment=template)
    courses = list(offering.course_prices.all())
    start = Treatment.objects.filter(slug__startswith="synthetic-").count()
    with transaction.atomic():
        clones = []
        for n in range(start, start + missing):
            clone = copy.copy(template)
            clone.pk = clone.id = None
            clone.slug = f"synthetic-{n:05d}"
            clone.name_ja = f"{template.name_ja}（合成{n}）"
            clone.name_en = f"{template.name_en} (synthetic {n})"
            clones.append(clone)
        clones = Treatment.objects.bulk_create(clones, batch_size=500)

        def related(rows, **fields):
            out = []
            for treatment in clones:
                for row in rows:
                    dup = copy.copy(row)
                    dup.pk = dup.id = None
                    dup.treatment = treatment
                    for name, value in fields.items():
                        setattr(dup, name, value)
                    out.append(dup)
            return out

        for model, rows in (
            (template.indications.model, indications),
            (template.contraindications.model, contraindications),
            (template.side_effects.model, side_effects),
        ):
            model.objects.bulk_create(related(rows), batch_size=500)
        offerings = Offering.objects.bulk_create(related([offering]), batch_size=500)
        prices = []
        for new_offering in offerings:
            for course in courses:
                dup = copy.copy(course)
                dup.pk = dup.id = None
                dup.offering = new_offering
                prices.append(dup)
        CoursePrice.objects.bulk_create(prices, batch_size=500)
    return Treatment.objects.count()


class Workspace:
    """One consultation being edited through the htmx endpoints, the way the page posts them."""

    def __init__(self) -> None:
        from django.contrib.auth.models import User
        from django.test import Client

        from catalog.models import Clinic, MedicalFlag
        from consult.models import Consultation

        self.user = User.objects.get(username="counselor")
        self.client = Client()
        self.client.force_login(self.user)
        self.consultation = Consultation.objects.create(
            clinic=Clinic.objects.get(slug="demo-clinic"), counselor=self.user, chart_number="BENCH-1"
        )
        self.url = f"/consultations/{self.consultation.public_id}/"
        self.flags = list(MedicalFlag.objects.values_list("slug", flat=True))
        self.version = self.consultation.version
        self.toggled_on = False

    def post_data(self) -> dict:
        concerns = ["rolling-scar", "boxcar-scar"] + ([TOGGLED] if self.toggled_on else [])
        data = {
            "version": self.version,
            "chart_number": "BENCH-1",
            "display_name": "",
            "age_band": "30s",
            "skin_type": "4",
            "handout_language": "ja",
            "max_downtime_days": "3",
            "budget_yen": "300000",
            "needles_ok": "yes",
            "max_pain": "2",
            "event_date": "",
            "notes": "benchmark",
            "concern": concerns,
            "severity-rolling-scar": "3",
            "areas-rolling-scar": ["cheek-left", "cheek-right"],
            "severity-boxcar-scar": "2",
            "areas-boxcar-scar": ["cheek-left"],
            f"severity-{TOGGLED}": "2",
            f"areas-{TOGGLED}": ["nose"],
        }
        data.update({f"flag-{slug}": "no" for slug in self.flags})
        return data

    def _read_version(self, response) -> None:
        match = VERSION_RE.search(response.content.decode())
        if match is None:
            raise RuntimeError(f"no version field in the response (status {response.status_code})")
        self.version = int(match.group(1))

    def update(self) -> tuple[float, float, bool]:
        """Toggle the concern and post the form: (wall seconds, CPU seconds of this process, toggled on?)."""
        self.toggled_on = not self.toggled_on
        data = self.post_data()
        cpu, start = time.process_time(), time.perf_counter()
        response = self.client.post(self.url + "save/", data, HTTP_HX_REQUEST="true")
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if response.status_code != 200:
            raise RuntimeError(f"update returned {response.status_code}: {response.content[:300]!r}")
        self._read_version(response)
        return elapsed, cpu, self.toggled_on

    def add_option(self, slug: str) -> None:
        data = {"version": self.version, "action": "add", "treatment": slug}
        response = self.client.post(self.url + "options/", data, HTTP_HX_REQUEST="true")
        if response.status_code != 200:
            raise RuntimeError(f"adding {slug} returned {response.status_code}")
        self._read_version(response)

    def response_stats(self) -> dict:
        """Size of the last rendered fragment and how many suggestions it lists."""
        self.toggled_on = not self.toggled_on
        response = self.client.post(self.url + "save/", self.post_data(), HTTP_HX_REQUEST="true")
        self._read_version(response)
        body = response.content.decode()
        return {"bytes": len(response.content), "suggestions": body.count('class="suggestion"')}


# --- measurements -----------------------------------------------------------------------------


def count_queries(workspace: Workspace, rounds: int = 2) -> dict[str, list[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, list[int]] = {"on": [], "off": []}
    for _ in range(rounds * 2):
        with CaptureQueriesContext(connection) as ctx:
            *_, on = workspace.update()
        counts["on" if on else "off"].append(len(ctx.captured_queries))
    return counts


STAGES = [
    # (label, patch target): time inside each call, summed per request
    ("load consultation", "consult.views.consultation_for"),
    ("form + save_profile", "consult.models.Consultation.save_profile"),
    ("reload after the save", "consult.models.Consultation.reloaded"),
    ("audit record", "consult.views.record"),
    ("analyse: catalog_facts", "consult.workspace.catalog_facts"),
    ("analyse: suggest (engine)", "consult.workspace.suggest"),
    ("analyse (total)", "consult.views.analyse"),
    ("template render", "consult.views.render"),
]


def breakdown(workspace: Workspace, requests: int) -> dict[str, tuple[float, float]]:
    """Mean (wall ms, CPU ms) per stage, from timers wrapped around the stage functions.

    Run separately from the timed requests so the wrappers cannot slow those down. CPU time is this
    thread's: unlike wall time it does not grow when other processes compete for the cores, but it
    leaves out time the database server spends (PostgreSQL).
    """
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    def timed(label, original):
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label][0] += time.perf_counter() - wall
                spent[label][1] += time.thread_time() - cpu

        return wrapper

    per_request: dict[str, list[tuple[float, float]]] = defaultdict(list)
    with ExitStack() as stack:
        for label, target in STAGES:
            original = pkgutil.resolve_name(target)
            stack.enter_context(mock.patch(target, timed(label, original)))
        for _ in range(requests):
            spent.clear()
            elapsed, cpu, _on = workspace.update()
            per_request["total"].append((elapsed, cpu))
            for label, _target in STAGES:
                per_request[label].append(tuple(spent.get(label, (0.0, 0.0))))
    # Means, not medians, so the stages add up to the total.
    result = {
        label: (statistics.fmean(v[0] for v in values) * 1000, statistics.fmean(v[1] for v in values) * 1000)
        for label, values in per_request.items()
    }
    top = [result[label] for label, _ in STAGES if not label.startswith("analyse: ")]
    result["other (middleware, session, form, test client)"] = (
        result["total"][0] - sum(w for w, _ in top),
        result["total"][1] - sum(c for _, c in top),
    )
    return result


@contextmanager
def profiled(path: str | None):
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())
        if path:
            stats.dump_stats(path)
            print(f"cProfile stats written to {path}")


def measure(workspace: Workspace, label: str, args) -> dict:
    from catalog.models import Treatment

    load_before = load_average()
    for _ in range(args.warmup):
        workspace.update()
    before = (time.perf_counter(), time.process_time(), system_cpu_seconds())
    samples = [workspace.update() for _ in range(args.requests)]
    after = (time.perf_counter(), time.process_time(), system_cpu_seconds())
    others = None
    if before[2] is not None and after[2] is not None:
        # CPU the rest of the machine used meanwhile, as a share of all CPUs: contention from elsewhere.
        others = max(0.0, (after[2] - before[2]) - (after[1] - before[1])) / (after[0] - before[0])
        others /= os.cpu_count() or 1
    wall = [s[0] * 1000 for s in samples]
    cpu = [s[1] * 1000 for s in samples]
    queries = count_queries(workspace)
    stats = workspace.response_stats()
    row = {
        "catalog": label,
        "treatments": Treatment.objects.count(),
        "requests": len(samples),
        "median_ms": statistics.median(wall),
        "p95_ms": percentile(wall, 95),
        "min_ms": min(wall),
        "max_ms": max(wall),
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": percentile(cpu, 95),
        "queries_on": queries["on"],
        "queries_off": queries["off"],
        "response_bytes": stats["bytes"],
        "suggestions_rendered": stats["suggestions"],
        "load_average": f"{load_before} → {load_average()}",
        "other_processes_cpu_share": others,
    }
    if not args.no_breakdown:
        row["breakdown_ms"] = breakdown(workspace, max(5, min(15, args.requests // 2)))
    print(
        f"  {label:>6}: {row['treatments']:>5} treatments  median {row['median_ms']:7.1f} ms  "
        f"p95 {row['p95_ms']:7.1f} ms  (CPU median {row['cpu_median_ms']:6.1f} ms)  "
        f"queries on/off {queries['on']}/{queries['off']}  {stats['suggestions']} suggestions, "
        f"{stats['bytes'] / 1024:.0f} KiB  other processes' CPU {_share(row)}, load {row['load_average']}",
        flush=True,
    )
    return row


def _share(row: dict) -> str:
    share = row["other_processes_cpu_share"]
    return "?" if share is None else f"{share:.0%}"


def _counts(values: list[int]) -> str:
    return "/".join(str(v) for v in sorted(set(values)))


def report(rows: list[dict], args) -> list[tuple[str, bool]]:
    print()
    print(
        "| catalog | treatments | updates | median ms | p95 ms | max ms | CPU median ms | CPU p95 ms "
        "| queries (toggle on / off) | suggestions rendered | response KiB | other processes' CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|")
    for r in rows:
        q = f"{_counts(r['queries_on'])} / {_counts(r['queries_off'])}"
        print(
            f"| {r['catalog']} | {r['treatments']} | {r['requests']} "
            f"| {r['median_ms']:.1f} | {r['p95_ms']:.1f} "
            f"| {r['max_ms']:.1f} | {r['cpu_median_ms']:.1f} | {r['cpu_p95_ms']:.1f} | {q} "
            f"| {r['suggestions_rendered']} | {r['response_bytes'] / 1024:.0f} | {_share(r)} |"
        )
    if not args.no_breakdown:
        labels = list(rows[0]["breakdown_ms"])
        print()
        print(
            "Mean wall ms / CPU ms per update and stage (timers around the stage functions; "
            "`analyse (total)` includes the two `analyse:` rows):"
        )
        print("| stage | " + " | ".join(f"{r['treatments']} treatments" for r in rows) + " |")
        print("|---|" + "---:|" * len(rows))
        for label in labels:
            cells = " | ".join("{:.1f} / {:.1f}".format(*r["breakdown_ms"][label]) for r in rows)
            print(f"| {label} | {cells} |")

    targets: list[tuple[str, bool]] = []
    demo = rows[0]
    targets.append(
        (
            f"median ≤ {TARGET_DEMO_MS:.0f} ms with the demo catalog: {demo['median_ms']:.1f} ms "
            f"(CPU {demo['cpu_median_ms']:.1f} ms)",
            demo["median_ms"] <= TARGET_DEMO_MS,
        )
    )
    big = next((r for r in rows if r["treatments"] == 2000), None)
    if big is not None:
        targets.append(
            (
                f"median ≤ {TARGET_2000_MS:.0f} ms with 2,000 treatments: {big['median_ms']:.1f} ms "
                f"(CPU {big['cpu_median_ms']:.1f} ms)",
                big["median_ms"] <= TARGET_2000_MS,
            )
        )
    else:
        print("\n(no 2,000-treatment run: add 2000 to --sizes to check that target)")
    on = {r["treatments"]: sorted(set(r["queries_on"])) for r in rows}
    off = {r["treatments"]: sorted(set(r["queries_off"])) for r in rows}
    same = (
        len({tuple(v) for v in on.values()}) == 1
        and len({tuple(v) for v in off.values()}) == 1
        and all(len(v) == 1 for v in [*on.values(), *off.values()])
    )
    detail = ", ".join(f"{n}: {on[n]}/{off[n]}" for n in on)
    targets.append((f"same query count at every catalog size (toggle on/off) — {detail}", same))
    most = max(max(v) for v in [*on.values(), *off.values()])
    targets.append(
        (f"≤ {TARGET_QUERIES} queries per update at every size: at most {most}", most <= TARGET_QUERIES)
    )
    print()
    for text, ok in targets:
        print(f"{verdict(ok)}  {text}")
    return targets


def main() -> int:
    args = parse_args()
    info = machine_info()
    scratch = ScratchDatabase(args.database_url, keep=args.keep)
    try:
        setup_django_in_process(scratch.url, root=args.app_dir.resolve())
        from django.conf import settings
        from django.db import connection

        print_machine(info)
        print(
            f"database: {scratch.describe()} ({connection.vendor}); DEBUG={settings.DEBUG}; "
            f"{args.requests} timed updates per size after {args.warmup} warm-up updates; "
            f"app {args.app_dir.resolve()}"
        )
        prepare_database_in_process()
        workspace = Workspace()
        workspace.update()  # first save: concerns, wishes
        for slug in OPTIONS:
            workspace.add_option(slug)
        print(
            "Each update toggles one concern on or off; the consultation has 2–3 scar/pore concerns, "
            f"wishes and {len(OPTIONS)} options in the comparison grid."
        )
        rows = [measure(workspace, "demo", args)]
        for size in args.sizes:
            grow_catalog(size)
            rows.append(measure(workspace, str(size), args))
        targets = report(rows, args)
        if args.profile:
            print(f"\ncProfile of 5 updates at {rows[-1]['treatments']} treatments:")
            with profiled(args.profile_out):
                for _ in range(5):
                    workspace.update()
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "machine": info,
                        "database": scratch.describe(),
                        "rows": rows,
                        "targets": [{"target": t, "pass": ok} for t, ok in targets],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        connection.close()
    finally:
        scratch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
