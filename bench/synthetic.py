"""Synthetic catalogs at N× the schemes and scenes of the real one, for scaling runs.

Copy k (2..N) of every scheme and every scene guide gets the suffix ``-xk`` on
its id; the copies drop what must stay unique (declarations, KPI lists,
profile sections, facts, support elements), which the originals still define.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _copy(path: Path, key: str, title: str, k: int, out_dir: Path, drop: tuple = ()) -> None:
    """Write copy k of one scheme or guide file, its id and title suffixed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))[key]
    data["id"] = f"{data['id']}-x{k}"
    for lang in ("zh", "en"):
        data[title][lang] += f" ×{k}"
    for name in drop:
        data.pop(name, None)
    (out_dir / f"{path.stem}-x{k}.yaml").write_text(
        yaml.safe_dump({key: data}, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_synthetic(factor: int, out: Path, source: Path = ROOT / "catalogs") -> Path:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    for k in range(2, factor + 1):
        for path in sorted((source / "schemes").glob("*.yaml")):
            _copy(path, "scheme", "name", k, out / "schemes")
        for path in sorted((source / "guides").glob("*.yaml")):
            _copy(path, "guide", "title", k, out / "guides", drop=("support_elements",))
    return out


if __name__ == "__main__":
    make_synthetic(int(sys.argv[1]), Path(sys.argv[2]))
