"""Calculator benchmark: time to first result against the Pyodide floor, form
readiness, re-evaluation latency, bytes on the wire; in one run.

    python3 bench/calculator.py          # prints the JSON
    python3 bench/run.py calculator      # the same, merged into bench/results.json

How (all in one run; figures are medians, percentiles and ratios of that run, never
assertions):

- The real site is built (``mkdocs build -d OUT/site``) and served by nginx with
  ``deploy/nginx/guidegen.conf`` (derived exactly as tests/test_calculator_nginx.py does:
  gzip_static, the CSP header, the cache headers) on 127.0.0.1. Without nginx the
  threaded python http.server of the tests serves it (no compression) and the bytes
  figures are left out.
- Browser: Debian chromium, headless, launched like the tests (Playwright for
  Python, tests/test_calculator_support.CHROMIUM_ARGS).
- Time to first result: navigation start → the first full result rendered, the
  page's own stamp ``window.guidegen.timings.firstResult`` (set right after the
  results are drawn). Cold = a fresh browser context (its own empty HTTP cache);
  warm = a second visit in the same context. The floor is bench/floor.html, copied
  into SITE/calculator/floor/ (same CSP, same origin), which only imports
  pyodide.mjs and calls loadPyodide() from the calculator's own pyodide folder, on
  the main thread; with ?worker=1 the same in a module worker (bench/floor-worker.js),
  which is how the calculator runs it. Calculator, floor and worker floor alternate,
  REPEATS times each (the order rotates every round), after one unrecorded round.
- Form ready: ``timings.form`` (the form is built and listening), cold; a separate
  probe per cold visit types into a number field as soon as it is there and checks
  that the stored profile (localStorage) holds the value.
- Re-evaluation: inside the page, EDITS round trips of ``window.guidegen.evaluate``
  (all schemes), each with one field of the example profile changed.
- Bytes: nginx's access log ($body_bytes_sent) for every request of a cold visit,
  plus Playwright's list of requests (a guide page must request no runtime file).
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
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT / "src", ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from guidegen.site.calculator import PYODIDE_FILES, pyodide_dist, read_stdlib_keep  # noqa: E402
from test_calculator_support import (  # noqa: E402
    CHROMIUM, CHROMIUM_ARGS, StaticServer, calculator_csp, example_profile,
)

REPEATS = 5
EDITS = 200
WARMUP_EDITS = 10
FORM_PROBES = 3
TIMEOUT_MS = 120_000
GUIDE_PAGE = "/guides/miit-2021/"  # a scene guide (《智能制造典型场景参考指引（2021年）》)
RUNTIME_URL = re.compile(r"pyodide|\.wasm|\.whl|python_stdlib|/calculator/(catalog|worker|app)\.")
NUMBER_FIELD = '[data-path="enterprise.employees"] input'
MB = 1e6

GOAL_RATIO = 1.15
GOAL_FORM_S = 0.5
GOAL_P95_MS = 30
GOAL_CALCULATOR_MB = 5.0
STOCK_PYODIDE_MB = 6.3  # the figure for stock Pyodide, gzip; measured below too


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
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{(proc.stdout + proc.stderr)[-4000:]}")
    return site


def pyodide_folder(site: Path) -> Path:
    found = sorted((site / "calculator").glob("pyodide-*"))
    assert len(found) == 1, found
    return found[0]


def install_floor(site: Path) -> str:
    """bench/floor.html, floor.js, floor-worker.js into SITE/calculator/floor/; its URL path (with ?pyodide=)."""
    folder = site / "calculator" / "floor"
    folder.mkdir(exist_ok=True)
    html = (ROOT / "bench" / "floor.html").read_text(encoding="utf-8")
    csp = calculator_csp(site)
    html = re.sub(r'(http-equiv="Content-Security-Policy" content=")[^"]+"', lambda m: m.group(1) + csp + '"', html)
    (folder / "index.html").write_text(html, encoding="utf-8")
    for name in ("floor.js", "floor-worker.js"):
        shutil.copyfile(ROOT / "bench" / name, folder / name)
    return f"/calculator/floor/?pyodide=../{pyodide_folder(site).name}/"


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

    def served(self, offset: int) -> list[tuple[str, int, int]]:
        """(path, status, body bytes sent) of every request logged after ``offset``."""
        time.sleep(0.3)  # let nginx finish writing the last lines
        with self.log.open("rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
        out = []
        for m in re.finditer(r'"(?:GET|HEAD) (\S+) HTTP/[\d.]+" (\d{3}) (\d+)', text):
            out.append((m.group(1), int(m.group(2)), int(m.group(3))))
        return out


# --------------------------------------------------------------------------- browser measurements

def visit_calculator(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector("#gg-results .gg-scheme", timeout=TIMEOUT_MS)
    timings = page.evaluate("window.guidegen.timings")
    info = page.evaluate("window.guidegen.ready")
    return {"first_result_ms": timings["firstResult"], "form_ms": timings.get("form"),
            "ready_ms": timings.get("ready"), "worker_ms": info.get("ms")}


def visit_floor(page, url: str) -> dict:
    page.goto(url)
    page.wait_for_selector("body[data-ready], body[data-error]", state="attached", timeout=TIMEOUT_MS)
    error = page.get_attribute("body", "data-error")
    if error:
        raise RuntimeError(f"floor page failed: {error}")
    return {"ready_ms": float(page.get_attribute("body", "data-ready"))}


def timing_runs(browser, origin: str, floor_path: str) -> dict:
    """REPEATS rounds of: calculator, floor on the main thread, floor in a module worker
    (the order rotates every round); each a cold visit in a fresh context, then a warm one."""
    subjects = {
        "calculator": (origin + "/calculator/", visit_calculator),
        "floor": (origin + floor_path, visit_floor),
        "floor_worker": (origin + floor_path + "&worker=1", visit_floor),
    }
    samples = {f"{name}_{kind}": [] for name in subjects for kind in ("cold", "warm")}

    def visit(name):
        url, how = subjects[name]
        ctx = browser.new_context()
        page = ctx.new_page()
        samples[f"{name}_cold"].append(how(page, url))
        samples[f"{name}_warm"].append(how(page, url))
        ctx.close()

    # One throw-away round first: chromium's own start-up (its first renderer and
    # first WebAssembly compilation) should not land on whichever page goes first.
    for name in subjects:
        visit(name)
    for key in samples:
        samples[key].clear()
    names = list(subjects)
    for i in range(REPEATS):
        for name in names[i % 3:] + names[:i % 3]:
            visit(name)
    return samples


def form_probe(browser, origin: str) -> dict:
    """Cold visit: type into a number field as soon as it exists; is the value stored?"""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(origin + "/calculator/", wait_until="commit")
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
      let schemes = 0, errors = 0;
      for (const p of profiles) {
        const t0 = performance.now();
        const r = await window.guidegen.evaluate(p);
        ms.push(performance.now() - t0);
        if (r.errors) errors += 1; else schemes = r.results.length;
      }
      return {ms, schemes, errors};
    }""", profiles)
    ctx.close()
    ms = out["ms"][WARMUP_EDITS:]
    return {"ms": [round(x, 2) for x in ms], "schemes": out["schemes"], "errors": out["errors"],
            "p50": round(percentile(ms, 50), 2), "p95": round(percentile(ms, 95), 2), "max": round(max(ms), 2)}


