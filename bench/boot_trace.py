"""Where the calculator's first visit spends its time up to the first result, against bare
loadPyodide(), side by side in one run (docs-dev/perf-first-visit.md). One command:

    .venv/bin/python bench/boot_trace.py [--site DIR] [--rounds 5] [--only a,b] [--node]

Serves a built site (default bench/out/calculator/site, as bench/calculator.py builds it)
with nginx and deploy/nginx/guidegen.conf (bench/calculator.py's Nginx), and adds, inside
that site's output folder only (never the sources):

- traced copies of the built worker (bench/boot_prelude.js prepended: WebAssembly calls
  and the worker's resource timing, broadcast when ready; plus phase marks inside
  loadEngine: bundle received, `import guidegen.core` done, glue run + bundle parsed):
  ``worker-asis`` (as built), ``worker-nopf`` (without its parallel prefetch of
  pyodide.asm.wasm / python_stdlib.zip / pyodide.asm.mjs);
- a Pyodide folder whose python_stdlib.zip and an engine wheel whose modules are
  byte-compiled inside Pyodide itself (bench/boot_node.mjs compile: py_compile,
  UNCHECKED_HASH, sourceless .pyc), with gzip twins, under hashed-looking names so nginx
  sends the same cache headers;
- the calculator page with its app module pointing at those (``/calculator/lab/page-*/``),
  and a lab page without the calculator's UI (``/calculator/lab/``, bench/boot_lab.js):
  the engine worker alone (bundle fetched and posted as bundle.js does), or bare
  loadPyodide() in a module worker (bench/floor-worker.js, traced).

Every visit is a first visit: a fresh persistent browser profile (as bench/calculator.py),
subjects alternate, the order rotates each round, one unrecorded warm-up round. Per visit:
ms since navigation of each step, the worker's fetches (resource timing), WebAssembly
compile/instantiate, main-thread long tasks, the 1-minute load, and nginx's log (how many
times each runtime file was sent). Prints a JSON document and a markdown table of medians.
--node also runs bench/boot_node.mjs (Pyodide under Node: boot split, -X importtime,
engine import .py vs .pyc), 5 alternating runs.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
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
BENCH = ROOT / "bench"
_spec = importlib.util.spec_from_file_location("bench_calculator", BENCH / "calculator.py")
bc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bc)

TIMEOUT_MS = 120_000
LAB_HASH = "0000000000"  # hashed-looking names: nginx sends the immutable cache headers


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _gz(path: Path) -> None:
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def _assets(app_text: str) -> dict:
    m = re.search(r"^const ASSETS = (\{.*\}); // @assets$", app_text, re.M)
    return json.loads(m.group(1))


def _traced_worker(text: str, *, prefetch: bool) -> str:
    prelude = (BENCH / "boot_prelude.js").read_text(encoding="utf-8")
    old = "  const bundle = await bundleMessage;\n"
    assert text.count(old) == 1
    text = text.replace(old, old + '  mark("bundle_in");\n  py.runPython("import json\\nimport guidegen.core");\n  mark("imported");\n')
    old = "  py.runPython(ENGINE_PY);\n"
    assert text.count(old) == 1
    text = text.replace(old, old + '  mark("glue");\n')
    if not prefetch:
        loop = re.search(r"  for \(const name of \[\"pyodide\.asm\.wasm\".*?\n  \}\n", text, re.S)
        assert loop, "prefetch loop not found in worker.js"
        text = text[:loop.start()] + text[loop.end():]
    return prelude + "\n" + text


def prepare(site: Path, work: Path) -> dict:
    """Write the lab files into SITE/calculator (output folder only); return what the subjects need."""
    calc = site / "calculator"
    app = next(calc.glob("app.*.js"))
    app_text = app.read_text(encoding="utf-8")
    assets = _assets(app_text)
    worker_text = (calc / assets["worker"]).read_text(encoding="utf-8")
    names = {}
    for key, prefetch in (("asis", True), ("nopf", False)):
        name = f"worker-{key}.{LAB_HASH}.js"
        (calc / name).write_text(_traced_worker(worker_text, prefetch=prefetch), encoding="utf-8")
        names[f"worker-{key}"] = name
    # bare loadPyodide() in a module worker, traced
    (calc / f"floorw.{LAB_HASH}.js").write_text((BENCH / "boot_prelude.js").read_text(encoding="utf-8") + "\n"
                                                 + (BENCH / "floor-worker.js").read_text(encoding="utf-8"), encoding="utf-8")
    # precompiled stdlib and wheel (compiled inside Pyodide, node_modules/pyodide)
    src_py = calc / assets["pyodide"]
    # outside calculator/ (bench/calculator.py expects one pyodide-* folder there), same cache headers
    pyc_dir = site / "labpyc" / "calculator" / f"pyodide-pyc.{LAB_HASH}"
    pyc_dir.mkdir(parents=True, exist_ok=True)
    pyc_rel = f"../labpyc/calculator/{pyc_dir.name}/"
    for f in src_py.iterdir():
        if f.name.startswith("python_stdlib.zip"):
            continue
        shutil.copyfile(f, pyc_dir / f.name)
    stdlib_pyc = work / "stdlib-sourceless.zip"
    wheel_pyc = work / "wheel-sourceless.whl"
    node = ["node", str(BENCH / "boot_node.mjs"), "compile", "--pyodide", str(ROOT / "node_modules" / "pyodide")]
    if not stdlib_pyc.exists():
        subprocess.run(node + ["--in", str(src_py / "python_stdlib.zip"), "--out", str(stdlib_pyc), "--sourceless"], check=True)
    if not wheel_pyc.exists():
        subprocess.run(node + ["--in", str(calc / assets["wheel"]), "--out", str(wheel_pyc), "--sourceless",
                               "--prefix", "/lib/python3.14/site-packages/"], check=True)
    shutil.copyfile(stdlib_pyc, pyc_dir / "python_stdlib.zip")
    _gz(pyc_dir / "python_stdlib.zip")
    wname = f"guidegen-pyc.{LAB_HASH}.whl"
    shutil.copyfile(wheel_pyc, calc / wname)
    _gz(calc / wname)
    sizes = {"stdlib_py_gz": (src_py / "python_stdlib.zip.gz").stat().st_size,
             "stdlib_pyc_gz": (pyc_dir / "python_stdlib.zip.gz").stat().st_size,
             "wheel_py_gz": (calc / (assets["wheel"] + ".gz")).stat().st_size,
             "wheel_pyc_gz": (calc / (wname + ".gz")).stat().st_size}

    # calculator page variants: the real page, its app module pointing at a traced worker (and the pyc files)
    index = (calc / "index.html").read_text(encoding="utf-8")
    files_pyc = dict(assets["files"])
    for key in ("python_stdlib.zip", assets["wheel"]):
        files_pyc.pop(key, None)
    variants = {
        "asis": {"worker": names["worker-asis"]},
        "nopf": {"worker": names["worker-nopf"]},
        "pyc": {"worker": names["worker-nopf"], "pyodide": pyc_rel, "wheel": wname, "files": files_pyc},
        "asispyc": {"worker": names["worker-asis"], "pyodide": pyc_rel, "wheel": wname, "files": files_pyc},
    }
    lab = calc / "lab"
    lab.mkdir(exist_ok=True)
    for key, change in variants.items():
        a = dict(assets, **change)
        text = re.sub(r"^const ASSETS = \{.*\}; // @assets$", lambda m: f"const ASSETS = {json.dumps(a)}; // @assets",
                      app_text, count=1, flags=re.M)
        aname = f"app-{key}.{LAB_HASH}.js"
        (calc / aname).write_text(text, encoding="utf-8")
        page = lab / f"page-{key}"
        page.mkdir(exist_ok=True)
        html = index.replace(app.name, aname).replace('href="../', 'href="../../../').replace('src="../', 'src="../../../')
        (page / "index.html").write_text(html, encoding="utf-8")
    # the lab page (no UI)
    bundle_js = next(calc.glob("bundle.*.js")).name
    profile = json.dumps(json.dumps(bc.example_profile()))
    js = ((BENCH / "boot_lab.js").read_text(encoding="utf-8").replace("__BUNDLE_JS__", bundle_js)
          .replace("__ASSETS__", json.dumps(assets)).replace("__PROFILE__", profile))
    (lab / "lab.js").write_text(js, encoding="utf-8")
    csp = bc.calculator_csp(site)
    (lab / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<title>boot lab</title><script type="module" src="lab.js"></script></head><body><p>lab</p></body></html>',
        encoding="utf-8")
    pyc_q = f"&pyodide={pyc_rel}&wheel={wname}"
    subjects = {
        "floor_worker": ("lab", f"/calculator/lab/?kind=floor&w=floorw.{LAB_HASH}.js"),
        "floor_worker_pyc": ("lab", f"/calculator/lab/?kind=floor&w=floorw.{LAB_HASH}.js&pyodide={pyc_rel}"),
        "lab_asis": ("lab", f"/calculator/lab/?w={names['worker-asis']}"),
        "lab_nopf": ("lab", f"/calculator/lab/?w={names['worker-nopf']}"),
        "lab_pyc": ("lab", f"/calculator/lab/?w={names['worker-nopf']}{pyc_q}"),
        "lab_asis_pyc": ("lab", f"/calculator/lab/?w={names['worker-asis']}{pyc_q}"),
        "page_asis": ("page", "/calculator/lab/page-asis/"),
        "page_nopf": ("page", "/calculator/lab/page-nopf/"),
        "page_pyc": ("page", "/calculator/lab/page-pyc/"),
        "page_asis_pyc": ("page", "/calculator/lab/page-asispyc/"),
    }
    return {"subjects": subjects, "sizes": sizes, "assets": assets}


INIT = """
window.__ggTrace = null;
window.__ggLong = [];
try {
  new BroadcastChannel("gg-lab-trace").onmessage = (e) => { window.__ggTrace = e.data; };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__ggLong.push([Math.round(e.startTime), Math.round(e.duration)]); })
    .observe({ type: "longtask", buffered: true });
} catch (e) {}
"""


def _on_page_clock(trace: dict, origin: float) -> dict:
    """The worker's trace shifted onto the page's clock (ms since navigation)."""
    if not trace:
        return {}
    shift = trace["timeOrigin"] - origin
    res = {}
    for r in trace["resources"]:
        key = r["name"].split("?")[0]
        for pat, short in ((r"^pyodide\.asm\.wasm", "wasm"), (r"^python_stdlib\.zip", "stdlib"), (r"^pyodide\.asm\.mjs", "asm.mjs"),
                           (r"^pyodide\.mjs", "pyodide.mjs"), (r"\.whl$", "wheel"), (r"^catalog-regions", "regions")):
            if re.search(pat, key):
                res.setdefault(short, []).append({"start": round(r["start"] + shift), "end": round(r["end"] + shift),
                                                  "transfer": r["transfer"], "initiator": r["initiator"]})
    wasm = [{"fn": w["fn"], "start": round(w["start"] + shift), "end": round(w["end"] + shift)} for w in trace["wasm"]]
    return {"resources": res, "wasm": wasm, "shift": round(shift)}


def visit(pw, work: Path, server, kind: str, path: str) -> dict:
    profile = Path(tempfile.mkdtemp(prefix="profile-", dir=work))
    load = _loadavg()
    try:
        ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=bc.CHROMIUM, args=bc.CHROMIUM_ARGS)
        try:
            ctx.add_init_script(INIT)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            offset = server.log_offset()
            page.goto(server.origin + path)
            if kind == "lab":
                page.wait_for_selector("body[data-result]", state="attached", timeout=TIMEOUT_MS)
                out = json.loads(page.get_attribute("body", "data-result"))
                if out.get("error"):
                    raise RuntimeError(out["error"])
                origin = page.evaluate("performance.timeOrigin")
                steps = {"worker": out["worker"]}
                if "phases" in out and out.get("trace"):
                    tr = out["trace"]
                    if "ready" in out:  # calculator worker: phases since its start(); epoch = its start in ms since 1970
                        ph = dict(out["phases"])
                        start = ph.pop("epoch") - origin
                        steps.update({k: round(start + v) for k, v in ph.items()})
                        steps.update({"ready (page)": out["ready"], "result (page)": out["result"], "bundle (page)": out.get("bundle")})
                    else:  # floor worker: ms on the worker's clock
                        shift = out["timeOrigin"] - origin
                        steps.update({k: round(v + shift) for k, v in out["phases"].items()})
                        steps["booted (page)"] = out["booted"]
                trace = _on_page_clock(out.get("trace"), origin)
            else:
                page.wait_for_selector("#gg-results .gg-scheme", timeout=TIMEOUT_MS)
                timings = page.evaluate("window.guidegen.timings")
                info = page.evaluate("window.guidegen.ready")
                origin = page.evaluate("performance.timeOrigin")
                page.wait_for_function("window.__ggTrace !== null", timeout=10_000)
                trace = _on_page_clock(page.evaluate("window.__ggTrace"), origin)
                ph = dict(info["phases"])
                start = ph.pop("epoch") - origin
                steps = {"worker": round(start)}
                steps.update({k: round(start + v) for k, v in ph.items()})
                steps.update({"form": timings.get("form"), "ready (page)": timings.get("ready"),
                              "result (page)": timings["firstResult"]})
            longs = page.evaluate("window.__ggLong")
            served = server.served(offset)
        finally:
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    sent = {}
    for p, st, b in served:
        name = p.split("?")[0].rsplit("/", 1)[-1]
        if re.search(r"pyodide|python_stdlib|\.whl|catalog-|worker|floorw", name):
            sent.setdefault(name, []).append(b)
    # main-thread long tasks before the result
    end = steps.get("result (page)") or steps.get("booted (page)") or 1e9
    busy = sum(d for s, d in longs if s < end)
    return {"load": load, "steps": steps, "trace": trace, "long_tasks": longs, "main_busy_ms": busy, "nginx_sent": sent}


def run_rounds(pw, work, server, subjects: dict, rounds: int) -> dict:
    samples = {k: [] for k in subjects}
    names = list(subjects)
    for r in range(rounds + 1):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            kind, path = subjects[name]
            v = visit(pw, work, server, kind, path)
            if r > 0:
                samples[name].append(v)
            print(f"round {r} {name}: load {v['load']} " + json.dumps(v["steps"]), file=sys.stderr)
    return samples


def med(xs):
    xs = [x for x in xs if x is not None]
    return round(statistics.median(xs)) if xs else None


STEP_ORDER = ["worker", "pyodide.mjs", "lookup", "booted", "booted (page)", "wheel", "bundle (page)", "bundle_in", "imported",
              "glue", "engine", "ready", "form", "ready (page)", "result (page)"]


def durations(v: dict) -> dict:
    """One visit's phases as durations (ms): what each step itself took."""
    st, tr = v["steps"], v["trace"]
    res = tr.get("resources", {})
    inst = max((w for w in tr.get("wasm", []) if w["fn"].startswith("instantiate")), key=lambda w: w["end"] - w["start"], default=None)
    wasm_end = max((x["end"] for x in res.get("wasm", [])), default=None)
    booted = st.get("booted")
    d = {"worker created": st.get("worker"),
         "pyodide.mjs import (worker start -> imported)": st["pyodide.mjs"] - st["worker"] if "pyodide.mjs" in st else None,
         "loadPyodide (pyodide.mjs -> booted)": booted - st["pyodide.mjs"] if booted and "pyodide.mjs" in st else None,
         "wasm download done": wasm_end,
         "wasm compile tail (download end -> instantiated)": inst["end"] - wasm_end if inst and wasm_end else None,
         "Python init + Pyodide bootstrap (instantiated -> booted)": booted - inst["end"] if inst and booted else None}
    if "imported" in st:
        d.update({"wheel unpack": st["wheel"] - booted,
                  "wait for bundle": st["bundle_in"] - st["wheel"],
                  "import guidegen.core": st["imported"] - st["bundle_in"],
                  "bundle parts -> Python, json.loads (glue)": st["glue"] - st["imported"],
                  "probe evaluation": st["engine"] - st["glue"],
                  "first evaluation + drawing (ready -> result)": st["result (page)"] - st["ready (page)"],
                  "first result": st["result (page)"]})
    else:
        d["first result"] = st.get("booted (page)")
    d["main-thread long tasks before it"] = v["main_busy_ms"]
    return d


