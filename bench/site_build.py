"""Site-build benchmark: the full bilingual build, its generation overhead, and scaling.

- full: ``mkdocs build`` with the guidegen plugin (pages generated from the
  catalog at build time), calculator assets off so that the figure is about pages.
- plain: the same markdown tree, written once beforehand by ``guidegen render``,
  built by the same mkdocs.yml without the guidegen plugin. full / plain is the
  generation overhead (goal ≤ 1.3).
- scaling: synthetic catalogs at 1×, 10× and 50× the schemes and scene guides
  (bench/synthetic.py); seconds per 100 pages at each size, and whether time grows
  no worse than linearly in pages.
Runs are interleaved (full, plain, full, plain, …) and medians taken, in one run.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import make_synthetic  # noqa: E402

REPEATS = 3


def _config(work: Path, catalog: Path, *, plugin: bool, docs_dir: Path) -> Path:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"^docs_dir: .*$", f"docs_dir: {docs_dir}", text, flags=re.M)
    if plugin:
        text = text.replace("      catalog: catalogs", f"      catalog: {catalog}")
        text = text.replace("        calculator: true", "        calculator: false")
    else:
        # Drop the guidegen plugin block (from "- guidegen:" to the next plugin).
        text = re.sub(r"  - guidegen:\n(?:    .*\n|\s*\n)*?(?=  - )", "", text)
        assert "- guidegen:" not in text
    path = work / ("mkdocs-full.yml" if plugin else "mkdocs-plain.yml")
    path.write_text(text, encoding="utf-8")
    return path


def _build(config: Path, out: Path) -> float:
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(out)],
                         capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise RuntimeError(f"mkdocs build failed:\n{run.stderr[-3000:]}")
    return elapsed


def _pages(site: Path) -> int:
    return sum(1 for p in site.rglob("*.html") if p.name != "404.html")


def measure(factor: int, work: Path, *, plain: bool) -> dict:
    catalog = make_synthetic(factor, work / f"catalog-{factor}x") if factor > 1 else ROOT / "catalogs"
    rendered = work / f"rendered-{factor}x"
    from guidegen.catalog import load_catalog
    from guidegen.site.generate import SiteOptions, render_tree
    shutil.rmtree(rendered, ignore_errors=True)
    render_tree(load_catalog(catalog), rendered, SiteOptions(docs_dir=ROOT / "docs", calculator=False))
    full_cfg = _config(work, catalog, plugin=True, docs_dir=ROOT / "docs")
    plain_cfg = _config(work, catalog, plugin=False, docs_dir=rendered)
    full_t, plain_t = [], []
    for _ in range(REPEATS if plain else 1):
        full_t.append(_build(full_cfg, work / "site-full"))
        if plain:
            plain_t.append(_build(plain_cfg, work / "site-plain"))
    out = {"factor": factor, "pages": _pages(work / "site-full"), "full_s": round(statistics.median(full_t), 2),
           "full_runs_s": [round(t, 2) for t in full_t]}
    if plain:
        out["plain_s"] = round(statistics.median(plain_t), 2)
        out["plain_runs_s"] = [round(t, 2) for t in plain_t]
        out["plain_pages"] = _pages(work / "site-plain")
    out["s_per_100_pages"] = round(out["full_s"] / out["pages"] * 100, 2)
    return out


def run(factors=(1, 10, 50)) -> dict:
    with tempfile.TemporaryDirectory(prefix="guidegen-bench-") as tmp:
        work = Path(tmp)
        sizes = [measure(f, work, plain=(f == 1)) for f in factors]
    base = sizes[0]
    ratio = base["full_s"] / base["plain_s"]
    figures = [
        {"name": {"zh": "完整双语站点构建（1×）", "en": "site build, full bilingual (1×)"}, "value": base["full_s"], "unit": "s", "goal": None, "met": None,
         "note": f"{base['pages']} pages; median of {REPEATS}"},
        {"name": {"zh": "同一 Markdown、停用 guidegen 插件的构建", "en": "site build with the plugin disabled (same markdown)"}, "value": base["plain_s"], "unit": "s",
         "goal": None, "met": None, "note": f"{base['plain_pages']} pages"},
        {"name": {"zh": "页面生成开销（完整 ÷ 停用插件）", "en": "generation overhead (full ÷ plain)"}, "value": round(ratio, 3), "unit": "ratio", "goal": 1.3,
         "met": ratio <= 1.3, "note": "" if ratio <= 1.3 else f"over the goal by {ratio / 1.3 - 1:.1%}"},
    ]
    per_page = [s["s_per_100_pages"] for s in sizes]
    # Linear or better: the marginal cost of a page (seconds per extra page between
    # consecutive sizes) must not grow with size; 10 % tolerance for noise.
    marginal = [round((b["full_s"] - a["full_s"]) / (b["pages"] - a["pages"]) * 100, 2)
                for a, b in zip(sizes, sizes[1:]) if b["pages"] > a["pages"]]
    linear = all(y <= x * 1.10 for x, y in zip(marginal, marginal[1:]))
    for s in sizes:
        figures.append({"name": {"zh": f"{s['factor']}× 方案与场景时的构建", "en": f"site build at {s['factor']}× schemes and scenes"}, "value": s["s_per_100_pages"],
                        "unit": "s per 100 pages", "goal": None, "met": None,
                        "note": f"{s['pages']} pages in {s['full_s']} s"})
    figures.append({"name": {"zh": "构建时间随页数不超过线性增长", "en": "scaling no worse than linear"}, "value": linear, "unit": "bool", "goal": True, "met": linear,
                    "note": "seconds per 100 pages: " + " → ".join(map(str, per_page))
                    + "; marginal seconds per 100 extra pages: " + " → ".join(map(str, marginal))})
    return {"site_build": {"figures": figures, "sizes": sizes}}


if __name__ == "__main__":
    factors = tuple(int(a) for a in sys.argv[1:]) or (1, 10, 50)
    print(json.dumps(run(factors), ensure_ascii=False, indent=2))