def page_bytes(browser, server: Nginx, path: str, *, calculator: bool) -> dict:
    ctx = browser.new_context()
    urls = []
    ctx.on("request", lambda r: urls.append(r.url))
    page = ctx.new_page()
    offset = server.log_offset()
    page.goto(server.origin + path)
    if calculator:
        page.wait_for_selector("#gg-results .gg-scheme", timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    ctx.close()
    served = server.served(offset)
    total = sum(b for _, _, b in served)
    runtime = [u for u in urls if RUNTIME_URL.search(u)]
    pyodide = sum(b for p, _, b in served if "/pyodide-" in p)
    foreign = [u for u in urls if not (u.startswith(server.origin + "/") or u.startswith("blob:") or u.startswith("data:"))]
    return {"requests": len(served), "bytes": total, "pyodide_bytes": pyodide, "runtime_requests": runtime,
            "other_origins": foreign, "by_file": sorted(((p, b) for p, _, b in served), key=lambda x: -x[1])}


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
    pyodide_shipped = sum(gz_size(pyodide_folder(site) / n) for n in PYODIDE_FILES)
    return {"keep_files": len(keep), "stock_files": len(stock_files), "measured_with": version,
            "stock_bytes": stock_wire, "shipped_bytes": gz_size(shipped), "saved_bytes": stock_wire - gz_size(shipped),
            "pyodide_stock_bytes": pyodide_stock, "pyodide_shipped_bytes": pyodide_shipped}


def wasm_compression(site: Path) -> dict:
    """What pyodide.asm.wasm weighs with each encoding (the site serves the gzip -9 twin)."""
    wasm = pyodide_folder(site) / "pyodide.asm.wasm"
    data = wasm.read_bytes()
    out = {"raw": len(data), "gzip9_twin": gz_size(wasm)}
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

def figures(samples, probes, reeval, calc_bytes, guide_bytes, stdlib, wasm) -> list[dict]:
    """The figures from the raw measurements of one run."""
    fig = []
    secs = lambda key, field: [x[field] / 1000 for x in samples[key]]  # noqa: E731
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    cc, cw = secs("calculator_cold", "first_result_ms"), secs("calculator_warm", "first_result_ms")
    fc, fw = secs("floor_cold", "ready_ms"), secs("floor_warm", "ready_ms")
    wc, ww = secs("floor_worker_cold", "ready_ms"), secs("floor_worker_warm", "ready_ms")
    started = median([a - b for a, b in zip(secs("calculator_cold", "ready_ms"), secs("calculator_cold", "worker_ms"))])
    fig.append(figure("计算器首个结果（冷缓存）", "calculator: first result, cold cache", median(cc), "s",
                      note=f"navigation start → first full result drawn (timings.firstResult); engine ready at "
                           f"{median(secs('calculator_cold', 'ready_ms')):.2f} s; median of {REPEATS}: {runs(cc)} s"))
    fig.append(figure("Pyodide 基线：仅 loadPyodide()（冷缓存）", "Pyodide floor: loadPyodide() only, cold cache",
                      median(fc), "s", note=f"bench/floor.html on the main thread, same files and CSP; "
                                        f"median of {REPEATS}: {runs(fc)} s"))
    fig.append(figure("首个结果 ÷ Pyodide 基线（冷缓存）", "first result ÷ Pyodide floor, cold cache",
                      round(median(cc) / median(fc), 3), "ratio", GOAL_RATIO,
                      note=f"ratio of medians; per-round ratios {runs([a / b for a, b in zip(cc, fc)])}; "
                           f"where the difference goes (medians): the worker starts Pyodide {started:.2f} s after "
                           f"navigation (page modules, form, worker script), its start-up to engine ready "
                           f"(Pyodide, wheel, engine import, bundle, warm-up) takes {median(secs('calculator_cold', 'worker_ms')):.2f} s, "
                           f"then {median([a - b for a, b in zip(cc, secs('calculator_cold', 'ready_ms'))]) * 1000:.0f} ms to the drawn result"))
    fig.append(figure("计算器首个结果（热缓存，同一上下文第二次访问）", "calculator: first result, warm cache (second visit)",
                      median(cw), "s", note=f"median of {REPEATS}: {runs(cw)} s"))
    fig.append(figure("Pyodide 基线（热缓存）", "Pyodide floor, warm cache", median(fw), "s",
                      note=f"median of {REPEATS}: {runs(fw)} s"))
    fig.append(figure("首个结果 ÷ Pyodide 基线（热缓存）", "first result ÷ Pyodide floor, warm cache",
                      round(median(cw) / median(fw), 3), "ratio", GOAL_RATIO,
                      note=f"ratio of medians; the same loadPyodide() in a module worker (as the calculator "
                           f"runs it): {median(ww):.2f} s warm, calculator ÷ that = {median(cw) / median(ww):.2f}"))
    fig.append(figure("Pyodide 基线在 Web Worker 中（冷 / 热缓存）", "Pyodide floor in a module worker, cold / warm",
                      median(wc), "s",
                      note=f"cold {runs(wc)} s; warm {runs(ww)} s (median {median(ww):.2f}); "
                           f"calculator ÷ worker floor: cold {median(cc) / median(wc):.2f}, warm {median(cw) / median(ww):.2f}"))

    form = [s["form_ms"] / 1000 for s in samples["calculator_cold"]]
    ok = all(p["focused"] and p["value"] == "123" and p["stored"] == 123 and p["api"] == 123 for p in probes)
    fig.append(figure("表单可输入（冷缓存）", "form accepts input, cold cache", median(form), "s", GOAL_FORM_S,
                      note=f"timings.form, median of {REPEATS}; typing probe ({FORM_PROBES} cold visits): "
                           f"typed at {runs([p['typed_ms'] / 1000 for p in probes])} s, "
                           f"{'value stored every time' if ok else 'VALUE NOT STORED: ' + json.dumps(probes)}, "
                           f"engine not yet ready in {sum(not p['engine_ready_before_typing'] for p in probes)} of them"))

    fig.append(figure("修改一项后重新计算 p50（全部方案）", "re-evaluation after one edit, p50 (all schemes)",
                      reeval["p50"], "ms", note=f"{EDITS} edits (after {WARMUP_EDITS} unmeasured), round trip of "
                                                f"window.guidegen.evaluate, {reeval['schemes']} schemes each; "
                                                f"{reeval['errors']} answered with errors"))
    fig.append(figure("修改一项后重新计算 p95（全部方案）", "re-evaluation after one edit, p95 (all schemes)",
                      reeval["p95"], "ms", GOAL_P95_MS, note=f"max {reeval['max']} ms"))

    if calc_bytes:
        top = ", ".join(f"{p.rsplit('/', 1)[-1]} {b / 1e3:.0f} kB" for p, b in calc_bytes["by_file"][:4])
        fig.append(figure("计算器页面传输量（gzip，冷缓存）", "calculator page: bytes transferred (gzip, cold)",
                          round(calc_bytes["bytes"] / MB, 3), "MB", GOAL_CALCULATOR_MB,
                          note=f"{calc_bytes['requests']} requests, response bodies as nginx sent them; "
                               f"Pyodide {calc_bytes['pyodide_bytes'] / MB:.2f} MB; largest: {top}"))
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
                           f"(src/guidegen/site/stdlib_keep.txt, measured with pyodide {stdlib['measured_with']}); "
                           f"stock {stdlib['stock_bytes'] / MB:.2f} MB, saves {stdlib['saved_bytes'] / MB:.2f} MB"))
    alt = {k: v for k, v in wasm.items() if k not in ("raw", "gzip9_twin") and v}
    fig.append(figure("pyodide.asm.wasm（gzip -9 预压缩）", "pyodide.asm.wasm as served (gzip -9 twin)",
                      round(wasm["gzip9_twin"] / MB, 3), "MB",
                      note=f"raw {wasm['raw'] / MB:.2f} MB; alternatives: "
                           + ", ".join(f"{k} {v / MB:.2f} MB ({(v - wasm['gzip9_twin']) / wasm['gzip9_twin']:+.0%})"
                                       for k, v in alt.items())
                           + ("" if wasm.get("zopfli") else "; zopfli (gzip-compatible) not measured: pip install zopfli")
                           + ". deploy/nginx/guidegen.conf sends the gzip -9 twin; brotli would need .br twins and Debian's "
                             "libnginx-mod-http-brotli-static (nginx-light has no brotli), and browsers ask for br "
                             "or zstd only over HTTPS"))
    return fig