def summarise(samples: dict) -> dict:
    table = {}
    for name, vs in samples.items():
        row = {}
        keys = []
        for v in vs:
            keys += [k for k in v["steps"] if k not in keys]
        for k in keys:
            row[k] = med([v["steps"].get(k) for v in vs])
        # fetch and wasm timings (first response of each file; compile = the instantiate call of the big module)
        for res in ("wasm", "stdlib", "asm.mjs", "pyodide.mjs", "wheel"):
            ends = [min(x["end"] for x in v["trace"]["resources"][res]) for v in vs if res in v["trace"].get("resources", {})]
            row[f"fetch {res} end"] = med(ends)
            row[f"fetch {res} count"] = med([len(v["trace"]["resources"].get(res, [])) for v in vs])
        inst = [max((w for w in v["trace"].get("wasm", []) if w["fn"].startswith("instantiate")), key=lambda w: w["end"] - w["start"],
                    default=None) for v in vs]
        row["wasm instantiate start"] = med([w["start"] for w in inst if w])
        row["wasm instantiate end"] = med([w["end"] for w in inst if w])
        row["main-thread long tasks before result, ms"] = med([v["main_busy_ms"] for v in vs])
        sent = {}
        for v in vs:
            for f, bs in v["nginx_sent"].items():
                sent.setdefault(f, []).append(len(bs))
        row["nginx sends per visit"] = {f: max(c) for f, c in sent.items()}
        row["load"] = [v["load"] for v in vs]
        ds = [durations(v) for v in vs]
        row["durations"] = {k: med([d.get(k) for d in ds]) for k in ds[0]}
        table[name] = row
    return table


