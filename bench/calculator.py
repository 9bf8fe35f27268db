"""Calculator benchmark: time to first result against the Pyodide floor, form
readiness, re-evaluation latency, bytes on the wire; in one run.

    python3 bench/calculator.py          # prints the JSON
    python3 bench/run.py calculator      # the same, merged into bench/results.json

How (all in one run; figures are medians, percentiles and ratios of that run, never
assertions):

- The real site is built (``guidegen site OUT/site``, or ``--site DIR`` built before) and served by nginx with
  ``deploy/nginx/guidegen.conf`` (derived exactly as tests/test_calculator_nginx.py does:
  gzip_static, the CSP header, the cache headers) on 127.0.0.1. Without nginx the
  threaded python http.server of the tests serves it (no compression) and the bytes
  figures are left out.
- Browser: Debian chromium, headless, launched like the tests (Playwright for
  Python, tests/test_calculator_support.CHROMIUM_ARGS).
- Time to first result: navigation start → the first full result rendered, the
  page's own stamp ``window.guidegen.timings.firstResult`` (set right after the
  results are drawn). Every visitor has a fresh browser profile on disk
  (``launch_persistent_context``): a first visit; the browser closes (after the
  calculator stored its memory snapshot and DWELL_S more, for Chromium's WebAssembly
  code cache) and starts again on the same profile for the returning visit. The floor
  is bench/floor.html, copied into SITE/calculator/floor/ (same CSP, same origin),
  which only imports pyodide.mjs and calls loadPyodide() from Pyodide as the npm package
  ships it (bench copies it into SITE/calculator/pyodide-stock-VERSION.HASH/ with gzip twins),
  on the main thread; with ?worker=1 the same in a module worker (bench/floor-worker.js),
  which is how the calculator runs it. A fifth visitor runs the same worker page on the
  calculator's own Pyodide folder (trimmed standard library, byte-compiled, as the
  calculator ships it): the gap to it is the calculator's own work after the boot. A fourth visitor is
  the calculator with its snapshot deleted before returning (what the snapshot
  saves). The four alternate, REPEATS rounds (the order rotates every round), after
  one unrecorded round.
- Form ready: ``timings.form`` (the form is built and listening), first visit; a separate
  probe per cold visit types into a number field as soon as it is there and checks
  that the stored profile (localStorage) holds the value.
- Re-evaluation: inside the page, EDITS round trips of ``window.guidegen.evaluate``
  (all schemes), each with one field of the example profile changed.
- Trace: the worker's steps (calculator/worker.js ``phases``; bench/floor-worker.js the same
  for bare Pyodide) put on the page's clock, side by side with bare Pyodide in a module
  worker and on the main thread: ``tables[1]``. ``tables[0]`` is the issue's table (first and
  returning visit, calculator vs bare, ratio, goal), labelled by the machine's load: "quiet"
  when the 1-minute load average was below QUIET_LOAD at the start, else "load";
  ``--stress N`` runs N busy processes during the timing rounds (a run under load on a quiet
  machine); every visit records the load average it started at. ``bench/run.py`` keeps the
  last table of each load on the Performance page.
- Bytes: nginx's access log ($body_bytes_sent) for every request of a cold visit,
  plus Playwright's list of requests (a guide page must request no runtime file); the
  calculator's up to its first result (the first download) and, apart, what its service
  worker's install downloads afterwards (the precache);
  and of a returning visit (persistent profile, after the snapshot was stored).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "src", ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from guidegen.runtime import PYODIDE_FILES, PYODIDE_SHIPPED, pyodide_dist, read_stdlib_keep  # noqa: E402
from test_calculator_support import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, StaticServer, calculator_csp, example_profile,
)

REPEATS = 5
DWELL_S = 2.0
SNAPSHOT_DIR = "guidegen-snapshot-v3"  # calculator/worker.js (a folder of the origin private file system)
EDITS = 200
WARMUP_EDITS = 10
FORM_PROBES = 3
TIMEOUT_MS = 120_000
GUIDE_PAGE = "/guides/miit-2021/"  # a scene guide (《智能制造典型场景参考指引（2021年）》)
RUNTIME_URL = re.compile(r"pyodide|\.wasm|\.whl|python_stdlib|/calculator/(catalog|worker|app)\.")
NUMBER_FIELD = '[data-path="enterprise.employees"] input'
ENTERPRISE_STEP = 'button[data-step="enterprise"]'
MB = 1e6
# A run counts as on a quiet machine when the 1-minute load average is below this at its start
# (the bench itself then keeps about one core busy); otherwise "under load".
QUIET_LOAD = 0.5

GOAL_RATIO = 1.0
GOAL_RETURN_RATIO = 0.4
GOAL_FORM_S = 0.5
GOAL_P95_MS = 30
GOAL_CALCULATOR_MB = 5.0
STOCK_PYODIDE_MB = 6.3  # the issue's figure for stock Pyodide, gzip; measured below too


# How the timings are taken, for the Performance page (bench/results.json "protocol").
PROTOCOL = {
    "zh": ("每位“访客”使用一个全新的浏览器配置目录（Playwright launch_persistent_context，Debian chromium 无头模式）："
           "首次访问后关闭浏览器，再用同一配置目录重新启动进行回访，因此回访只能利用 Chromium 保存在磁盘上的内容"
           "（HTTP 缓存、WebAssembly 代码缓存、Cache Storage），与真实回访者相同。首次访问后，计算器等待首个结果之后（空闲时）另起 Worker 生成的快照"
           "保存完毕、Service Worker 缓存好离线文件，"
           "所有被测页面再停留 2 秒。计算器、删除快照后的计算器、仅调用 loadPyodide() 的基线页面（主线程和模块 Worker）"
           "在同一次运行中轮流测量，每项 5 轮（先丢弃一轮预热），取中位数；比值为同一次运行的中位数之比。"
           "站点由 nginx 按 deploy/ 的配置在本机回环地址上提供。"),
    "en": ("Each visitor gets a fresh browser profile on disk (Playwright launch_persistent_context, headless Debian "
           "chromium): after the first visit the browser is closed and started again on the same profile for the "
           "returning visit, so only what Chromium keeps on disk helps it (HTTP cache, WebAssembly code cache, Cache "
           "Storage), as for a real returning visitor. After the first visit the calculator waits until the snapshot "
           "its second worker captures after the first result (when idle) is stored and its service worker has kept "
           "the offline files, and every subject then stays 2 s more. The calculator, the calculator with "
           "its snapshot deleted before returning, and the floor page that only calls loadPyodide() (main thread and "
           "module worker) alternate in one run, 5 rounds each after one discarded warm-up round; figures are medians "
           "and ratios are ratios of the medians of that run. nginx serves the built site on loopback with the "
           "deploy/ configuration."),
}


# --------------------------------------------------------------------------- helpers

def figure(zh: str, en: str, value, unit: str, goal=None, note: str = "") -> dict:
    """One figure (every goal here is an upper bound); a missed goal's note says by how much."""
    met = None
    if goal is not None and value is not None:
        met = bool(value <= goal)
        if not met and goal:
            miss = value - goal
            by = f"missed by {miss:.3g} {unit} ({miss / goal:.0%} over the goal)"
            note = f"{by}; {note}" if note else by
    return {"name": {"zh": zh, "en": en}, "value": value, "unit": unit, "goal": goal, "met": met, "note": note}


