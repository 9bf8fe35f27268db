"""Shared helpers of the calculator tests (no tests here).

Builds are cached per process, so the parity, browser and nginx tests build the
wheel, the bundle and the site once per session. Missing tools fail loudly: CI
installs node_modules (npm ci), Debian chromium and nginx (make setup).
"""

from __future__ import annotations

import atexit
import functools
import http.server
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from guidegen.profile_file import read_profile

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EXAMPLE = ROOT / "examples" / "profile-equipment.yaml"


def require_node_modules() -> Path:
    dist = ROOT / "node_modules" / "pyodide"
    if not (dist / "pyodide.asm.wasm").is_file():
        pytest.fail(f"{dist} is missing: run `npm ci` in {ROOT} (make setup does)", pytrace=False)
    if shutil.which("node") is None:
        pytest.fail("node is not installed (Node 20 is required)", pytrace=False)
    return dist


def require_chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make setup does)", pytrace=False)
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("the Python package playwright is missing: pip install -e '.[test]'", pytrace=False)
    return CHROMIUM


def launch(playwright):
    require_chromium()
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def example_profile() -> dict:
    return read_profile(EXAMPLE)


def canonical(value) -> str:
    """JSON normalisation for byte-for-byte comparisons."""
    if isinstance(value, (str, bytes)):
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _scratch(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


@functools.lru_cache(maxsize=None)
def engine_inputs() -> tuple[Path, Path]:
    """(wheel, bundle.json) built once per process with the calculator's own build functions."""
    from guidegen.catalog import load_catalog
    from guidegen.runtime import build_wheel, bundle_bytes

    out = _scratch("guidegen-engine-")
    wheel = build_wheel(ROOT, out)
    bundle = out / "catalog.json"
    bundle.write_bytes(bundle_bytes(load_catalog(ROOT / "catalogs")))
    return wheel, bundle


@functools.lru_cache(maxsize=None)
def pyodide_runtime_dir() -> Path:
    """Pyodide's runtime files exactly as the site ships them (python_stdlib.zip trimmed
    to the measured keep-list), for the Node runner: parity holds for what users get."""
    from guidegen.runtime import write_pyodide_runtime

    return write_pyodide_runtime(ROOT, _scratch("guidegen-pyodide-"))


def built_site() -> Path:
    """The real site (the plugin writes the calculator): conftest's one default build per run."""
    from conftest import default_site

    out, proc = default_site()
    if proc.returncode != 0:
        pytest.fail(f"the site build failed:\n{(proc.stdout + proc.stderr)[-4000:]}", pytrace=False)
    for page in ("calculator/index.html", "en/calculator/index.html"):
        if not (out / page).is_file():
            pytest.fail(f"mkdocs build wrote no {page}", pytrace=False)
    return out


def site_bundle(site: Path) -> dict:
    """The bundle the built calculator serves (the hashed catalog.*.json)."""
    files = sorted((site / "calculator").glob("catalog.*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text(encoding="utf-8"))


def calculator_csp(site: Path) -> str:
    import re
    html = (site / "calculator" / "index.html").read_text(encoding="utf-8")
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert m, "the calculator page has no CSP meta tag"
    return m.group(1)


class StaticServer:
    """The built site over loopback (python http.server in a thread). Calculator
    responses carry the page's CSP as a header too, so the worker runs under it.
    ``deploy_cache``: the deployed cache policy (deploy/nginx/guidegen.conf: hashed files
    immutable, the rest revalidated) instead of revalidating everything."""

    def __init__(self, root: Path, csp: str, *, deploy_cache: bool = False):
        types = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
                 ".json": "application/json", ".whl": "application/zip", ".css": "text/css"}

        class Handler(http.server.SimpleHTTPRequestHandler):
            extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **types}

            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def end_headers(self):
                if "/calculator/" in self.path:
                    self.send_header("Content-Security-Policy", csp)
                hashed = deploy_cache and re.search(r"\.[0-9a-f]{10}(\.[a-z]+$|/)", self.path.split("?")[0])
                self.send_header("Cache-Control", "public, max-age=31536000, immutable" if hashed else "no-cache")
                super().end_headers()

            def log_message(self, *args):
                pass

            def handle(self):
                try:
                    super().handle()
                except (ConnectionResetError, BrokenPipeError):
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_for_results(page, timeout=60_000):
    """Wait until the page shows results (selectors only: the page's CSP forbids eval)."""
    page.wait_for_selector("#gg-results .gg-scheme", timeout=timeout)


def shown_total(page, scheme="zhuzhou-benchmark-workshop") -> str | None:
    node = page.query_selector(f"#gg-res-{scheme} .gg-total")
    return node.get_attribute("data-total") if node else None


def js_number(value) -> str:
    """A JSON number as JavaScript's String() writes it (92 -> "92", 91.5 -> "91.5")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# ---------------------------------------------------------------- hardening helpers
# (tests/test_accessibility.py: axe-core, damaged runtime files, share links)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def require_axe() -> Path:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` in {ROOT} (make setup does)", pytrace=False)
    return AXE


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (injected from node_modules) on the page; the violations of the given impacts.

    The page's context must allow the injected script: for the calculator (strict CSP,
    no inline script) open it in a context with ``bypass_csp=True``."""
    page.add_script_tag(path=str(require_axe()))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) {v.get('helpUrl', '')}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def site_copy(site: Path) -> Path:
    """A copy of a built site made of hard links (cheap); change files only with break_file."""
    out = _scratch("guidegen-site-copy-") / "site"
    try:
        shutil.copytree(site, out, copy_function=os.link)
    except OSError:  # another file system: real copies
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(site, out)
    return out


def break_file(copy: Path, pattern: str, how: str) -> Path:
    """Delete (how="missing") or overwrite with garbage bytes (how="damaged") the one file of
    ``copy`` matching ``pattern``, and its .gz twin. Unlinks first, so the original that a
    hard-linked copy shares stays intact. Returns the file's path."""
    import random
    found = sorted(copy.glob(pattern))
    assert len(found) == 1, (pattern, found)
    target = found[0]
    for path in (target, target.with_name(target.name + ".gz")):
        path.unlink(missing_ok=True)
    if how == "damaged":
        target.write_bytes(random.Random(target.name).randbytes(64 * 1024))
    elif how != "missing":
        raise ValueError(how)
    return target


def share_url(origin: str, profile, lang: str = "zh") -> str:
    """A share link as the calculator makes it: #p=base64url(UTF-8 JSON), no padding."""
    import base64
    text = profile if isinstance(profile, str) else json.dumps(profile, ensure_ascii=False)
    payload = base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{origin}/{'' if lang == 'zh' else lang + '/'}calculator/#p={payload}"


# ------------------------------------------------------------------ shared fixtures
# Imported by the browser test modules (each brings its own ``site`` fixture).

@pytest.fixture(scope="module")
def bundle(site):
    return site_bundle(site)


@pytest.fixture(scope="module")
def server(site):
    with StaticServer(site, calculator_csp(site)) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()
