"""Offline after one visit: the site's service worker (calculator/sw.js, written to the
site's root as sw.js by the build) in Debian's chromium, on the real site.

- the first visit registers it only after its first result; it keeps the calculator's
  files and pages, and reports the bytes it downloaded apart from the first download;
- a second visit with the network off (emulated off, and the server stopped) draws the
  result from the kept files, restored from the memory snapshot; the other language's
  calculator page too; a damaged snapshot still falls back silently;
- a new build replaces the old cache whole: build A, visit, build B (switched in like
  deploy/release.sh does), visit: one cache, and every file in it is B's;
- a guide page registers nothing and requests no runtime file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from test_calculator_support import (  # noqa: F401 - browser is a fixture
    ROOT, StaticServer, browser, built_site, calculator_csp, require_chromium, require_node_modules, wait_for_results,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TIMEOUT_MS = 120_000
OFFLINE_PREFIX = "guidegen-offline-"
RUNTIME_URL = re.compile(r"pyodide|\.wasm|\.whl|python_stdlib|/calculator/(catalog|worker|app|place-index)[.-]|sw\.js")
GUIDE_PAGE = "/guides/miit-2021/"

CACHED = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    if (!name.startsWith("%s")) continue;
    const cache = await caches.open(name);
    out[name] = (await cache.keys()).map((r) => r.url);
  }
  return out;
}""" % OFFLINE_PREFIX

# The bytes of every entry of one cache, as base64 (for a byte comparison with the build's files).
CACHED_BYTES = """async (name) => {
  const cache = await caches.open(name);
  const out = {};
  for (const r of await cache.keys()) {
    const bytes = new Uint8Array(await (await cache.match(r)).arrayBuffer());
    let bin = "";
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    out[r.url] = btoa(bin);
  }
  return out;
}"""

# The stored snapshot's pages replaced by garbage (its header kept): the restore fails.
DAMAGE_SNAPSHOT = """async () => {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("guidegen-snapshot-v3");
  const [[, handle]] = await Array.fromAsync(dir.entries());
  const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
  const pages = 12 + new DataView(bytes.buffer).getUint32(8, true);
  const body = new Uint8Array(pages + 4096).fill(7);
  body.set(bytes.subarray(0, pages));
  const writable = await handle.createWritable();
  await writable.write(body);
  await writable.close();
}"""


class SwitchableServer(StaticServer):
    """The site over loopback, with the deployed cache policy, from a folder that can be
    switched to another build (a symlink swapped in one rename, as deploy/release.sh switches
    /srv/guidegen/current); stoppable."""

    def __init__(self, tmp: Path, site: Path, csp: str):
        self.current = tmp / "current"
        self.switch(site)
        super().__init__(self.current, csp, deploy_cache=True)
        self.start()

    def switch(self, site: Path) -> None:
        tmp_link = self.current.with_name("current.new")
        if tmp_link.is_symlink():
            tmp_link.unlink()
        os.symlink(site, tmp_link)
        os.replace(tmp_link, self.current)


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


