"""The site's engines (`guidegen site --engine`, docs-dev/engine-move.md).

- ProperDocs (the project's engine) and MkDocs 1.6.1 build the same commit into the same
  site, byte for byte, except the generator meta tag (and the order Pagefind lists its
  languages in, a JSON object compared as one).
- Zensical (from an environment of its own; skipped, with pip's reason, where it does not
  install): `guidegen site --engine zensical` builds both languages, the search index and
  the calculator, and the calculator answers a worked profile in chromium, in both
  languages, with the engine's own results.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_calculator_support import (ROOT, StaticServer, calculator_csp, example_profile, js_number, launch,
                                     require_node_modules, share_url, site_bundle, wait_for_results)

pytestmark = pytest.mark.slow  # whole-site builds

# What the Zensical path is run with: the newest Zensical that installs from this package
# index (0.0.74 and 0.1.x need zensical-ui, which it does not serve) and the i18n plugin
# that supports it (zensical-i18n 0.3.0 requires zensical<0.1).
ZENSICAL_PINS = ("zensical==0.0.73", "zensical-i18n==0.3.0")
_GENERATOR = re.compile(r'\s*<meta name="generator" content="[^"]*">')


def _build(engine: str, out: Path, **kw):
    from guidegen.site.build import build_site
    return build_site(out, edition=ROOT / "mkdocs.yml", engine=engine, **kw)


def _files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}


def test_properdocs_and_mkdocs_build_the_same_site(tmp_path):
    require_node_modules()
    proper = _build("properdocs", tmp_path / "properdocs").out
    mk = _build("mkdocs", tmp_path / "mkdocs").out
    a, b = _files(proper), _files(mk)
    assert sorted(a) == sorted(b)
    differ = []
    generators = set()
    for rel in a:
        x, y = a[rel].read_bytes(), b[rel].read_bytes()
        if x == y:
            continue
        if rel.endswith(".html"):
            generators |= {m.group(0).strip() for m in _GENERATOR.finditer(x.decode() + y.decode())}
            if _GENERATOR.sub("", x.decode()) == _GENERATOR.sub("", y.decode()):
                continue
        if rel == "pagefind/pagefind-entry.json" and json.loads(x) == json.loads(y):
            continue  # the same languages, listed in another order
        differ.append(rel)
    assert not differ, f"{len(differ)} files differ beyond the generator tag: {differ[:20]}"
    # the generator tag is the one difference, and names each engine
    assert any("ProperDocs 1.6.7" in g for g in generators), generators
    assert any("mkdocs-1.6.1" in g for g in generators), generators
    assert all("mkdocs-material-9.8." in g for g in generators), generators
    assert len(a) > 200


# ------------------------------------------------------------------ Zensical

@pytest.fixture(scope="module")
def zensical(tmp_path_factory) -> str:
    """The zensical-i18n program: $GUIDEGEN_ZENSICAL, on PATH, or installed here into an
    environment of its own (never the project's)."""
    from guidegen.site.build import SiteBuildError, zensical_program
    try:
        return zensical_program()
    except SiteBuildError:
        pass
    venv = tmp_path_factory.mktemp("zensical") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          *ZENSICAL_PINS], capture_output=True, text=True, timeout=900)
    if pip.returncode != 0:
        reason = [ln for ln in (pip.stdout + pip.stderr).splitlines() if ln.startswith("ERROR")] or ["pip failed"]
        pytest.skip(f"Zensical does not install here ({' '.join(ZENSICAL_PINS)}): {reason[-1]}")
    return str(venv / "bin" / "zensical-i18n")


@pytest.fixture(scope="module")
def zensical_site(zensical, tmp_path_factory) -> Path:
    require_node_modules()
    return _build("zensical", tmp_path_factory.mktemp("zensical-site") / "site", zensical=zensical).out


def test_zensical_builds_the_whole_site(zensical_site):
    site = zensical_site
    for page in ("index.html", "en/index.html", "guides/crosswalk/index.html", "en/guides/crosswalk/index.html",
                 "schemes/compare/index.html", "en/kpis/index.html", "calculator/index.html",
                 "en/calculator/index.html", "desk/index.html", "en/desk/index.html"):
        assert (site / page).is_file(), page
    # one search index per language, beside each language's pages
    for bundle in ("pagefind", "en/pagefind"):
        entry = json.loads((site / bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert list(entry["languages"]) == (["en"] if bundle.startswith("en/") else ["zh"])
    # the calculator's runtime once, at the root, and every language's pages point at it
    assert not (site / "en" / "calculator" / "calculator").exists()
    assert not (site / "calculator" / "calculator").exists()
    for page in ("calculator/index.html", "en/calculator/index.html", "en/desk/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        for ref in re.findall(r'(?:src|href)="([^"]*calculator/[^"]*\.(?:js|css))"', html):
            assert (site / page).parent.joinpath(ref).resolve().is_file(), f"{page}: {ref}"
    # Material's lunr search is not shipped (Pagefind is the site's search)
    assert not [p for p in site.rglob("*") if "lunr" in p.parts or p.name.startswith("search.") and p.suffix == ".js"]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_zensical_calculator_answers_a_worked_profile(zensical_site, lang):
    from playwright.sync_api import sync_playwright

    from guidegen.core import evaluate

    site = zensical_site
    bundle = site_bundle(site)
    profile = example_profile()
    expected = evaluate(bundle, profile)
    totals = {r["scheme"]: js_number(r["score"]["total"]) for r in expected["results"] if r.get("score")}
    assert totals
    with StaticServer(site, calculator_csp(site)) as server, sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page()
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
        page.goto(share_url(server.origin, profile, lang))
        wait_for_results(page)
        page.wait_for_function("n => document.querySelectorAll('#gg-results .gg-total[data-total]').length >= n",
                               arg=len(totals), timeout=60_000)
        shown = {s: page.get_attribute(f"#gg-res-{s} .gg-total", "data-total") for s in totals}
        html_lang = page.get_attribute("html", "lang")
        browser.close()
    assert shown == totals
    assert html_lang == ("zh-CN" if lang == "zh" else "en")
    assert problems == []
