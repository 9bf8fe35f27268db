"""The calculator's runtime files: content-hashed names, gzip twins, page rewriting."""

import gzip
import json
import re
import zipfile

import pytest

from guidegen.site import calculator
from guidegen.site.calculator import CalculatorBuildError, build_calculator_assets, pyodide_dist

from test_calculator_support import ROOT, engine_inputs, require_node_modules

HASHED = re.compile(r"\.[0-9a-f]{10}(\.|/|$)")
PAGE = ('<html><head><meta name="guidegen-calculator" content="1">'
        '<link rel="stylesheet" href="../calculator/calculator.css">'
        '<script type="module" src="../calculator/app.js"></script></head></html>')


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_node_modules()
    site = tmp_path_factory.mktemp("site")
    (site / "calculator").mkdir()
    (site / "calculator" / "index.html").write_text(PAGE, encoding="utf-8")
    (site / "calculator" / "app.0123456789.js").write_text("stale", encoding="utf-8")
    _, bundle = engine_inputs()
    files = build_calculator_assets(json.loads(bundle.read_text(encoding="utf-8")), site, root=ROOT)
    return site, files


def test_every_runtime_file_is_hashed_and_big_ones_have_gzip_twins(built):
    site, files = built
    out = site / "calculator"
    assets = [f for f in files if f.suffix != ".html"]
    assert assets and all(HASHED.search(str(f.relative_to(out))) for f in assets)
    assert not (out / "app.0123456789.js").exists(), "a stale hashed file survived"
    for f in files:
        if f.suffix == ".gz":
            assert gzip.decompress(f.read_bytes()) == f.with_suffix("").read_bytes()
    gz = {f.name for f in files if f.suffix == ".gz"}
    for name in ("pyodide.asm.wasm.gz", "pyodide.asm.mjs.gz"):
        assert name in gz
    assert any(n.startswith("catalog.") for n in gz)
    # Content hash: the bundle file is named by what it holds.
    bundle = next(out.glob("catalog.*.json"))
    assert calculator._hashed_name("catalog.json", bundle.read_bytes()) == bundle.name


def test_pages_point_at_the_hashed_app_and_rewrite_is_idempotent(built):
    site, _ = built
    html = (site / "calculator" / "index.html").read_text(encoding="utf-8")
    app = re.search(r'src="\.\./calculator/(app\.[0-9a-f]{10}\.js)"', html).group(1)
    css = re.search(r'href="\.\./calculator/(calculator\.[0-9a-f]{10}\.css)"', html).group(1)
    assert (site / "calculator" / app).is_file() and (site / "calculator" / css).is_file()
    # A second run (the i18n plugin builds once per language) changes nothing.
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    _, bundle = engine_inputs()
    build_calculator_assets(json.loads(bundle.read_text(encoding="utf-8")), site, root=ROOT)
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert (site / "calculator" / "index.html").read_text(encoding="utf-8") == html


def test_app_names_its_siblings_and_the_worker_carries_the_engine_glue(built):
    site, _ = built
    out = site / "calculator"
    app = next(out.glob("app.*.js")).read_text(encoding="utf-8")
    assets = json.loads(re.search(r"const ASSETS = (\{.*\}); // @assets", app).group(1))
    for key in ("worker", "bundle", "wheel"):
        assert (out / assets[key]).is_file(), key
    assert (out / assets["pyodide"] / "pyodide.asm.wasm").is_file()
    assert not re.search(r'from "\./[a-z]+\.js"', app), "an import was left unhashed"
    worker = (out / assets["worker"]).read_text(encoding="utf-8")
    glue = json.loads(re.search(r"const ENGINE_PY = (\".*\"); // @engine", worker).group(1))
    assert glue == (ROOT / "calculator" / "engine.py").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / assets["wheel"]) as whl:
        names = whl.namelist()
    assert "guidegen/core/evaluate.py" in names
    assert any(n.endswith(".dist-info/WHEEL") for n in names)


def test_the_wheel_is_pure_python_and_reproducible(tmp_path):
    wheel, _ = engine_inputs()
    assert wheel.name.endswith("-py3-none-any.whl")
    again = calculator.build_wheel(ROOT, tmp_path)
    assert again.read_bytes() == wheel.read_bytes()


OVERRIDES = ROOT / "src" / "guidegen" / "site" / "overrides"
# The calculator and the bureau desk extend one frame, which carries the CSP.
APP_TEMPLATES = ("gg-app.html", "calculator.html", "desk.html")


def test_template_csp_is_the_documented_one():
    assert '{% extends "gg-app.html" %}' in (OVERRIDES / "calculator.html").read_text(encoding="utf-8").replace("{%-", "{%").replace("-%}", "%}")
    template = (OVERRIDES / "gg-app.html").read_text(encoding="utf-8")
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', template).group(1)
    assert "'wasm-unsafe-eval'" in meta and "'unsafe-eval'" not in meta.replace("'wasm-unsafe-eval'", "")
    assert "'unsafe-inline'" not in meta
    # The header sent by deploy/nginx/guidegen.conf says the same (plus frame-ancestors, header-only).
    nginx = (ROOT / "deploy" / "nginx" / "guidegen.conf").read_text(encoding="utf-8")
    assert meta in nginx
    assert calculator.CSP.startswith(meta)


@pytest.mark.parametrize("name", APP_TEMPLATES)
def test_no_inline_script_or_style_in_the_template(name):
    template = (OVERRIDES / name).read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", template)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", template)


def test_missing_node_modules_is_a_clear_error(tmp_path):
    with pytest.raises(CalculatorBuildError, match="npm ci"):
        pyodide_dist(tmp_path)


def test_calculator_sources_parse():
    require_node_modules()
    import subprocess
    for path in sorted((ROOT / "calculator").glob("*.js")) + [ROOT / "tests" / "pyodide" / "run_cases.mjs"]:
        proc = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"{path.name}: {proc.stderr}"


def test_results_and_form_never_parse_html():
    # Catalog and profile text must go through textContent: no innerHTML & co. anywhere.
    for path in sorted((ROOT / "calculator").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in text, f"{path.name} uses {sink}"


def test_the_shipped_stdlib_is_trimmed_to_the_measured_keep_list(built):
    site, files = built
    version, keep = calculator.read_stdlib_keep()
    assert version == pyodide_dist(ROOT)[1], "stdlib_keep.txt is stale: run python3 bench/measure_stdlib.py"
    zips = [f for f in files if f.name == "python_stdlib.zip"]
    assert len(zips) == 1 and zips[0].with_name("python_stdlib.zip.gz") in files
    with zipfile.ZipFile(zips[0]) as z:
        assert {n for n in z.namelist() if not n.endswith("/")} == set(keep)
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        assert "json/__init__.py" in keep and "email/__init__.py" not in z.namelist()
    # Same inputs, same bytes (the Pyodide folder's hash depends on it).
    stock = (ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").read_bytes()
    assert calculator.trim_stdlib(stock, keep) == zips[0].read_bytes()


def test_a_stale_keep_list_is_a_clear_error():
    require_node_modules()
    stock = (ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").read_bytes()
    with pytest.raises(CalculatorBuildError, match="measure_stdlib"):
        calculator.trim_stdlib(stock, ["json/__init__.py", "no/such/module.py"])