def wait_offline_ready(page, version=None) -> dict:
    """Poll the page's window.guidegen.offline until the service worker reports ready."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        state = page.evaluate("window.guidegen && window.guidegen.offline ? {...window.guidegen.offline} : null")
        if state and state["state"] == "ready" and (version is None or state["version"] == version):
            return state
        assert not state or state["state"] not in ("failed", "unsupported"), state
        assert time.monotonic() < deadline, f"the service worker never reported ready: {state}"
        page.wait_for_timeout(200)


def wait_snapshot_stored(page) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while page.evaluate("window.guidegen.timings.snapshot") != "stored":
        assert time.monotonic() < deadline, "the first visit stored no snapshot"
        page.wait_for_timeout(200)


def sw_version(site: Path) -> str:
    return re.search(r'const VERSION = "([0-9a-f]+)"; // @version', (site / "sw.js").read_text(encoding="utf-8")).group(1)


def precache_list(site: Path) -> list[str]:
    return json.loads(re.search(r"const PRECACHE = (\[.*\]); // @precache", (site / "sw.js").read_text(encoding="utf-8")).group(1))


def test_the_build_writes_a_versioned_service_worker_listing_the_calculator(site):
    files = precache_list(site)
    assert "calculator/" in files and "en/calculator/" in files
    names = {f.rsplit("/", 1)[-1] for f in files}
    for name in ("pyodide.asm.wasm", "python_stdlib.zip", "pyodide.mjs", "pyodide.asm.mjs"):
        assert name in names
    for prefix in ("worker.", "app.", "guidegen-", "catalog-main.", "catalog-regions.", "place-index."):
        assert any(n.startswith(prefix) for n in names), prefix
    assert all((site / f).is_file() or (site / f / "index.html").is_file() for f in files)
    assert re.fullmatch(r"[0-9a-f]{10}", sw_version(site))


def test_a_second_visit_works_with_the_network_off(browser, site, tmp_path):
    server = SwitchableServer(tmp_path, site, calculator_csp(site))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server.origin}/calculator/")
        # No service worker before the first result: the first visit's download is the calculator's own.
        wait_for_results(page, timeout=TIMEOUT_MS)
        state = wait_offline_ready(page)
        assert state["version"] == sw_version(site) and state["files"] == len(precache_list(site))
        # What the install fetched past the HTTP cache (its resource timing), reported apart.
        assert isinstance(state["bytes"], int) and state["bytes"] >= 0
        wait_snapshot_stored(page)
        page.goto(f"{server.origin}{GUIDE_PAGE}")  # a guide page read online is kept too
        assert page.title()

        server.stop()
        context.set_offline(True)
        for path in ("/calculator/", "/en/calculator/"):
            page.goto(f"{server.origin}{path}")
            wait_for_results(page, timeout=TIMEOUT_MS)
            ready = page.evaluate("window.guidegen.ready")
            assert ready["snapshot"] == "restored", ready
            assert not page.query_selector(".gg-status--failed")
        page.goto(f"{server.origin}{GUIDE_PAGE}")
        assert page.title()

        # Offline, a damaged snapshot still falls back silently to a normal start.
        page.goto(f"{server.origin}/calculator/")
        wait_for_results(page, timeout=TIMEOUT_MS)
        page.evaluate(DAMAGE_SNAPSHOT)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.reload()
        wait_for_results(page, timeout=TIMEOUT_MS)
        ready = page.evaluate("window.guidegen.ready")
        assert ready["snapshot"] == "fallback", ready
        assert not page.query_selector(".gg-status--failed") and not errors
    finally:
        context.close()
        server.stop()


def build_b(site_a: Path, tmp: Path) -> Path:
    """Build B: build A with a changed catalog (its version) and changed calculator sources
    (a comment in the worker and the page module), rebuilt by the calculator's own builder."""
    from guidegen.site.calculator import build_calculator_assets

    site_b = tmp / "b"
    shutil.copytree(site_a, site_b, symlinks=True)
    root = tmp / "root-b"
    root.mkdir()
    for name in ("src", "node_modules", "pyproject.toml", "package.json"):
        os.symlink(ROOT / name, root / name)
    shutil.copytree(ROOT / "calculator", root / "calculator")
    for name in ("worker.js", "app.js"):
        with open(root / "calculator" / name, "a", encoding="utf-8") as fh:
            fh.write("\n// build B\n")
    bundle = json.loads(next(p for p in (site_a / "calculator").glob("catalog.*.json")).read_text(encoding="utf-8"))
    bundle["version"] = "build-b-" + bundle["version"]
    build_calculator_assets(bundle, site_b, root=root)
    return site_b


def test_a_new_build_replaces_the_old_cache_and_never_mixes(browser, site, tmp_path):
    site_b = build_b(site, tmp_path)
    version_a, version_b = sw_version(site), sw_version(site_b)
    assert version_a != version_b
    server = SwitchableServer(tmp_path, site, calculator_csp(site))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{server.origin}/calculator/")
        wait_for_results(page, timeout=TIMEOUT_MS)
        wait_offline_ready(page, version_a)
        assert list(page.evaluate(CACHED)) == [OFFLINE_PREFIX + version_a]

        server.switch(site_b)
        page.goto(f"{server.origin}/calculator/")
        wait_for_results(page, timeout=TIMEOUT_MS)
        wait_offline_ready(page, version_b)
        assets = page.evaluate("window.guidegen.assets")
        assert (site_b / "calculator" / assets["worker"]).is_file() and not (site / "calculator" / assets["worker"]).exists()
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while list(page.evaluate(CACHED)) != [OFFLINE_PREFIX + version_b]:
            assert time.monotonic() < deadline, page.evaluate(CACHED)
            page.wait_for_timeout(200)
        # Every file kept is B's, byte for byte; everything B's calculator needs is there.
        import base64
        kept = page.evaluate(CACHED_BYTES, OFFLINE_PREFIX + version_b)
        for url, data in kept.items():
            path = url[len(server.origin) + 1:]
            path = path + "index.html" if path.endswith("/") or not path else path
            assert (site_b / path).read_bytes() == base64.b64decode(data), f"{url} is not build B's"
        wanted = {f"{server.origin}/{f}" for f in precache_list(site_b)}
        assert wanted <= set(kept), sorted(wanted - set(kept))[:5]

        # And B works offline.
        server.stop()
        context.set_offline(True)
        page.goto(f"{server.origin}/calculator/")
        wait_for_results(page, timeout=TIMEOUT_MS)
        assert page.evaluate("window.guidegen.assets")["worker"] == assets["worker"]
    finally:
        context.close()
        server.stop()


def test_a_guide_page_registers_nothing_and_requests_no_runtime_file(browser, site, tmp_path):
    server = SwitchableServer(tmp_path, site, calculator_csp(site))
    context = browser.new_context()
    try:
        urls = []
        page = context.new_page()
        page.on("request", lambda r: urls.append(r.url))
        page.goto(f"{server.origin}{GUIDE_PAGE}")
        page.wait_for_load_state("networkidle")
        assert not [u for u in urls if RUNTIME_URL.search(u)], urls
        assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    finally:
        context.close()
        server.stop()
