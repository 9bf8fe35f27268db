"""Measure which standard-library files the calculator needs; write the keep-list.

    python3 bench/measure_stdlib.py            # rewrite src/guidegen/runtime/stdlib_keep.txt
    python3 bench/measure_stdlib.py --check    # exit 1 if the stored list differs from a fresh measurement

Builds the wheel and the bundle with the calculator's own build functions, then runs
bench/measure_stdlib.mjs under Node with the pinned Pyodide and its FULL
python_stdlib.zip: bootstrap, what the worker does (unpack the wheel, run
calculator/engine.py, warm up), every profile of tests/cases/*.yaml, and the error
paths (invalid JSON, wrong shapes, hostile text, unknown schemes, Python exceptions
crossing into JavaScript). Every module in sys.modules that was loaded from the zip
is kept; the build (guidegen.runtime.trim_stdlib) ships only those files.
Needs node and node_modules (npm ci).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from guidegen.runtime import STDLIB_KEEP, build_wheel, bundle_bytes, pyodide_dist  # noqa: E402

HEADER = """\
# Standard-library files the calculator ships. src/guidegen/runtime/pyodide.py
# (trim_stdlib) builds the site's python_stdlib.zip from Pyodide's with only these
# paths (and their folder entries); everything else of the ~2.5 MB archive is left out.
#
# Measured, not guessed: `python3 bench/measure_stdlib.py` regenerates this file.
# It loads Pyodide (full stdlib) under Node, does what the calculator's worker does
# (unpack the wheel, run calculator/engine.py), evaluates every profile of
# tests/cases/*.yaml and the error paths (bad JSON, wrong shapes, hostile text,
# unknown schemes, exceptions crossing into JavaScript), and lists every module in
# sys.modules that was loaded from the zip. Modules built into the runtime or frozen
# (os, codecs, zipimport, _json, _decimal, ...) are not in the zip and not listed.
# The build refuses a list measured with another Pyodide version.
"""


def measure(root: Path = ROOT) -> dict:
    """Run bench/measure_stdlib.mjs on the full stdlib; its JSON output."""
    from cases import load_cases
    from guidegen.catalog import load_catalog

    dist, _ = pyodide_dist(root)
    payload = json.dumps([{"profile": c["profile"], "schemes": c.get("schemes")} for c in load_cases()],
                         ensure_ascii=False)
    with tempfile.TemporaryDirectory(prefix="guidegen-measure-") as tmp:
        wheel = build_wheel(root, Path(tmp))
        bundle = Path(tmp) / "catalog.json"
        bundle.write_bytes(bundle_bytes(load_catalog(root / "catalogs")))
        proc = subprocess.run(["node", str(root / "bench" / "measure_stdlib.mjs"), "--wheel", str(wheel),
                               "--bundle", str(bundle), "--pyodide", str(dist)],
                              input=payload, capture_output=True, text=True, cwd=root, timeout=300, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"measure_stdlib.mjs failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout)
    out["cases"] = len(json.loads(payload))
    return out


def keep_paths(measured: dict) -> list[str]:
    return sorted({path for path in measured["modules"].values() if path})


def render(measured: dict, paths: list[str], dist: Path) -> str:
    with zipfile.ZipFile(dist / "python_stdlib.zip") as z:
        files = [i for i in z.infolist() if not i.is_dir()]
        kept = sum(z.getinfo(p).file_size for p in paths)
    lines = [HEADER.rstrip("\n"), "#",
             f"# pyodide: {measured['pyodide']}",
             f"# python: {measured['python']}",
             f"# measured over {measured['cases']} case profiles; {len(paths)} of {len(files)} files, "
             f"{kept} of {sum(i.file_size for i in files)} bytes uncompressed",
             ""]
    return "\n".join(lines + paths) + "\n"


def main(argv: list[str]) -> int:
    dist, _ = pyodide_dist(ROOT)
    measured = measure(ROOT)
    paths = keep_paths(measured)
    text = render(measured, paths, dist)
    if "--check" in argv:
        same = STDLIB_KEEP.is_file() and STDLIB_KEEP.read_text(encoding="utf-8") == text
        print(f"{STDLIB_KEEP}: {'up to date' if same else 'differs from a fresh measurement'}")
        return 0 if same else 1
    STDLIB_KEEP.write_text(text, encoding="utf-8")
    print(f"wrote {STDLIB_KEEP.relative_to(ROOT)}: {len(paths)} files "
          f"(pyodide {measured['pyodide']}, python {measured['python']}, {measured['cases']} cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
