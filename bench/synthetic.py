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


def make_synthetic(factor: int, out: Path, source: Path = ROOT / "catalogs") -> Path:
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(source, out)
    for k in range(2, factor + 1):
        for path in sorted((source / "schemes").glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            scheme = data["scheme"]
            scheme["id"] = f"{scheme['id']}-x{k}"
            for lang in ("zh", "en"):
                scheme["name"][lang] += f" ×{k}"
            (out / "schemes" / f"{path.stem}-x{k}.yaml").write_text(
                yaml.safe_dump({"scheme": scheme}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        for path in sorted((source / "guides").glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            guide = data["guide"]
            guide["id"] = f"{guide['id']}-x{k}"
            for lang in ("zh", "en"):
                guide["title"][lang] += f" ×{k}"
            guide.pop("support_elements", None)
            (out / "guides" / f"{path.stem}-x{k}.yaml").write_text(
                yaml.safe_dump({"guide": guide}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


if __name__ == "__main__":
    make_synthetic(int(sys.argv[1]), Path(sys.argv[2]))
