"""The calculator's runtime files: content-hashed names, gzip twins, page rewriting;
the runtime room (guidegen.runtime): the browser wheel, the bundle parts, the Pyodide
file list written once into the worker."""

import ast
import gzip
import io
import json
import re
import zipfile

import pytest

from guidegen import runtime
from guidegen.site import calculator
from guidegen.runtime import pyodide_dist
from guidegen.site.calculator import CalculatorBuildError, build_calculator_assets

from test_calculator_support import ROOT, engine_inputs, require_node_modules

pytestmark = pytest.mark.slow  # builds the runtime files, runs node

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
    # Every file but the pages and the service worker (sw.js at the site's root keeps its name).
    assets = [f for f in files if f.suffix != ".html" and f != site / "sw.js"]
    assert site / "sw.js" in files
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
    # The page preloads app.js's whole static import graph (not the draft's docx module).
    preloads = re.findall(r'<link rel="modulepreload" href="\.\./calculator/([^"]+)" data-gg-preload>', html)
    assert len(preloads) >= 5 and all((site / "calculator" / p).is_file() for p in preloads)
    assert not [p for p in preloads if p.startswith(("docx.", "app."))], preloads
    app_text = (site / "calculator" / app).read_text(encoding="utf-8")
    assert all(p in app_text for p in re.findall(r'from "\./([^"]+)"', app_text)), "a direct import is not preloaded"
    assert set(re.findall(r'from "\./([^"]+)"', app_text)) <= set(preloads)
    # boot.js runs as a script of its own, before app.js, so the worker starts at once.
    boot = re.search(r'<script type="module" async src="\.\./calculator/(boot\.[0-9a-f]{10}\.js)" data-gg-boot></script>', html)
    assert boot and html.index(boot.group(0)) < html.index(f'src="../calculator/{app}"'), "no boot script before app.js"
    assert boot.group(1) in preloads and f'from "./{boot.group(1)}"' in app_text
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
    # The manifest lives in boot.js, which starts the worker ahead of the page's other modules.
    boot = next(out.glob("boot.*.js")).read_text(encoding="utf-8")
    assets = json.loads(re.search(r"^export const ASSETS = (\{.*\}); // @assets$", boot, re.M).group(1))
    for key in ("worker", "bundle", "wheel"):
        assert (out / assets[key]).is_file(), key
    assert (out / assets["pyodide"] / "pyodide.asm.wasm").is_file()
    assert not re.search(r'from "\./[a-z]+\.js"', app), "an import was left unhashed"
    worker = (out / assets["worker"]).read_text(encoding="utf-8")
    glue = json.loads(re.search(r"const ENGINE_PY = (\".*\"); // @engine", worker).group(1))
    assert glue == (ROOT / "calculator" / "engine.py").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / assets["wheel"]) as whl:
        names = whl.namelist()
    # The engine travels as bytecode compiled by Pyodide's own Python (guidegen.runtime.bytecode).
    assert "guidegen/core/evaluate.pyc" in names and not [n for n in names if n.endswith(".py")]
    assert any(n.endswith(".dist-info/WHEEL") for n in names)
    # The Pyodide file list, written once by the build (guidegen.runtime), is what the worker reads.
    facts = json.loads(re.search(r"const RUNTIME = (\{.*\}); // @runtime", worker).group(1))
    assert facts["pyodideFiles"] == list(runtime.PYODIDE_SHIPPED)
    assert facts["lock"]["packages"] == {} and facts["lock"]["info"]["python"].startswith("3.")
    # The calculator installs no Pyodide package: the 120 KB lock file is neither shipped nor fetched.
    assert sorted(p.name for p in (out / assets["pyodide"]).iterdir() if p.suffix != ".gz") == sorted(runtime.PYODIDE_SHIPPED)


