"""Measure which standard-library files the bureau desk needs beyond the calculator's.

    python3 bench/measure_desk_stdlib.py            # rewrite src/guidegen/runtime/desk_stdlib.txt
    python3 bench/measure_desk_stdlib.py --check    # exit 1 if the stored list differs

Runs bench/measure_desk_stdlib.mjs under Node with the pinned Pyodide and its FULL
python_stdlib.zip: the worker's start-up, the desk wheels, and guidegen.desk.batch_folder
over every folder of tests/desk/ for every scheme with a summary table, in both
languages. Every module loaded from the zip is listed; the site build ships those the
calculator's keep-list (stdlib_keep.txt) lacks as desk-stdlib.zip, installed by the desk
page only (taking the difference at build time keeps the desk working when the
calculator's list changes). Needs node and node_modules (npm ci).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guidegen.runtime import build_wheel, bundle_bytes, pyodide_dist, read_stdlib_keep  # noqa: E402
from guidegen.runtime import DESK_DISTRIBUTIONS, DESK_STDLIB, repack_wheel  # noqa: E402

HEADER = """\
# Standard-library files the bureau desk imports (guidegen.desk with openpyxl,
# et_xmlfile and PyYAML). The site build packs those that the calculator's keep-list
# (stdlib_keep.txt) lacks from Pyodide's python_stdlib.zip into desk-stdlib.HASH.zip,
# which only the desk page installs (src/guidegen/runtime/deskfiles.py).
#
# Measured, not guessed: `python3 bench/measure_desk_stdlib.py` regenerates this file by
# running guidegen.desk.batch_folder under Node with the full stdlib over tests/desk/.
"""


def measure() -> dict:
    from guidegen.catalog import load_catalog

    dist, _ = pyodide_dist(ROOT)
    catalog = load_catalog(ROOT / "catalogs")
    bundle = catalog.bundle()
    schemes = sorted(s for s, spec in bundle["schemes"].items() if spec.get("summary_table"))
    runs = []
    for folder in sorted(p for p in (ROOT / "tests" / "desk").iterdir() if p.is_dir()):
        files = {f.name: base64.b64encode(f.read_bytes()).decode() for f in sorted(folder.iterdir()) if f.is_file()}
        for scheme in schemes:
            for lang in ("zh", "en"):
                runs.append({"scheme": scheme, "today": "2025-04-20", "lang": lang, "files": files})
    with tempfile.TemporaryDirectory(prefix="guidegen-desk-measure-") as tmp:
        tmp = Path(tmp)
        wheels = [build_wheel(ROOT, tmp)]
        for distribution, packages in DESK_DISTRIBUTIONS:
            name, data = repack_wheel(distribution, packages)
            (tmp / name).write_bytes(data)
            wheels.append(tmp / name)
        (tmp / "catalog.json").write_bytes(bundle_bytes(bundle))
        (tmp / "runs.json").write_text(json.dumps(runs), encoding="utf-8")
        proc = subprocess.run(["node", str(ROOT / "bench" / "measure_desk_stdlib.mjs"),
                               "--wheels", ",".join(map(str, wheels)), "--bundle", str(tmp / "catalog.json"),
                               "--runs", str(tmp / "runs.json"), "--pyodide", str(dist)],
                              capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"measure_desk_stdlib.mjs failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout)
    out["runs"] = len(runs)
    return out


def render(measured: dict) -> str:
    _, keep = read_stdlib_keep()
    paths = sorted({p for p in measured["modules"].values() if p})
    extra = [p for p in paths if p not in set(keep)]
    dist, _ = pyodide_dist(ROOT)
    with zipfile.ZipFile(dist / "python_stdlib.zip") as z:
        size = sum(z.getinfo(p).file_size for p in extra)
    lines = [HEADER.rstrip("\n"), "#", f"# pyodide: {measured['pyodide']}", f"# python: {measured['python']}",
             f"# measured over {measured['runs']} desk runs; {len(paths)} files, of which {len(extra)} "
             f"({size} bytes uncompressed) beyond today's stdlib_keep.txt", ""]
    return "\n".join(lines + paths) + "\n"


def main(argv: list[str]) -> int:
    text = render(measure())
    if "--check" in argv:
        same = DESK_STDLIB.is_file() and DESK_STDLIB.read_text(encoding="utf-8") == text
        print(f"{DESK_STDLIB}: {'up to date' if same else 'differs from a fresh measurement'}")
        return 0 if same else 1
    DESK_STDLIB.write_text(text, encoding="utf-8")
    print(f"wrote {DESK_STDLIB.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
