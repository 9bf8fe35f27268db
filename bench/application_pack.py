"""Application-pack benchmark: a .docx draft made by calculator/pack.js (not part of `make test`).

    python3 bench/application_pack.py [--repeat 20]

For the worked Hunan and Zhuzhou profiles of tests/test_application_pack.py, measures under
Node (the browser's code path, with the docx bundle the site ships) the median time to build
the draft, and compares it with one evaluation of the same profile by guidegen.core.evaluate
on CPython (ratio draft / evaluate: what a download costs against a re-evaluation). Also
reports the docx module's size (raw and gzip), which the page fetches on the first download
only. Medians; nothing is asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from guidegen.catalog import load_catalog  # noqa: E402
from guidegen.core import evaluate  # noqa: E402
from guidegen.site.calculator import build_docx_module  # noqa: E402
from test_application_pack import HUNAN_PROFILE, ZHUZHOU_PROFILE  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    bundle = load_catalog(ROOT / "catalogs").bundle()
    module = build_docx_module(ROOT)
    print(f"docx module: {len(module) / 1024:.0f} KiB, gzip {len(gzip.compress(module, 9)) / 1024:.0f} KiB")
    with tempfile.TemporaryDirectory() as tmp:
        docx_js = Path(tmp) / "docx.js"
        docx_js.write_bytes(module)
        for scheme, profile in (("hunan-advanced-factory-2025", HUNAN_PROFILE), ("zhuzhou-benchmark-sme", ZHUZHOU_PROFILE)):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                result = evaluate(bundle, profile, schemes=[scheme])
                times.append((time.perf_counter() - t0) * 1000)
            src = Path(tmp) / f"{scheme}.json"
            src.write_text(json.dumps({"bundle": bundle, "profile": profile, "result": result, "scheme": scheme},
                                      ensure_ascii=False), encoding="utf-8")
            out = subprocess.run(["node", str(ROOT / "bench" / "pack_draft.mjs"), str(ROOT / "calculator" / "pack.js"),
                                  str(docx_js), str(src), str(args.repeat)], capture_output=True, text=True, check=True)
            run = json.loads(out.stdout)
            draft = statistics.median(run["ms"][1:] or run["ms"])   # the first run includes JIT warm-up
            ev = statistics.median(times)
            print(f"{scheme}: draft {draft:.1f} ms ({run['bytes'] / 1024:.0f} KiB .docx), "
                  f"evaluate {ev:.1f} ms, ratio draft/evaluate {draft / ev:.1f}")


if __name__ == "__main__":
    main()