def test_the_wheel_is_pure_python_and_reproducible(tmp_path):
    wheel, _ = engine_inputs()
    assert wheel.name.endswith("-py3-none-any.whl")
    again = runtime.build_wheel(ROOT, tmp_path)
    assert again.read_bytes() == wheel.read_bytes()


def _guidegen_imports(name: str, source: bytes) -> set[str]:
    """The guidegen modules a file of the package imports (absolute names)."""
    package = name[:-len(".py")].replace("/", ".")
    if not name.endswith("__init__.py"):
        package = package.rsplit(".", 1)[0]
    else:
        package = package[:-len(".__init__")]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] == "guidegen":
                out.add(base)
                out.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "guidegen")
    return out


def test_the_wheel_holds_only_what_runs_in_the_browser():
    """The engine (core), and desk.py / profile_file.py for the bureau desk page: not the
    site generator, the catalog loader or the CLI. Every guidegen import inside resolves inside
    (read from the sources the wheel's bytecode was compiled from, one for one)."""
    wheel, _ = engine_inputs()
    with zipfile.ZipFile(wheel) as whl:
        compiled = {n for n in whl.namelist() if n.endswith(".pyc")}
    files = {name: path.read_bytes() for name, path in runtime.browser_sources(ROOT)}
    assert compiled == {n + "c" for n in files}
    modules = {n[:-3].replace("/", ".").removesuffix(".__init__") for n in files}
    assert {"guidegen", "guidegen.core", "guidegen.desk", "guidegen.profile_file"} <= modules
    assert not [m for m in modules if m.split(".")[1:2] in (["site"], ["catalog"], ["cli"], ["runtime"])], modules
    for name, source in files.items():
        missing = sorted(m for m in _guidegen_imports(name, source)
                         if m not in modules and m.rsplit(".", 1)[0] not in modules - {"guidegen"})
        assert not missing, f"{name} imports {missing}, which the browser wheel does not hold"


def test_the_runtime_room_never_imports_the_site():
    for path in sorted((ROOT / "src" / "guidegen" / "runtime").glob("*.py")):
        name = path.relative_to(ROOT / "src").as_posix()
        bad = sorted(m for m in _guidegen_imports(name, path.read_bytes()) if m.startswith("guidegen.site"))
        assert not bad, f"{name} imports {bad}: the site builds pages and calls the runtime, never the reverse"


def test_the_bundle_parts_join_to_the_bytes_of_guidegen_export(tmp_path):
    from guidegen.cli import main
    _, bundle_file = engine_inputs()
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    out = tmp_path / "export.json"
    assert main(["export", str(out)]) == 0
    parts = runtime.bundle_parts(bundle)
    assert [name for name, _ in parts] == ["regions", "forms", "main"]
    joined = runtime.join_parts([data for _, data in parts], runtime.part_order(bundle))
    assert runtime.export_text(joined).encode("utf-8") == out.read_bytes()


def test_the_first_result_is_the_same_with_the_parts_as_with_the_whole_bundle():
    """calculator/engine.py (the worker's glue) run by CPython on the parts and on the whole."""
    from test_calculator_support import example_profile
    _, bundle_file = engine_inputs()
    glue = (ROOT / "calculator" / "engine.py").read_text(encoding="utf-8")
    text = bundle_file.read_text(encoding="utf-8")
    whole = {"_bundle_text": text}
    exec(compile(glue, "engine.py", "exec"), whole)  # noqa: S102 - the project's own glue file
    split = {"_bundle_parts": [d.decode("utf-8") for _, d in runtime.bundle_parts(json.loads(text))]}
    exec(compile(glue, "engine.py", "exec"), split)  # noqa: S102
    profile = json.dumps(example_profile(), ensure_ascii=False)
    first = whole["_evaluate"](profile)
    assert json.loads(first)["results"]
    assert split["_evaluate"](profile) == first
    assert split["_questions"]() == whole["_questions"]()


