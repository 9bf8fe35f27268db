"""Bureau desk benchmark: `guidegen batch` over 500 applicants (not part of `make test`).

    python3 bench/desk.py [--applicants 500] [--repeat 3]

Makes a district folder of N profiles from the worked batch (tests/desk/zhuzhou-sme/:
its readable applicants with their names, scores and contacts varied, one broken file
and one duplicate in every hundred), then measures, best of --repeat:

- ``cli``: the whole command in a fresh process (`python -m guidegen.cli batch`),
  catalog loading and interpreter start included, as a bureau runs it (wall time, and
  the CPU time it used: on a shared machine the wall time includes waiting);
- ``batch``: guidegen.desk.batch_folder in-process (read, evaluate, workbook);
- ``evaluate``: the same profiles through guidegen.core.evaluate alone;
and prints the seconds and the ratio batch / evaluate (what the desk adds to the
engine: parsing, ranking, duplicates, the workbook).

``hostile`` (issue #20; the tests assert structure, these are the times): each file of the
hostile corpus (tests/hostile/, the 50 MB file and the 10,000-deep nesting made here) read by
guidegen.profile_file.load_profile in-process, best of --repeat, and the peak memory it
allocated (tracemalloc); then the whole corpus folder through `guidegen batch` in a fresh
process (wall time and the child's peak resident memory).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guidegen.catalog import load_catalog  # noqa: E402
from guidegen.core import evaluate  # noqa: E402
from guidegen.desk import batch_folder, read_folder  # noqa: E402
from guidegen.profile_file import read_profile  # noqa: E402

SCHEME = "zhuzhou-benchmark-sme"
TODAY = "2025-04-01"
SEEDS = ["a-tianyuan.json", "b-liling.yaml", "c-youxian.json", "d-dianzi.json", "e-chaling.json"]


def make_folder(folder: Path, n: int) -> None:
    seeds = [read_profile(ROOT / "tests" / "desk" / "zhuzhou-sme" / name) for name in SEEDS]
    for i in range(n):
        if i % 100 == 99:
            (folder / f"{i:04d}-broken.json").write_text('{"profile": 1, "enterprise": {', encoding="utf-8")
            continue
        p = json.loads(json.dumps(seeds[i % len(seeds)]))
        # one duplicate in every hundred: the same enterprise as the one before it
        k = i - 1 if i % 100 == 50 else i
        p["enterprise"]["name"] = f"株洲第{k:04d}号智能制造有限公司"
        p["achievements"]["invention_patents"] = i % 3
        p["activities"]["municipal"] = i % 4
        p.setdefault("application", {})["contact_phone"] = f"139{i:08d}"
        (folder / f"{i:04d}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--applicants", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    bundle = load_catalog(ROOT / "catalogs").bundle()
    with tempfile.TemporaryDirectory(prefix="guidegen-desk-bench-") as tmp:
        folder = Path(tmp) / "district"
        folder.mkdir()
        make_folder(folder, args.applicants)
        out = Path(tmp) / "out.xlsx"
        profiles = [json.loads(data) for name, data in read_folder(folder) if "broken" not in name]

        cpu = []

        def run_cli():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-m", "guidegen.cli", "batch", str(folder), "--scheme", SCHEME,
                            "--today", TODAY, "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

        cli = best(run_cli, args.repeat)
        counts = batch_folder(bundle, folder, out, scheme=SCHEME, today=TODAY)
        batch = best(lambda: batch_folder(bundle, folder, out, scheme=SCHEME, today=TODAY), args.repeat)
        engine = best(lambda: [evaluate(bundle, p, schemes=[SCHEME], today=TODAY) for p in profiles], args.repeat)
    result = {"applicants": args.applicants, "rows": counts["rows"], "problems": counts["problems"],
              "cli_seconds": round(cli, 2), "cli_cpu_seconds": round(min(cpu), 2), "batch_seconds": round(batch, 2), "evaluate_seconds": round(engine, 2),
              "batch_over_evaluate": round(batch / engine, 2), "python": sys.version.split()[0]}
    result["hostile"] = hostile(args.repeat)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def hostile(repeat: int) -> dict:
    import tracemalloc
    sys.path.insert(0, str(ROOT / "tests" / "hostile"))
    import corpus
    from guidegen.desk import read_folder as read_some
    from guidegen.profile_file import ProfileFileError, load_profile
    out: dict = {"files": {}}
    with tempfile.TemporaryDirectory(prefix="guidegen-desk-hostile-") as tmp:
        folder = corpus.build(Path(tmp) / "district")
        for name, data in read_some(folder):      # as the desk reads them: at most the limit + 1 byte
            def read():
                try:
                    load_profile(data, name)
                    return "read"
                except ProfileFileError as exc:
                    return exc.kind
            seconds = best(read, repeat)
            tracemalloc.start()
            answer = read()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            out["files"][name] = {"answer": answer, "ms": round(seconds * 1000, 2), "peak_kb": round(peak / 1024)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "guidegen.cli", "batch", str(folder), "--scheme", SCHEME,
                        "--today", TODAY, "--out", str(Path(tmp) / "hostile.xlsx")], check=True, capture_output=True, cwd=ROOT)
        out["cli_seconds"] = round(time.perf_counter() - t0, 2)
        # ru_maxrss of the children: the largest child so far (KB on Linux)
        out["cli_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
        out["cli_children_cpu_seconds"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before.ru_utime, 2)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
