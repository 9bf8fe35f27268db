"""deploy/nginx/guidegen.conf serves the built site as the bureau would: the calculator
works in chromium, .wasm is application/wasm, the precompressed .gz twins are what goes
over the wire, hashed files are cached for good, pages are revalidated and every response
carries the security headers.

The shipped file is a `server {}` block, as a bureau puts it in conf.d/ or sites-enabled/.
The test wraps it like a server's own nginx.conf does (`http { include mime.types; ...
include guidegen.conf; }`), changing only the lines marked BUREAU (listen on 127.0.0.1 and
a free port) and the root; prefix, logs and pid in tmp, `daemon off;` in a subprocess."""

import contextlib
import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from test_calculator_support import ROOT, built_site, launch, require_chromium, require_node_modules, wait_for_results

pytestmark = [pytest.mark.slow, pytest.mark.nginx]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = ROOT / "deploy" / "nginx" / "guidegen.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sub(pattern, repl, text):
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, f"{NGINX_CONF.relative_to(ROOT)}: expected a line matching {pattern!r}"
    return new


def derived_config(source: str, *, tmp, site, port) -> str:
    """A whole nginx.conf around the shipped server block: the block's BUREAU lines set to
    127.0.0.1:PORT, its root to ``site``; written to TMP/guidegen.conf and included."""
    block = _sub(r"^(\s*)listen\s+[^;]+;(.*# BUREAU)", rf"\1listen 127.0.0.1:{port};\2", source)
    block = _sub(r"^(\s*)server_name\s+[^;]+;(.*# BUREAU)", r"\1server_name localhost;\2", block)
    block = _sub(r"^(\s*)root\s+/srv/guidegen/current;", rf"\1root {site};", block)
    (Path(tmp) / "guidegen.conf").write_text(block, encoding="utf-8")
    temp = "".join(f"    {k}_temp_path {tmp}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # Debian's mime.types, as the stock nginx.conf includes it (the block sets .wasm/.mjs itself).
    mime = f"    include {MIME_TYPES};\n" if MIME_TYPES.is_file() else ""
    return ("daemon off;\n" + ("user root;\n" if os.geteuid() == 0 else "")
            + f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n"
            + "events { worker_connections 256; }\n"
            + "http {\n" + mime + "    default_type application/octet-stream;\n" + temp
            + f"    access_log {tmp}/access.log;\n    include {tmp}/guidegen.conf;\n}}\n")


@contextlib.contextmanager
def running_nginx(site, tmp: Path):
    """nginx with the shipped block on 127.0.0.1 (a free port) serving ``site``; yields the server."""
    if not os.path.exists(NGINX):
        pytest.fail("nginx is not installed: apt-get install nginx-light (make test does)", pytrace=False)
    tmp.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(derived_config(NGINX_CONF.read_text(encoding="utf-8"), tmp=tmp, site=site, port=port),
                    encoding="utf-8")
    args = [NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")]
    check = subprocess.run(args + ["-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (tmp / "error.log").read_text() if (tmp / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start: {proc.stdout.read().decode()} {log}", pytrace=False)
                time.sleep(0.1)
        yield {"host": "127.0.0.1", "port": port, "origin": f"http://127.0.0.1:{port}", "tmp": tmp}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    return built_site()


@pytest.fixture(scope="module")
def nginx(site, tmp_path_factory):
    with running_nginx(site, tmp_path_factory.mktemp("nginx")) as server:
        yield server


def get(server, path, gzip=False):
    conn = http.client.HTTPConnection(server["host"], server["port"], timeout=30)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gzip else {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def test_calculator_works_behind_nginx(nginx, site):
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch(pw)
        context = browser.new_context()
        finished = []
        context.on("requestfinished", lambda r: finished.append(r))
        page = context.new_page()
        t0 = time.monotonic()
        response = page.goto(f"{nginx['origin']}/calculator/")
        wait_for_results(page)
        cold = time.monotonic() - t0
        assert "wasm-unsafe-eval" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-cache"
        sizes = [(r.url, r.sizes()["responseBodySize"]) for r in finished]
        transfer = sum(s for _, s in sizes)
        assert all(u.startswith(nginx["origin"] + "/") for u, _ in sizes)
        t1 = time.monotonic()
        page.reload()
        wait_for_results(page)
        warm = time.monotonic() - t1
        print(f"\ncalculator via nginx: first result {cold:.2f}s cold, {warm:.2f}s on reload; "
              f"{len(sizes)} requests, {transfer / 1e6:.2f} MB transferred")
        assert page.locator("#gg-results .gg-scheme").count() >= 7
        browser.close()


def test_wasm_and_module_types(nginx, site):
    wasm = next(site.glob("calculator/pyodide-*/pyodide.asm.wasm"))
    path = "/" + wasm.relative_to(site).as_posix()
    resp, body = get(nginx, path)
    assert resp.getheader("Content-Type") == "application/wasm"
    assert resp.getheader("Content-Encoding") is None and body == wasm.read_bytes()
    resp, _ = get(nginx, path.replace("pyodide.asm.wasm", "pyodide.asm.mjs"))
    assert resp.getheader("Content-Type").startswith("text/javascript")


def test_precompressed_twins_are_served(nginx, site):
    twins = sorted(site.glob("calculator/**/*.gz"))
    assert len(twins) >= 8
    for gz in twins:
        path = "/" + gz.relative_to(site).as_posix()[: -len(".gz")]
        resp, body = get(nginx, path, gzip=True)
        assert resp.status == 200, path
        assert resp.getheader("Content-Encoding") == "gzip", path
        assert body == gz.read_bytes(), f"{path}: not the precompressed file"
        assert "immutable" in resp.getheader("Cache-Control"), path
        assert resp.getheader("Vary") == "Accept-Encoding", path


def test_cache_headers(nginx, site):
    resp, _ = get(nginx, "/calculator/")
    assert resp.getheader("Cache-Control") == "no-cache"
    assert "script-src 'self' 'wasm-unsafe-eval'" in resp.getheader("Content-Security-Policy")
    resp, _ = get(nginx, "/en/calculator/")
    assert resp.getheader("Cache-Control") == "no-cache" and resp.getheader("Content-Security-Policy")
    app = next(site.glob("calculator/app.*.js"))
    resp, _ = get(nginx, "/calculator/" + app.name)
    assert resp.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    # The service worker (offline after one visit): revalidated, so a new build's is seen at once.
    resp, body = get(nginx, "/sw.js")
    assert resp.status == 200 and resp.getheader("Cache-Control") == "no-cache"
    assert resp.getheader("Content-Type").split(";")[0] in ("application/javascript", "text/javascript")
    assert b"// @version" in body
    resp, _ = get(nginx, "/")
    assert resp.status == 200 and resp.getheader("Cache-Control") == "no-cache"
    # Material's pages carry inline scripts: their policy allows those, still only this origin.
    csp = resp.getheader("Content-Security-Policy")
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "http" not in csp


def test_block_is_for_conf_d_with_the_bureau_lines_marked():
    text = NGINX_CONF.read_text(encoding="utf-8")
    directives = [ln.split("#", 1)[0].strip() for ln in text.splitlines()]
    # a server block (and the maps it reads), never a whole nginx.conf
    assert not any(d.startswith(("http ", "http{", "events", "user ", "pid ", "worker_processes")) for d in directives)
    assert sum(d.startswith("server {") for d in directives) == 1
    assert re.search(r"(?m)^\s*listen\s+[^;]+;.*# BUREAU", text)
    assert re.search(r"(?m)^\s*server_name\s+[^;]+;.*# BUREAU", text)


def test_security_headers_on_every_kind_of_response(nginx, site):
    app = next(site.glob("calculator/app.*.js"))
    for path in ("/", "/en/", "/calculator/", "/en/calculator/", "/calculator/" + app.name, "/no-such-page/"):
        resp, _ = get(nginx, path)
        assert resp.getheader("X-Content-Type-Options") == "nosniff", path
        assert resp.getheader("Referrer-Policy") == "no-referrer", path
        csp = resp.getheader("Content-Security-Policy")
        assert "frame-ancestors 'self'" in csp and "'wasm-unsafe-eval'" in csp, path
    resp, _ = get(nginx, "/no-such-page/")
    assert resp.status == 404