def run(out_dir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    out_dir = Path(out_dir) / "calculator"
    out_dir.mkdir(parents=True, exist_ok=True)
    site = build_site(out_dir)
    floor_path = install_floor(site)
    use_nginx = _nginx_path() is not None
    server_ctx = Nginx(site, out_dir) if use_nginx else StaticServer(site, calculator_csp(site))
    server_name = ("nginx with deploy/nginx/guidegen.conf (gzip_static), 127.0.0.1" if use_nginx
                   else "python ThreadingHTTPServer (tests/test_calculator_support.StaticServer), 127.0.0.1, no compression")
    with server_ctx as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            version = browser.version
            samples = timing_runs(browser, server.origin, floor_path)
            probes = [form_probe(browser, server.origin) for _ in range(FORM_PROBES)]
            reeval = reevaluation(browser, server.origin)
            if use_nginx:
                calc_bytes = page_bytes(browser, server, "/calculator/", calculator=True)
                guide_bytes = page_bytes(browser, server, GUIDE_PAGE, calculator=False)
            else:
                calc_bytes = guide_bytes = None
        finally:
            browser.close()
    stdlib = stdlib_figures(site)
    wasm = wasm_compression(site)
    fig = figures(samples, probes, reeval, calc_bytes, guide_bytes, stdlib, wasm)
    return {
        "figures": fig,
        "machine": machine_info(version, server_name),
        "samples": {
            "timing": samples, "form_probes": probes,
            "reevaluation_ms": reeval["ms"],
            "calculator_bytes": calc_bytes, "guide_bytes": guide_bytes,
            "stdlib": stdlib, "wasm_bytes": wasm,
        },
        "seconds": round(time.monotonic() - started, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(ROOT / "bench" / "out"), ensure_ascii=False, indent=2))