def markdown_durations(table: dict) -> str:
    cols = list(table)
    keys = []
    for row in table.values():
        keys += [k for k in row["durations"] if k not in keys]
    lines = ["| ms (median) | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join("—" if table[c]["durations"].get(k) is None else str(table[c]["durations"][k]) for c in cols) + " |")
    return "\n".join(lines)


def markdown(table: dict) -> str:
    cols = list(table)
    keys = []
    for row in table.values():
        keys += [k for k in row if k not in keys and not isinstance(row[k], (dict, list))]
    order = [k for k in STEP_ORDER if k in keys] + [k for k in keys if k not in STEP_ORDER]
    lines = ["| ms since navigation (median) | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for k in order:
        lines.append(f"| {k} | " + " | ".join("—" if table[c].get(k) is None else str(table[c][k]) for c in cols) + " |")
    return "\n".join(lines)


def node_runs(site: Path, assets: dict, work: Path, runs: int = 5) -> dict:
    calc = site / "calculator"
    pyd = calc / assets["pyodide"]
    parts = ",".join(str(calc / p) for p in assets["bundleParts"])
    prof = work / "profile.json"
    prof.write_text(json.dumps(bc.example_profile()), encoding="utf-8")
    base = ["node", str(BENCH / "boot_node.mjs"), "measure", "--pyodide", str(pyd), "--parts", parts, "--profile", str(prof)]
    variants = {"py": base + ["--wheel", str(calc / assets["wheel"])],
                "pyc": base + ["--wheel", str(work / "wheel-sourceless.whl"), "--stdlib", str(work / "stdlib-sourceless.zip")]}
    out = {k: [] for k in variants}
    for i in range(runs):
        for k, cmd in variants.items():
            load = _loadavg()
            p = subprocess.run(cmd, capture_output=True, text=True, check=True)
            d = json.loads(p.stdout)
            d["load"] = load
            out[k].append(d)
    # one more of each with -X importtime
    imp = {}
    for k, cmd in variants.items():
        d = json.loads(subprocess.run(cmd + ["--importtime"], capture_output=True, text=True, check=True).stdout)
        imp[k] = {"boot_top": [(x["name"], round(x["cum_us"] / 1000, 1)) for x in d["importtime_boot"] if x["depth"] == 1],
                  "engine_top": [(x["name"], round(x["cum_us"] / 1000, 1)) for x in d["importtime_engine"] if x["depth"] == 1],
                  "boot_modules": len(d["importtime_boot"])}
    summary = {}
    for k, ds in out.items():
        ph = {}
        for key in ds[0]["phases"]:
            ph[key] = med([d["phases"][key] for d in ds])
        steps = {"boot (loadPyodide)": med([d["phases"]["booted"] - d["phases"]["pyodide.mjs"] for d in ds]),
                 "wasm instantiate": med([max(w["end"] - w["start"] for w in d["wasm"]) for d in ds]),
                 "import guidegen.core": med([d["phases"]["imported"] - d["phases"]["wheel"] for d in ds]),
                 "bundle json.loads": med([d["bundle_parse_ms"] for d in ds]),
                 "glue + bundle parse": med([d["phases"]["glue_and_bundle"] - d["phases"]["imported"] for d in ds]),
                 "probe evaluation": med([d["phases"]["probe"] - d["phases"]["glue_and_bundle"] for d in ds]),
                 "first full evaluation": med([d["phases"]["first_evaluation"] - d["phases"]["probe"] for d in ds]),
                 "second full evaluation": med([d["phases"]["second_evaluation"] - d["phases"]["first_evaluation"] for d in ds]),
                 "loads": [d["load"] for d in ds]}
        summary[k] = steps
    return {"summary": summary, "importtime": imp}


def main(argv):
    import argparse
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--site", type=Path, default=ROOT / "bench" / "out" / "calculator" / "site")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--only", help="comma-separated subjects")
    p.add_argument("--node", action="store_true", help="also the Node runs (bench/boot_node.mjs)")
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--from", dest="from_", type=Path, help="only re-summarise the samples of an earlier result.json")
    a = p.parse_args(argv)
    if a.from_:
        samples = json.loads(a.from_.read_text(encoding="utf-8"))["samples"]
        table = summarise(samples)
        print(markdown(table) + "\n\n" + markdown_durations(table))
        return 0
    from playwright.sync_api import sync_playwright
    work = ROOT / "bench" / "out" / "boot_trace"
    work.mkdir(parents=True, exist_ok=True)
    # a copy of the built site: the lab files never land in the site other benches use
    site = work / "site"
    if not site.exists() or site.stat().st_mtime < a.site.stat().st_mtime:
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(a.site.resolve(), site)
    bc.install_floor(site)
    prep = prepare(site, work)
    subjects = prep["subjects"]
    if a.only:
        subjects = {k: v for k, v in subjects.items() if k in a.only.split(",")}
    result = {"sizes_gz": prep["sizes"], "load_start": _loadavg(), "rounds": a.rounds}
    if not a.no_browser:
        with bc.Nginx(site, work) as server, sync_playwright() as pw:
            samples = run_rounds(pw, work, server, subjects, a.rounds)
        result["browser"] = summarise(samples)
        result["samples"] = samples
    if a.node:
        result["node"] = node_runs(site, prep["assets"], work)
    result["load_end"] = _loadavg()
    (work / "result.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1))
    if "browser" in result:
        print("\n" + markdown(result["browser"]) + "\n\n" + markdown_durations(result["browser"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