def median(xs):
    return round(statistics.median(xs), 3) if xs else None


def percentile(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def _version(cmd) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (proc.stdout or proc.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unavailable"


def machine_info(browser_version: str, server: str) -> dict:
    cpu = "unknown"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    _, pyodide = pyodide_dist(ROOT)
    return {"cores": os.cpu_count(), "cpu": cpu, "chromium": browser_version, "pyodide": pyodide,
            "python": platform.python_version(), "node": _version(["node", "--version"]),
            "nginx": _version([_nginx_path() or "nginx", "-v"]), "server": server}


def build_site(out: Path) -> Path:
    site = out / "site"
    if site.exists():
        shutil.rmtree(site)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "guidegen.cli", "site", str(site)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"guidegen site failed:\n{(proc.stdout + proc.stderr)[-4000:]}")
    return site


def pyodide_folder(site: Path) -> Path:
    found = sorted(p for p in (site / "calculator").glob("pyodide-*") if not p.name.startswith("pyodide-stock-"))
    assert len(found) == 1, found
    return found[0]


def install_stock_pyodide(site: Path) -> Path:
    """Pyodide exactly as the npm package ships it (its python_stdlib.zip of .py sources, its lock
    file), with gzip -9 twins as a plain deployment would serve them, in a content-hashed folder
    beside the calculator's own (so nginx caches it the same way): what bare Pyodide is."""
    import gzip
    import hashlib

    dist, version = pyodide_dist(ROOT)
    names = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
    h = hashlib.sha256()
    for name in names:
        h.update(name.encode() + b"\0" + hashlib.sha256((dist / name).read_bytes()).digest())
    folder = site / "calculator" / f"pyodide-stock-{version}.{h.hexdigest()[:10]}"
    if not folder.is_dir():
        folder.mkdir()
        for name in names:
            data = (dist / name).read_bytes()
            (folder / name).write_bytes(data)
            (folder / f"{name}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return folder


def install_floor(site: Path) -> tuple[str, str]:
    """bench/floor.html, floor.js, floor-worker.js into SITE/calculator/floor/; the URL paths (with
    ?pyodide=) of bare Pyodide as the npm package ships it, and of the same page on the calculator's
    own Pyodide folder (trimmed, byte-compiled standard library)."""
    folder = site / "calculator" / "floor"
    folder.mkdir(exist_ok=True)
    html = (ROOT / "bench" / "floor.html").read_text(encoding="utf-8")
    csp = calculator_csp(site)
    html = re.sub(r'(http-equiv="Content-Security-Policy" content=")[^"]+"', lambda m: m.group(1) + csp + '"', html)
    (folder / "index.html").write_text(html, encoding="utf-8")
    for name in ("floor.js", "floor-worker.js"):
        shutil.copyfile(ROOT / "bench" / name, folder / name)
    # The calculator does not ship Pyodide's lock file (guidegen.runtime.pyodide); a bare
    # loadPyodide() fetches it, so the own-files floor gets it beside the shipped files, with its
    # gzip twin as the build would have written it (as the previous releases shipped it).
    import gzip
    lock = (pyodide_dist(ROOT)[0] / "pyodide-lock.json").read_bytes()
    (pyodide_folder(site) / "pyodide-lock.json").write_bytes(lock)
    (pyodide_folder(site) / "pyodide-lock.json.gz").write_bytes(gzip.compress(lock, compresslevel=9, mtime=0))
    stock = install_stock_pyodide(site)
    return (f"/calculator/floor/?pyodide=../{stock.name}/", f"/calculator/floor/?pyodide=../{pyodide_folder(site).name}/")


# --------------------------------------------------------------------------- nginx

def _nginx_path() -> str | None:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.path.exists(found) else None


class Nginx:
    """deploy/nginx/guidegen.conf on 127.0.0.1 (a free port), root = the built site, as the nginx test runs it."""

    def __init__(self, site: Path, work: Path):
        from test_calculator_nginx import derived_config
        self.tmp = work / "nginx"
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        conf = self.tmp / "nginx.conf"
        conf.write_text(derived_config((ROOT / "deploy" / "nginx" / "guidegen.conf").read_text(encoding="utf-8"),
                                       tmp=self.tmp, site=site, port=self.port), encoding="utf-8")
        self.args = [_nginx_path(), "-p", str(self.tmp), "-c", str(conf), "-e", str(self.tmp / "error.log")]
        self.log = self.tmp / "access.log"
        self.proc = None

    def __enter__(self):
        check = subprocess.run(self.args + ["-t"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(check.stderr)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start")
                time.sleep(0.1)

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def log_offset(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    def served(self, offset: int, end: int | None = None) -> list[tuple[str, int, int]]:
        """(path, status, body bytes sent) of every request logged after ``offset`` (up to ``end``)."""
        time.sleep(0.3)  # let nginx finish writing the last lines
        with self.log.open("rb") as f:
            f.seek(offset)
            text = f.read(None if end is None else end - offset).decode("utf-8", "replace")
        out = []
        for m in re.finditer(r'"(?:GET|HEAD) (\S+) HTTP/[\d.]+" (\d{3}) (\d+)', text):
            out.append((m.group(1), int(m.group(2)), int(m.group(3))))
        return out


# --------------------------------------------------------------------------- browser measurements

def visit_calculator(page, url: str) -> dict:
    load = _loadavg()
    page.goto(url)
    page.wait_for_selector("#gg-results .gg-scheme", timeout=TIMEOUT_MS)
    timings = page.evaluate("window.guidegen.timings")
    info = page.evaluate("window.guidegen.ready")
    origin = page.evaluate("performance.timeOrigin")
    phases = dict(info.get("phases") or {})
    # The worker's steps on the page's clock (ms since navigation), beside the page's own.
    trace = {}
    epoch = phases.pop("epoch", None)
    if epoch is not None:
        start = epoch - origin
        trace["worker"] = round(start)
        trace.update({k: round(start + v) for k, v in phases.items()})
    trace.update({"form": timings.get("form"), "first result": timings["firstResult"]})
    return {"first_result_ms": timings["firstResult"], "form_ms": timings.get("form"),
            "ready_ms": timings.get("ready"), "worker_ms": info.get("ms"),
            "snapshot": info.get("snapshot"), "phases": phases, "trace": trace, "load": load}


def visit_floor(page, url: str) -> dict:
    load = _loadavg()
    page.goto(url)
    page.wait_for_selector("body[data-ready], body[data-error]", state="attached", timeout=TIMEOUT_MS)
    error = page.get_attribute("body", "data-error")
    if error:
        raise RuntimeError(f"floor page failed: {error}")
    ready = float(page.get_attribute("body", "data-ready"))
    trace = json.loads(page.get_attribute("body", "data-phases") or "{}")
    trace["ready"] = round(ready)
    return {"ready_ms": ready, "trace": trace, "load": load}


def stored_snapshots(page) -> list[str]:
    """The names of the calculator's stored snapshots (complete heap files; see calculator/worker.js)."""
    return page.evaluate(STORED_SNAPSHOTS)


# The page's view of the worker's OPFS folder: names of the files that begin with the heap magic.
STORED_SNAPSHOTS = """async () => {
  let dir;
  try { dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(%s); } catch { return []; }
  const out = [];
  for await (const [name, handle] of dir.entries()) {
    try {
      const head = new Uint8Array(await (await handle.getFile()).slice(0, 8).arrayBuffer());
      if (String.fromCharCode(...head) === "GGHEAP01") out.push(name);
    } catch {
      // (being written: the capture worker holds it)
    }
  }
  return out;
}""" % json.dumps(SNAPSHOT_DIR)


def settle(page, name: str) -> dict:
    """After a first visit: the calculator's background snapshot store ends, then every
    subject dwells DWELL_S more (Chromium writes its WebAssembly code cache meanwhile)."""
    out = {}
    if name.startswith("calculator"):
        t0 = time.monotonic()
        # The capture runs after the first result, once the page is idle (calculator/worker.js).
        while not stored_snapshots(page):
            if time.monotonic() - t0 > TIMEOUT_MS / 1000:
                raise RuntimeError("the calculator stored no snapshot")
            time.sleep(0.1)
        out["stored_after_s"] = round(time.monotonic() - t0, 2)
        # Offline after one visit: the service worker's install has kept the calculator's files.
        state = wait_offline(page)
        out["offline"] = state
        if name == "calculator_nosnap":
            page.evaluate(f"navigator.storage.getDirectory().then((root) => root.removeEntry({json.dumps(SNAPSHOT_DIR)}, "
                          "{recursive: true}))")
    time.sleep(DWELL_S)
    return out


def persistent(pw, profile: Path):
    ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return ctx, (ctx.pages[0] if ctx.pages else ctx.new_page())


def visitor(pw, work: Path, name: str, url: str, how) -> tuple[dict, dict]:
    """One visitor with a fresh browser profile (persistent, on disk): a first visit; the
    browser closes; it starts again on the same profile for the returning visit, so only
    what Chromium keeps on disk (HTTP cache, WebAssembly code cache, Cache Storage) helps."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    try:
        ctx, page = persistent(pw, profile)
        try:
            first = how(page, url)
            first.update(settle(page, name))
        finally:
            ctx.close()
        ctx, page = persistent(pw, profile)
        try:
            again = how(page, url)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return first, again


def timing_runs(pw, work: Path, origin: str, floor_paths: tuple[str, str]) -> dict:
    """REPEATS rounds of five visitors (the order rotates every round): the calculator; the
    calculator with its snapshot deleted before the return (what the snapshot saves); the
    floor, bare loadPyodide() of the npm package's files on the main thread; the same in a
    module worker; and loadPyodide() in a module worker from the calculator's own Pyodide folder
    (its trimmed, byte-compiled standard library: how much of the calculator's time is its own
    work after the boot). Each makes a first and a returning visit (visitor())."""
    stock, own = floor_paths
    subjects = {
        "calculator": (origin + "/calculator/", visit_calculator),
        "calculator_nosnap": (origin + "/calculator/", visit_calculator),
        "floor": (origin + stock, visit_floor),
        "floor_worker": (origin + stock + "&worker=1", visit_floor),
        "floor_own_worker": (origin + own + "&worker=1", visit_floor),
    }
    samples = {f"{name}_{kind}": [] for name in subjects for kind in ("first", "return")}

    def run(name):
        url, how = subjects[name]
        first, again = visitor(pw, work, name, url, how)
        samples[f"{name}_first"].append(first)
        samples[f"{name}_return"].append(again)

    # One throw-away round first: the first chromium start and the first WebAssembly
    # compilation of the run should not land on whichever subject goes first.
    for name in subjects:
        run(name)
    for key in samples:
        samples[key].clear()
    names = list(subjects)
    for i in range(REPEATS):
        for name in names[i % len(names):] + names[:i % len(names)]:
            run(name)
    return samples


def form_probe(browser, origin: str) -> dict:
    """Cold visit: type into a number field as soon as it exists; is the value stored?"""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(origin + "/calculator/", wait_until="commit")
    # The calculator asks in steps: the number field may sit on the enterprise step.
    page.wait_for_selector(f"{NUMBER_FIELD}, {ENTERPRISE_STEP}", state="visible", timeout=TIMEOUT_MS)
    if not page.is_visible(NUMBER_FIELD):
        page.click(ENTERPRISE_STEP)
    field = page.wait_for_selector(NUMBER_FIELD, state="visible", timeout=TIMEOUT_MS)
    field.focus()
    page.keyboard.type("123")
    typed_ms = page.evaluate("performance.now()")
    state = page.evaluate("""() => {
      const input = document.querySelector('[data-path="enterprise.employees"] input');
      const stored = JSON.parse(window.localStorage.getItem("guidegen.calculator.profile.v1") || "{}");
      return {focused: document.activeElement === input, value: input.value,
              stored: stored.enterprise ? stored.enterprise.employees : null,
              api: (window.guidegen.profile().enterprise || {}).employees ?? null,
              timings: {...window.guidegen.timings}};
    }""")
    ctx.close()
    return {"typed_ms": round(typed_ms, 1), "focused": state["focused"], "value": state["value"],
            "stored": state["stored"], "api": state["api"], "form_ms": state["timings"].get("form"),
            "engine_ready_before_typing": state["timings"].get("ready") is not None}


def _edits(base: dict, n: int) -> list[dict]:
    """n profiles, each one field away from the one before (cycling over numbers, levels, scenes)."""
    import copy
    cycle = [
        ("enterprise", "employees", [150, 650, 1200, 80, 400]),
        ("enterprise", "revenue_wan", [1500, 28000, 5200, 90000]),
        ("maturity", "level", [1, 2, 3, 4, 5]),
        ("investment_wan", "core_equipment", [600, 1200, 2500, 900]),
        ("investment_wan", "local_services", [0, 100, 350]),
        ("honors", "municipal", [0, 1, 2, 3]),
        ("achievements", "invention_patents", [0, 2, 5, 9]),
        ("rd_centers", "provincial", [0, 1, 2]),
        ("scenes", "miit-2024", [[5, 7, 10], [5, 7, 10, 14, 16, 18, 22, 25, 28, 31], [1, 2, 3, 4, 5, 6, 7, 8]]),
        (None, "research_partners", [0, 1, 3]),
    ]
    out, cur = [], copy.deepcopy(base)
    for i in range(n):
        group, key, values = cycle[i % len(cycle)]
        value = values[(i // len(cycle)) % len(values)]
        target = cur if group is None else cur.setdefault(group, {})
        if target.get(key) == value:
            value = values[((i // len(cycle)) + 1) % len(values)]
        target[key] = value
        out.append(copy.deepcopy(cur))
    return out


def reevaluation(browser, origin: str) -> dict:
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(origin + "/calculator/")
    page.wait_for_selector("#gg-results .gg-scheme", timeout=TIMEOUT_MS)
    profiles = _edits(example_profile(), WARMUP_EDITS + EDITS)
    out = page.evaluate("""async (profiles) => {
      await window.guidegen.ready;
      const ms = [];
      let schemes = 0, errors = 0, plans = 0;
      for (const p of profiles) {
        const t0 = performance.now();
        const r = await window.guidegen.evaluate(p);
        ms.push(performance.now() - t0);
        if (r.errors) errors += 1;
        else {
          schemes = r.results.length;
          plans = r.results.filter((x) => x.plan).length;
        }
      }
      return {ms, schemes, errors, plans};
    }""", profiles)
    ctx.close()
    ms = out["ms"][WARMUP_EDITS:]
    return {"ms": [round(x, 2) for x in ms], "schemes": out["schemes"], "errors": out["errors"], "plans": out["plans"],
            "p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2), "max": round(max(ms), 2)}


def wait_offline(page) -> dict | None:
    """The service worker's report once its install ended (calculator/offline.js), or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < TIMEOUT_MS / 1000:
        state = page.evaluate("window.guidegen && window.guidegen.offline ? {...window.guidegen.offline} : null")
        if state and state["state"] in ("ready", "failed", "unsupported"):
            return state
        if state is None and time.monotonic() - t0 > 15:
            return None  # a build without the service worker
        time.sleep(0.2)
    return None


def page_bytes(browser, server: Nginx, path: str, *, calculator: bool) -> dict:
    """A cold visit's bytes; for the calculator, up to the first result (the first download)
    and, apart, what the service worker's install downloaded afterwards (the precache)."""
    ctx = browser.new_context()
    urls = []
    ctx.on("request", lambda r: urls.append(r.url))
    page = ctx.new_page()
    own = []  # what the page and its workers asked for (not the service worker)
    page.on("request", lambda r: own.append(r.url))
    offset = server.log_offset()
    page.goto(server.origin + path)
    precache = None
    if calculator:
        page.wait_for_selector("#gg-results .gg-scheme", timeout=TIMEOUT_MS)
        state = wait_offline(page)
        page.wait_for_load_state("networkidle")
        # The service worker registers right after the first result (when idle), so its
        # install's requests interleave with the last of the page's in the log: a logged
        # request is the first download's when the page (or its workers) asked for that
        # path and it is the first time the path shows; the rest is the precache.
        mine = {u.split("://", 1)[-1].split("/", 1)[-1].split("?")[0] for u in own}
        first, later, seen = [], [], set()
        for line in server.served(offset):
            key = line[0].lstrip("/").split("?")[0]
            (first if key in mine and key not in seen else later).append(line)
            seen.add(key)
        precache = {"requests": len(later), "bytes": sum(b for _, _, b in later), "state": state,
                    "by_file": sorted(((p, b) for p, _, b in later), key=lambda x: -x[1])}
        out = _bytes_figures(server, offset, urls, lines=first)
        out["precache"] = precache
    else:
        page.wait_for_load_state("networkidle")
        out = _bytes_figures(server, offset, urls)
    ctx.close()
    return out


def _bytes_figures(server: Nginx, offset: int, urls: list[str], lines=None) -> dict:
    served = server.served(offset) if lines is None else lines
    total = sum(b for _, _, b in served)
    runtime = [u for u in urls if RUNTIME_URL.search(u)]
    pyodide = sum(b for p, _, b in served if "/pyodide-" in p)
    foreign = [u for u in urls if not (u.startswith(server.origin + "/") or u.startswith("blob:") or u.startswith("data:"))]
    return {"requests": len(served), "bytes": total, "pyodide_bytes": pyodide, "runtime_requests": runtime,
            "other_origins": foreign, "statuses": sorted({st for _, st, _ in served}),
            "by_file": sorted(((p, b) for p, _, b in served), key=lambda x: -x[1])}


def returning_bytes(pw, server: Nginx, work: Path) -> dict:
    """What a returning visitor downloads (after the first visit stored the snapshot): the
    snapshot is made in the browser, never fetched; hashed files come from the HTTP cache."""
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    try:
        ctx, page = persistent(pw, profile)
        first_urls = []
        ctx.on("request", lambda r: first_urls.append(r.url))
        visit_calculator(page, server.origin + "/calculator/")
        settle(page, "calculator")
        ctx.close()
        ctx, page = persistent(pw, profile)
        urls = []
        ctx.on("request", lambda r: urls.append(r.url))
        offset = server.log_offset()
        info = visit_calculator(page, server.origin + "/calculator/")
        page.wait_for_load_state("networkidle")
        ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = _bytes_figures(server, offset, urls)
    out["snapshot"] = info["snapshot"]
    out["new_urls"] = sorted(set(urls) - set(first_urls))
    return out


# --------------------------------------------------------------------------- files

def gz_size(path: Path) -> int:
    twin = path.with_name(path.name + ".gz")
    return twin.stat().st_size if twin.exists() else path.stat().st_size


def stdlib_figures(site: Path) -> dict:
    import gzip
    dist, _ = pyodide_dist(ROOT)
    version, keep = read_stdlib_keep()
    stock = (dist / "python_stdlib.zip").read_bytes()
    shipped = pyodide_folder(site) / "python_stdlib.zip"
    with zipfile.ZipFile(dist / "python_stdlib.zip") as z:
        stock_files = [n for n in z.namelist() if not n.endswith("/")]
    stock_gz = len(gzip.compress(stock, compresslevel=9, mtime=0))
    stock_wire = min(len(stock), stock_gz)  # the build keeps a twin only if it saves ≥ 10 %
    pyodide_stock = sum(min((dist / n).stat().st_size, len(gzip.compress((dist / n).read_bytes(), 9, mtime=0)))
                        for n in PYODIDE_FILES)
    pyodide_shipped = sum(gz_size(pyodide_folder(site) / n) for n in PYODIDE_SHIPPED)
    return {"keep_files": len(keep), "stock_files": len(stock_files), "measured_with": version,
            "stock_bytes": stock_wire, "shipped_bytes": gz_size(shipped), "saved_bytes": stock_wire - gz_size(shipped),
            "pyodide_stock_bytes": pyodide_stock, "pyodide_shipped_bytes": pyodide_shipped}


def wasm_compression(site: Path) -> dict:
    """What pyodide.asm.wasm weighs with each encoding (the site serves its twin: Zopfli, one iteration)."""
    import gzip

    wasm = pyodide_folder(site) / "pyodide.asm.wasm"
    data = wasm.read_bytes()
    out = {"raw": len(data), "gzip9_twin": gz_size(wasm), "gzip9": len(gzip.compress(data, compresslevel=9, mtime=0))}
    script = ("const z=require('zlib'),fs=require('fs');const d=fs.readFileSync(process.argv[1]);"
              "process.stdout.write(String(z.brotliCompressSync(d,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,"
              "[z.constants.BROTLI_PARAM_LGWIN]:24,[z.constants.BROTLI_PARAM_SIZE_HINT]:d.length}}).length))")
    try:
        proc = subprocess.run(["node", "-e", script, str(wasm)], capture_output=True, text=True, timeout=120)
        out["brotli11"] = int(proc.stdout) if proc.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        out["brotli11"] = None
    if shutil.which("zstd"):
        proc = subprocess.run(["zstd", "-19", "-q", "-c", str(wasm)], capture_output=True, timeout=300)
        out["zstd19"] = len(proc.stdout) if proc.returncode == 0 else None
    try:
        import zopfli.gzip  # optional (pip install zopfli): gzip-compatible, smaller, slow
        out["zopfli"] = len(zopfli.gzip.compress(data, numiterations=5))
    except ImportError:
        out["zopfli"] = None
    return out


# --------------------------------------------------------------------------- run

def _phases(samples: list[dict]) -> str:
    """Median milliseconds (since the worker's start began) at which each start-up step ended."""
    keys = []
    for s in samples:
        keys += [k for k in (s.get("phases") or {}) if k not in keys]
    return ", ".join(f"{k} {median([s['phases'][k] for s in samples if k in (s.get('phases') or {})]):.0f}" for k in keys)


def figures(samples, probes, reeval, calc_bytes, guide_bytes, back_bytes, stdlib, wasm) -> list[dict]:
    """The figures from the raw measurements of one run."""
    fig = []
    secs = lambda key, field: [x[field] / 1000 for x in samples[key]]  # noqa: E731
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    ratios = lambda a, b: runs([x / y for x, y in zip(a, b)])  # noqa: E731
    c1, c2 = secs("calculator_first", "first_result_ms"), secs("calculator_return", "first_result_ms")
    n2 = secs("calculator_nosnap_return", "first_result_ms")
    f1, f2 = secs("floor_first", "ready_ms"), secs("floor_return", "ready_ms")
    w1, w2 = secs("floor_worker_first", "ready_ms"), secs("floor_worker_return", "ready_ms")
    restored = [s["snapshot"] for s in samples["calculator_return"]]
    made = [s["snapshot"] for s in samples["calculator_first"]]
    started1 = median([a - b for a, b in zip(secs("calculator_first", "ready_ms"), secs("calculator_first", "worker_ms"))])
    started2 = median([a - b for a, b in zip(secs("calculator_return", "ready_ms"), secs("calculator_return", "worker_ms"))])

    fig.append(figure("回访：计算器首个结果", "returning visit: calculator, first result", median(c2), "s",
                      note=f"navigation start → first full result drawn (timings.firstResult), started from the "
                           f"memory snapshot ({restored.count('restored')} of {len(restored)} visits restored one); "
                           f"median of {REPEATS}: {runs(c2)} s. Worker steps, ms since its start (median): "
                           f"{_phases(samples['calculator_return'])}; the worker starts {started2:.2f} s after navigation"))
    fig.append(figure("回访：Pyodide 基线 loadPyodide()", "returning visit: Pyodide floor, bare loadPyodide()",
                      median(f2), "s", note=f"bench/floor.html on the main thread, Pyodide as the npm package ships it, same CSP, same protocol; "
                                        f"median of {REPEATS}: {runs(f2)} s; in a module worker: {median(w2):.2f} s "
                                        f"({runs(w2)})"))
    fig.append(figure("回访：首个结果 ÷ Pyodide 基线", "returning visit: first result ÷ Pyodide floor",
                      round(median(c2) / median(f2), 3), "ratio", GOAL_RETURN_RATIO,
                      note=f"ratio of medians; per-round {ratios(c2, f2)}; against the floor in a module worker "
                           f"{median(c2) / median(w2):.2f}"))
    fig.append(figure("回访：不用快照时的首个结果", "returning visit without the snapshot: first result", median(n2), "s",
                      note=f"the same visitor with the snapshot deleted before returning (HTTP and WebAssembly code "
                           f"caches kept): what the snapshot saves; ÷ floor {median(n2) / median(f2):.2f}; median of "
                           f"{REPEATS}: {runs(n2)} s; worker steps (median ms): {_phases(samples['calculator_nosnap_return'])}"))
    fig.append(figure("首次访问：计算器首个结果", "first visit: calculator, first result", median(c1), "s",
                      note=f"empty browser profile; the snapshot is captured after the first result when idle, by a second "
                           f"worker ({made.count('later')} of {len(made)} visits scheduled one; stored after the first result in "
                           f"{median([s['stored_after_s'] for s in samples['calculator_first']]):.2f} s, median); "
                           f"median of {REPEATS}: {runs(c1)} s; worker steps (median ms): "
                           f"{_phases(samples['calculator_first'])}; the worker starts {started1:.2f} s after navigation"))
    fig.append(figure("首次访问：Pyodide 基线", "first visit: Pyodide floor", median(f1), "s",
                      note=f"main thread, median of {REPEATS}: {runs(f1)} s; module worker {median(w1):.2f} s ({runs(w1)})"))
    fig.append(figure("首次访问：首个结果 ÷ Pyodide 基线", "first visit: first result ÷ Pyodide floor",
                      round(median(c1) / median(f1), 3), "ratio", GOAL_RATIO,
                      note=f"ratio of medians; per-round {ratios(c1, f1)}; against the floor in a module worker "
                           f"{median(c1) / median(w1):.2f}"))

    form = [s["form_ms"] / 1000 for s in samples["calculator_first"]]
    ok = all(p["focused"] and p["value"] == "123" and p["stored"] == 123 and p["api"] == 123 for p in probes)
    fig.append(figure("表单可输入（首次访问）", "form accepts input, first visit", median(form), "s", GOAL_FORM_S,
                      note=f"timings.form, median of {REPEATS}; on the returning visit "
                           f"{median([s['form_ms'] / 1000 for s in samples['calculator_return']]):.2f} s; typing probe ({FORM_PROBES} cold visits): "
                           f"typed at {runs([p['typed_ms'] / 1000 for p in probes])} s, "
                           f"{'value stored every time' if ok else 'VALUE NOT STORED: ' + json.dumps(probes)}, "
                           f"engine not yet ready in {sum(not p['engine_ready_before_typing'] for p in probes)} of them"))

    fig.append(figure("修改一项后重新计算 p50（全部方案）", "re-evaluation after one edit, p50 (all schemes)",
                      reeval["p50"], "ms", note=f"{EDITS} edits (after {WARMUP_EDITS} unmeasured), round trip of "
                                                f"window.guidegen.evaluate, {reeval['schemes']} schemes each, "
                                                f"{reeval['plans']} of them with a plan (engine issue #11); "
                                                f"{reeval['errors']} answered with errors"))
    fig.append(figure("修改一项后重新计算 p95（全部方案）", "re-evaluation after one edit, p95 (all schemes)",
                      reeval["p95"], "ms", GOAL_P95_MS, note=f"max {reeval['max']} ms"))

    if calc_bytes:
        top = ", ".join(f"{p.rsplit('/', 1)[-1]} {b / 1e3:.0f} kB" for p, b in calc_bytes["by_file"][:4])
        fig.append(figure("计算器页面传输量（gzip，冷缓存）", "calculator page: bytes transferred (gzip, cold)",
                          round(calc_bytes["bytes"] / MB, 3), "MB", GOAL_CALCULATOR_MB,
                          note=f"{calc_bytes['requests']} requests, response bodies as nginx sent them; "
                               f"Pyodide {calc_bytes['pyodide_bytes'] / MB:.2f} MB; largest: {top}"))
        pre = calc_bytes.get("precache") or {}
        state = pre.get("state") or {}
        fig.append(figure("离线缓存（首个结果之后，空闲时）", "offline precache (after the first result, when idle)",
                          round(pre.get("bytes", 0) / MB, 3), "MB",
                          note=f"the service worker's install, counted apart from the first download: "
                               f"{pre.get('requests', 0)} requests reached nginx "
                               f"({', '.join(p.rsplit('/', 1)[-1] for p, _ in pre.get('by_file', [])[:4]) or 'none'}); "
                               f"the worker reports {state.get('files')} files kept, {state.get('bytes')} bytes "
                               f"downloaded by its install (state {state.get('state')})"))
        new = [u.rsplit("/", 1)[-1] for u in back_bytes["new_urls"]]
        fig.append(figure("回访：计算器页面传输量", "returning visit: calculator page, bytes transferred",
                          round(back_bytes["bytes"] / MB, 3), "MB",
                          note=f"{back_bytes['requests']} requests reached nginx (statuses {back_bytes['statuses']}), "
                               f"the rest came from the HTTP cache; started from the snapshot: "
                               f"{back_bytes['snapshot']}; requests the first visit did not make: "
                               f"{', '.join(new) or 'none'} (the snapshot is made in the browser, never downloaded)"))
        fig.append(figure("指南页面传输量（gzip，冷缓存）", "guide page: bytes transferred (gzip, cold)",
                          round(guide_bytes["bytes"] / MB, 3), "MB",
                          note=f"{GUIDE_PAGE}, {guide_bytes['requests']} requests"))
        fig.append(figure("指南页面请求的运行时文件", "guide page: runtime files requested (Pyodide, wasm, wheel)",
                          len(guide_bytes["runtime_requests"]), "requests", 0,
                          note=", ".join(guide_bytes["runtime_requests"]) or "none"))
    fig.append(figure("Pyodide 运行时（gzip，按发布）", "Pyodide runtime as shipped (gzip)",
                      round(stdlib["pyodide_shipped_bytes"] / MB, 3), "MB",
                      note=f"stock Pyodide {stdlib['pyodide_stock_bytes'] / MB:.2f} MB gzip "
                           f"(issue: ≈ {STOCK_PYODIDE_MB} MB)"))
    fig.append(figure("精简后的标准库（python_stdlib.zip）", "trimmed standard library (python_stdlib.zip)",
                      round(stdlib["shipped_bytes"] / MB, 3), "MB",
                      note=f"keep-list {stdlib['keep_files']} of {stdlib['stock_files']} files "
                           f"(src/guidegen/runtime/stdlib_keep.txt, measured with pyodide {stdlib['measured_with']}); "
                           f"stock {stdlib['stock_bytes'] / MB:.2f} MB, saves {stdlib['saved_bytes'] / MB:.2f} MB"))
    alt = {k: v for k, v in wasm.items() if k not in ("raw", "gzip9_twin") and v}
    fig.append(figure("pyodide.asm.wasm（Zopfli 预压缩的 gzip）", "pyodide.asm.wasm as served (gzip twin made by Zopfli)",
                      round(wasm["gzip9_twin"] / MB, 3), "MB",
                      note=f"raw {wasm['raw'] / MB:.2f} MB; alternatives: "
                           + ", ".join(f"{k} {v / MB:.2f} MB ({(v - wasm['gzip9_twin']) / wasm['gzip9_twin']:+.0%})"
                                       for k, v in alt.items())
                           + ("" if wasm.get("zopfli") else "; zopfli (gzip-compatible) not measured: pip install zopfli")
                           + ". deploy/nginx/guidegen.conf sends the gzip twin (Zopfli, one iteration, guidegen.runtime.build); "
                             "zopfli above is 5 iterations; brotli would need .br twins and Debian's "
                             "libnginx-mod-http-brotli-static (nginx-light has no brotli), and browsers ask for br "
                             "or zstd only over HTTPS"))
    return fig


# The side-by-side trace: (key in the visit's trace, zh, en), in the order the steps end.
TRACE_STEPS = (
    ("worker", "Worker 开始运行", "worker running"),
    ("pyodide.mjs", "pyodide.mjs 已导入", "pyodide.mjs imported"),
    ("lookup", "查找快照", "snapshot looked up"),
    ("unpacked", "快照已读取", "snapshot read"),
    ("instantiated", "WebAssembly 已实例化（回访：取自代码缓存）", "WebAssembly instantiated (returning: from the code cache)"),
    ("restored", "由快照恢复 Python", "Python restored from the snapshot"),
    ("booted", "Python 已启动（loadPyodide 完成）", "Python booted (loadPyodide resolved)"),
    ("wheel", "引擎 wheel 就位", "engine wheel in place"),
    # First visit: the engine imported (its modules compiled) and the bundle parsed; returning
    # visit: the engine's self-check (the snapshot holds the imported engine and the parsed bundle).
    ("engine", "引擎已导入、数据包已解析", "engine imported, bundle parsed"),
    ("form", "表单可输入", "form accepts input"),
    ("ready", "就绪（页面收到）", "ready (page told)"),
    ("first result", "首个结果已显示", "first result drawn"),
)


def _cell(ms) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f}"


def trace_table(samples: dict) -> dict:
    """Median seconds since navigation at which each step ended: calculator and bare Pyodide
    (in a module worker, as the calculator runs it; and on the main thread), first and returning visit."""
    cols = [("calculator_first", "计算器·首次", "calculator, first"), ("floor_worker_first", "基线(Worker)·首次", "bare (worker), first"),
            ("floor_first", "基线(主线程)·首次", "bare (main thread), first"),
            ("floor_own_worker_first", "基线(计算器自带文件, Worker)·首次", "bare on the calculator's files (worker), first"),
            ("calculator_return", "计算器·回访", "calculator, returning"), ("floor_worker_return", "基线(Worker)·回访", "bare (worker), returning"),
            ("floor_return", "基线(主线程)·回访", "bare (main thread), returning")]
    rows = []
    for key, zh, en in TRACE_STEPS:
        cells = []
        for col, _, _ in cols:
            xs = [v["trace"][key] for v in samples.get(col, []) if v.get("trace", {}).get(key) is not None]
            cells.append(_cell(statistics.median(xs)) if xs else "—")
        if any(c != "—" for c in cells):
            rows.append([{"zh": zh, "en": en}, *cells])
    return {"title": {"zh": "逐阶段耗时（导航开始后秒数，中位数）", "en": "Per-phase trace (seconds since navigation, medians)"},
            "caption": {"zh": "计算器与仅调用 loadPyodide() 的基线页面在同一次运行中轮流测量；每格为该步骤结束的时刻。"
                              "两列之差即计算器在该步骤前多花（或节省）的时间。",
                        "en": "The calculator and the bare loadPyodide() page alternate in one run; each cell is when "
                              "that step ended. The difference between columns is what the calculator spends (or saves) "
                              "up to that step."},
            "columns": [{"zh": "步骤", "en": "step"}] + [{"zh": zh, "en": en} for _, zh, en in cols],
            "rows": rows}


def issue_table(samples: dict, load: dict) -> dict:
    """The issue's table: first and returning visit, calculator vs bare Pyodide (main thread), ratio, goal."""
    rows = []
    for kind, zh, en, goal in (("first", "首次访问", "first visit", GOAL_RATIO),
                               ("return", "回访", "returning visit", GOAL_RETURN_RATIO)):
        c = median([x["first_result_ms"] / 1000 for x in samples[f"calculator_{kind}"]])
        f = median([x["ready_ms"] / 1000 for x in samples[f"floor_{kind}"]])
        w = median([x["ready_ms"] / 1000 for x in samples[f"floor_worker_{kind}"]])
        o = median([x["ready_ms"] / 1000 for x in samples.get(f"floor_own_worker_{kind}") or []]) \
            if samples.get(f"floor_own_worker_{kind}") else None
        rows.append([{"zh": zh, "en": en}, f"{c:.2f} s", f"{f:.2f} s", f"{c / f:.2f}", f"{c / w:.2f}",
                     f"{c / o:.2f} ({o:.2f} s)" if o else "—", f"≤ {goal}"])
    where = load["class"]
    return {"title": {"zh": f"首个结果与 Pyodide 基线（{ 'machine quiet' if where == 'quiet' else 'under load' }）".replace(
                          "machine quiet", "机器空闲").replace("under load", "机器有负载"),
                      "en": f"First result against bare Pyodide ({'quiet machine' if where == 'quiet' else 'under load'})"},
            "caption": {"zh": f"中位数；1 分钟平均负载：开始时 {load['start']}，各次访问时 {load['visits']}"
                              f"（中位数 {load['visits_median']}）；{load['cores']} 个核心。",
                        "en": f"Medians; 1-minute load average: {load['start']} at the start, {load['visits']} "
                              f"(median {load['visits_median']}) during the visits; {load['cores']} cores."},
            "columns": [{"zh": "", "en": ""}, {"zh": "计算器", "en": "calculator"}, {"zh": "基线 loadPyodide()", "en": "bare Pyodide"},
                        {"zh": "比值", "en": "ratio"}, {"zh": "比值（基线在 Worker 中）", "en": "ratio (bare in a worker)"},
                        {"zh": "比值（基线用计算器自带的 Pyodide 文件，Worker 中）",
                         "en": "ratio (bare on the calculator's own Pyodide files, in a worker)"},
                        {"zh": "目标", "en": "goal"}],
            "rows": rows, "load": where}


def markdown(table: dict, lang: str = "en") -> str:
    pick = lambda v: v[lang] if isinstance(v, dict) else str(v)  # noqa: E731
    head = "| " + " | ".join(pick(c) for c in table["columns"]) + " |"
    lines = [f"{pick(table['title'])}", "", head, "|" + "---|" * len(table["columns"])]
    lines += ["| " + " | ".join(pick(c) for c in row) + " |" for row in table["rows"]]
    return "\n".join(lines)


class Stress:
    """--stress N: N busy processes during the timing rounds (an "under load" run on a quiet
    machine). Each stops by itself after max_s seconds; all are ended when the rounds end."""

    def __init__(self, n: int, max_s: int = 1800):
        self.n, self.max_s, self.procs = n, max_s, []

    def __enter__(self):
        code = f"import time\nt=time.monotonic()\nwhile time.monotonic()-t<{self.max_s}: pass"
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(self.n)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def run(out_dir: Path, *, site: Path | None = None, stress: int = 0, rounds: int | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    global REPEATS
    if rounds:
        REPEATS = rounds
    started = time.monotonic()
    start_load = _loadavg()
    out_dir = Path(out_dir) / "calculator"
    out_dir.mkdir(parents=True, exist_ok=True)
    if site is None:
        site = build_site(out_dir)
    floor_paths = install_floor(site)
    use_nginx = _nginx_path() is not None
    server_ctx = Nginx(site, out_dir) if use_nginx else StaticServer(site, calculator_csp(site))
    server_name = ("nginx with deploy/nginx/guidegen.conf (gzip_static), 127.0.0.1" if use_nginx
                   else "python ThreadingHTTPServer (tests/test_calculator_support.StaticServer), 127.0.0.1, no compression")
    load = [_loadavg()]
    with server_ctx as server, sync_playwright() as pw:
        if stress:
            with Stress(stress):
                samples = timing_runs(pw, out_dir, server.origin, floor_paths)
        else:
            samples = timing_runs(pw, out_dir, server.origin, floor_paths)
        load.append(_loadavg())
        back_bytes = returning_bytes(pw, server, out_dir) if use_nginx else None
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            version = browser.version
            probes = [form_probe(browser, server.origin) for _ in range(FORM_PROBES)]
            reeval = reevaluation(browser, server.origin)
            if use_nginx:
                calc_bytes = page_bytes(browser, server, "/calculator/", calculator=True)
                guide_bytes = page_bytes(browser, server, GUIDE_PAGE, calculator=False)
            else:
                calc_bytes = guide_bytes = None
        finally:
            browser.close()
    load.append(_loadavg())
    stdlib = stdlib_figures(site)
    wasm = wasm_compression(site)
    fig = figures(samples, probes, reeval, calc_bytes, guide_bytes, back_bytes, stdlib, wasm)
    machine = machine_info(version, server_name)
    machine["load"] = ("1-minute load average at the start, after the timing rounds and at the end: "
                       + " / ".join(load) + f" (on {os.cpu_count()} cores, shared)")
    visit_loads = sorted(float(v["load"]) for vs in samples.values() for v in vs if v.get("load") not in (None, "unknown"))
    # Quiet: nothing but this bench on the machine when it began (the bench itself loads a core).
    load_info = {"start": start_load, "cores": os.cpu_count(), "stress": stress,
                 "visits": f"{visit_loads[0]:.2f}–{visit_loads[-1]:.2f}" if visit_loads else "unknown",
                 "visits_median": f"{statistics.median(visit_loads):.2f}" if visit_loads else "unknown",
                 "class": "quiet" if not stress and _float(start_load) < QUIET_LOAD else "load"}
    tables = [issue_table(samples, load_info), trace_table(samples)]
    return {
        "tables": tables,
        "load": load_info,
        "figures": fig,
        "protocol": protocol_text(load),
        "machine": machine,
        "samples": {
            "timing": samples, "form_probes": probes,
            "reevaluation_ms": reeval["ms"],
            "calculator_bytes": calc_bytes, "guide_bytes": guide_bytes, "returning_bytes": back_bytes,
            "stdlib": stdlib, "wasm_bytes": wasm,
        },
        "seconds": round(time.monotonic() - started, 1),
    }


def protocol_text(load: list[str]) -> dict:
    """PROTOCOL with this run's machine load (the machine is shared: timings are noisy)."""
    seq = " / ".join(load)
    return {"zh": PROTOCOL["zh"] + f"本次运行时机器的 1 分钟平均负载（开始 / 计时轮次结束 / 结束）：{seq}，共 {os.cpu_count()} 个核心，与他人共用。",
            "en": PROTOCOL["en"] + f" The machine's 1-minute load average during this run (start / after the timing "
                                   f"rounds / end): {seq}, on {os.cpu_count()} shared cores."}


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except (OSError, IndexError):
        return "unknown"


def main(argv: list[str]) -> int:
    import argparse
    p = argparse.ArgumentParser(description="calculator benchmark (see the module's docstring)")
    p.add_argument("--site", type=Path, help="a site already built (default: mkdocs build into bench/out)")
    p.add_argument("--stress", type=int, default=0, help="N busy processes during the timing rounds (a run under load)")
    p.add_argument("--rounds", type=int, help=f"timing rounds (default {REPEATS})")
    args = p.parse_args(argv)
    out = run(ROOT / "bench" / "out", site=args.site, stress=args.stress, rounds=args.rounds)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    for table in out["tables"]:
        print("\n" + markdown(table), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
