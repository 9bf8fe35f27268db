"""What the GB/T 2260 divisions (bundle["regions"], issue #10) add to the calculator's bundle.

Bytes, not time: the bundle is downloaded once per visit (gzip over the wire) and parsed by
the worker. Prints raw and gzip sizes of the bundle with and without ``regions``, per level,
and what a leaner row (no ``short``/``en``, derivable from ``name``/``pinyin``) would save.

    python3 bench/regions_bytes.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guidegen.catalog import load_catalog  # noqa: E402


def size(obj) -> tuple[int, int]:
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return len(raw), len(gzip.compress(raw, 9))


def main() -> None:
    bundle = load_catalog(ROOT / "catalogs").bundle()
    regions = bundle["regions"]
    without = {k: v for k, v in bundle.items() if k != "regions"}
    rows = []
    (full_raw, full_gz), (base_raw, base_gz) = size(bundle), size(without)
    rows.append(("bundle without regions", base_raw, base_gz))
    rows.append(("bundle with regions", full_raw, full_gz))
    rows.append(("added by regions", full_raw - base_raw, full_gz - base_gz))
    for level in ("province", "prefecture", "county"):
        part = [r for r in regions["items"] if r["level"] == level]
        raw, gz = size(part)
        rows.append((f"  {level} rows ({len(part)})", raw, gz))
    lean = [{k: v for k, v in r.items() if k not in ("short", "en")} for r in regions["items"]]
    raw, gz = size(lean)
    rows.append(("  rows without short/en (not done: the contract's row)", raw, gz))
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}}  {'raw bytes':>10}  {'gzip -9':>9}")
    for name, raw, gz in rows:
        print(f"{name:{width}}  {raw:>10,}  {gz:>9,}")


if __name__ == "__main__":
    main()