def test_the_place_index_names_every_division():
    _, bundle_file = engine_inputs()
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    index = runtime.place_index(bundle)
    rows = bundle["regions"]["items"]
    assert [r[0] for r in index["rows"]] == [r["code"] for r in rows]
    for row, full in zip(index["rows"], rows):
        assert row[1:4] == [full["name"], full["short"], full["pinyin"]]
        assert (row[4] if len(row) > 4 else full["pinyin"][:1].upper() + full["pinyin"][1:]) == full["en"]


def test_the_pinned_pyodide_still_has_the_private_snapshot_api():
    """Loud on purpose: the return-visit snapshot (calculator/worker.js) uses Pyodide's private
    `_makeSnapshot`, `makeMemorySnapshot` and `_loadSnapshot`. A Pyodide update that drops or
    renames them must fail here, not silently make every return visit a cold start."""
    dist, version = pyodide_dist(ROOT)
    types = (dist / "pyodide.d.ts").read_text(encoding="utf-8")
    for name in ("_makeSnapshot", "_loadSnapshot", "makeMemorySnapshot"):
        assert name in types, f"pyodide {version} no longer declares the private snapshot API {name}"


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
    version, keep = runtime.read_stdlib_keep()
    assert version == pyodide_dist(ROOT)[1], "stdlib_keep.txt is stale: run python3 bench/measure_stdlib.py"
    zips = [f for f in files if f.name == "python_stdlib.zip"]
    assert len(zips) == 1 and zips[0].with_name("python_stdlib.zip.gz") in files
    with zipfile.ZipFile(zips[0]) as z:
        # Each kept source travels as bytecode compiled by Pyodide's own Python (sourceless .pyc).
        assert {n for n in z.namelist() if not n.endswith("/")} == {k[:-3] + ".pyc" if k.endswith(".py") else k for k in keep}
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        assert "json/__init__.py" in keep and "email/__init__.pyc" not in z.namelist()
        magic = z.read("json/__init__.pyc")[:4]
    # Pyodide's Python's magic number, not the build machine's CPython's.
    stock = (ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(stock)) as z:
        assert z.read("json/__init__.py")  # the stock zip holds sources only
    import importlib.util
    assert magic != importlib.util.MAGIC_NUMBER
    # Same inputs, same bytes (the Pyodide folder's hash depends on it): trimmed, then compiled.
    from guidegen.runtime.bytecode import STDLIB_PREFIX, compile_zip
    dist, version = pyodide_dist(ROOT)
    assert compile_zip(dist, version, runtime.trim_stdlib(stock, keep), STDLIB_PREFIX) == zips[0].read_bytes()


def test_a_stale_keep_list_is_a_clear_error():
    require_node_modules()
    stock = (ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").read_bytes()
    with pytest.raises(CalculatorBuildError, match="measure_stdlib"):
        runtime.trim_stdlib(stock, ["json/__init__.py", "no/such/module.py"])


def test_the_page_rebuilds_every_place_row_from_the_compact_index(built):
    """calculator/bundle.js placeRows (the place step's rows, from place-index.HASH.json) gives
    back the bundle's regions rows exactly: level and parent follow from the code."""
    import subprocess
    site, _ = built
    out = site / "calculator"
    index = next(out.glob("place-index.*.json"))
    whole = next(out.glob("catalog.*.json"))
    script = ("import { readFileSync } from 'node:fs';"
              f"import {{ placeRows }} from {json.dumps((ROOT / 'calculator' / 'bundle.js').as_uri())};"
              "const [index, whole] = process.argv.slice(1).map((p) => JSON.parse(readFileSync(p, 'utf-8')));"
              "process.stdout.write(JSON.stringify({got: placeRows(index), want: whole.regions.items}));")
    proc = subprocess.run(["node", "--input-type=module", "-e", script, str(index), str(whole)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows["want"]) > 3000 and rows["got"] == rows["want"]
    assert index.stat().st_size < 0.5 * len(json.dumps(rows["want"], ensure_ascii=False).encode())
