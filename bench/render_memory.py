"""Benchmark: a render pool worker's memory over many handouts (issue 13, target 4).

    DJANGO_DEBUG=1 .venv/bin/python bench/render_memory.py [--renders 1000] [--checkpoint 100]

Starts the render pool of consult/documents/rendering.py with one worker (as an app server does),
then has it render the 3-option Japanese handout of bench/handout.py `--renders` times, one after
the other. Reads the worker's resident memory (VmRSS) and its peak (VmHWM) from /proc after the
warm-up, after `--checkpoint` renders and at the end. Target: the RSS after all renders within 10 %
of the RSS after the checkpoint (no leak). The peak is what one render worker needs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    ScratchDatabase,
    machine_info,
    prepare_database_in_process,
    print_machine,
    setup_django_in_process,
    verdict,
)
from bench.handout import demo_snapshot  # noqa: E402


def memory_kib(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=1000)
    parser.add_argument("--checkpoint", type=int, default=100)
    args = parser.parse_args()
    os.environ["RENDER_WORKERS"] = "1"
    os.environ["RENDER_BACKEND"] = "pool"
    info = machine_info()
    scratch = ScratchDatabase()
    try:
        setup_django_in_process(scratch.url)
        prepare_database_in_process(no_users=True)
        from clinic.lib import render_worker
        from consult.documents import rendering

        snapshot = demo_snapshot()
        print_machine(info)
        pool = rendering.pool()
        (pid,) = list(pool._processes)
        warm = memory_kib(pid)
        marks = {"after warm-up": warm}
        started = time.perf_counter()
        for n in range(1, args.renders + 1):
            pdf = pool.submit(render_worker.render_pdf, "handout", snapshot, snapshot["handout_id"]).result()
            if n == args.checkpoint:
                marks[f"after {n} renders"] = memory_kib(pid)
        elapsed = time.perf_counter() - started
        marks[f"after {args.renders} renders"] = memory_kib(pid)
        rendering.shutdown()
        print(
            f"\n{args.renders} renders in {elapsed:.0f} s ({elapsed / args.renders * 1000:.0f} ms each), PDF {len(pdf) // 1024} KiB"
        )
        print("| worker | RSS MiB | peak RSS (VmHWM) MiB |")
        print("|---|---:|---:|")
        for label, m in marks.items():
            print(f"| {label} | {m['VmRSS'] / 1024:.0f} | {m['VmHWM'] / 1024:.0f} |")
        check = marks[f"after {args.checkpoint} renders"]["VmRSS"]
        end = marks[f"after {args.renders} renders"]["VmRSS"]
        growth = (end - check) / check
        print(
            f"\n{verdict(growth <= 0.10)}  RSS after {args.renders} renders within 10 % of after "
            f"{args.checkpoint}: {growth:+.1%}"
        )
        peak = marks[f"after {args.renders} renders"]["VmHWM"]
        print(
            f"peak RSS of one render worker: {peak / 1024:.0f} MiB (after warm-up {warm['VmRSS'] / 1024:.0f} MiB)"
        )
    finally:
        scratch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
