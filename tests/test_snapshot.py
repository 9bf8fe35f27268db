"""The worker's return-visit start from a memory snapshot, and its restart after a
fatal error, in Debian's chromium on the real site (calculator/worker.js).

The tests drive the calculator's own worker file directly from the calculator page
(same origin, same CSP): a fresh ``Worker`` per start, talking the documented
protocol, so each start reads what the origin private file system (OPFS) holds at that moment. The page's
own worker (opened first) makes and stores the snapshot, as on a first visit.

- a restored runtime evaluates every worked case (tests/cases) byte for byte as
  CPython does;
- a damaged snapshot (garbage, or another Pyodide build's id) falls back silently to
  a normal start, and the stored copy is replaced by a marker (no retry for the release);
- the first visit makes no snapshot before its first result ("later"): a capture worker
  makes and stores it afterwards, when the page is idle;
- no room (a tiny storage quota) or no OPFS at all (a plain-HTTP origin that is not
  loopback: not a secure context) means a normal start and nothing stored;
- a real fatal error (a profile nested deep enough to overflow the WebAssembly stack,
  past the depth guard) is followed by ``restarting``, a new ``ready`` and a correct
  evaluation.
"""

import inspect
import json
import time

import pytest

from guidegen.core import evaluate_json

from cases import load_cases
from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server,
    CHROMIUM, CHROMIUM_ARGS, built_site, canonical, require_chromium, require_node_modules, wait_for_results,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SNAPSHOT_DIR = "guidegen-snapshot-v3"  # calculator/worker.js: a folder of the origin private file system
TIMEOUT_MS = 120_000
CASES = load_cases()

# A page-side driver of one worker start: init with the calculator's own assets, the
# bundle, then the messages given; resolves with everything the worker posted.
HARNESS = """async ({steps, snapshot}) => {
  const assets = window.guidegen.assets;
  const base = new URL("/calculator/", location.href);
  const worker = new Worker(new URL(assets.worker, base), {type: "module"});
  const seen = [];
  let wake = () => {};
  worker.onmessage = (e) => { seen.push(e.data); wake(); };
  worker.onerror = (e) => { seen.push({type: "error", detail: e.message}); wake(); };
  const until = async (test, ms) => {
    const t0 = performance.now();
    for (;;) {
      const hit = seen.find(test);
      if (hit) return hit;
      if (performance.now() - t0 > ms) throw new Error("timed out; seen: " + JSON.stringify(seen.map((m) => m.type)));
      await new Promise((r) => { wake = r; setTimeout(r, 200); });
    }
  };
  const init = {type: "init", pyodide: new URL(assets.pyodide, base).href, wheel: new URL(assets.wheel, base).href,
                files: assets.files || {},
                bundleKey: (assets.bundleParts && assets.bundleParts.length ? assets.bundleParts : [assets.bundle])};
  if (snapshot === false) init.snapshot = false;
  worker.postMessage(init);
  const text = await (await fetch(new URL(assets.bundle, base))).text();
  worker.postMessage({type: "bundle", text});
  const ready = await until((m) => m.type === "ready" || m.type === "failed", %(timeout)d);
  const out = {ready, results: [], after: []};
  let id = 0;
  for (const step of steps) {
    const mine = ++id;
    if (step.fatal) worker.postMessage({type: "test-fatal", id: mine});
    else worker.postMessage({type: "evaluate", id: mine, profile: step.profile, schemes: step.schemes, today: step.today});
    out.results.push((await until((m) => m.type === "result" && m.id === mine, %(timeout)d)).json);
    if (step.fatal) await until((m) => m.type === "ready" && m !== ready, %(timeout)d);
  }
  if (steps.some((s) => s.store)) await until((m) => m.type === "snapshot", %(timeout)d);
  out.after = seen.filter((m) => m.type !== "progress" && m.type !== "result");
  worker.terminate();
  return out;
}""" % {"timeout": TIMEOUT_MS}

# The page's view of the worker's folder: each file's name and kind, read from its first
# 8 bytes ("heap": a snapshot, "failed": the marker of a failed restore).
STORED = """async () => {
  let dir;
  try { dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(%s); } catch { return []; }
  const kinds = {GGHEAP01: "heap", GGFAIL01: "failed"};
  const out = [];
  for await (const [name, handle] of dir.entries()) {
    const head = String.fromCharCode(...new Uint8Array(await (await handle.getFile()).slice(0, 8).arrayBuffer()));
    out.push({name, kind: kinds[head] || head});
  }
  return out;
}""" % json.dumps(SNAPSHOT_DIR)

# Rewrite the stored snapshot: "garbage" (its header kept, 4 KB of garbage for its pages) or
# "build-id" (a valid snapshot of another Pyodide build: the 32 bytes after Pyodide's magic,
# size and length words, i.e. the heap's bytes 16-48, in the first stored page, differ).
DAMAGE = """async (how) => {
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(%s);
  const [[name, handle]] = await Array.fromAsync(dir.entries());
  const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
  const pages = 12 + new DataView(bytes.buffer).getUint32(8, true);
  let body;
  if (how === "garbage") {
    body = new Uint8Array(pages + 4096).fill(7);
    body.set(bytes.subarray(0, pages));
  } else {
    body = bytes;
    for (let i = pages + 16; i < pages + 48; i++) body[i] ^= 0xff;
  }
  const writable = await handle.createWritable();
  await writable.write(body);
  await writable.close();
  return name;
}""" % json.dumps(SNAPSHOT_DIR)

# Save the stored snapshot aside (a file outside the folder) or put it back.
KEEP = """async (what) => {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle(%s, {create: true});
  if (what === "save") {
    const [[name, handle]] = await Array.fromAsync(dir.entries());
    const keep = await root.getFileHandle("guidegen-test-keep", {create: true});
    const writable = await keep.createWritable();
    await writable.write(JSON.stringify(name) + "\\n");
    await writable.write(await handle.getFile());
    await writable.close();
  } else {
    for (const name of await Array.fromAsync(dir.keys())) await dir.removeEntry(name);
    const file = await (await root.getFileHandle("guidegen-test-keep")).getFile();
    const text = await file.slice(0, 4096).text();
    const cut = text.indexOf("\\n");
    const name = JSON.parse(text.slice(0, cut));
    const writable = await (await dir.getFileHandle(name, {create: true})).createWritable();
    await writable.write(file.slice(new TextEncoder().encode(text.slice(0, cut + 1)).length));
    await writable.close();
  }
}""" % json.dumps(SNAPSHOT_DIR)


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


@pytest.fixture(scope="module")
def visited(browser, server):
    """A browser context after a first visit: the page's worker made and stored the snapshot."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.origin}/calculator/")
    wait_for_results(page, timeout=TIMEOUT_MS)
    # No snapshot on the way to the first result: one is captured afterwards, when idle.
    assert page.evaluate("window.guidegen.ready")["snapshot"] == "later"
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not any(e["kind"] == "heap" for e in page.evaluate(STORED)):
        assert time.monotonic() < deadline, "the first visit stored no snapshot"
        page.wait_for_timeout(200)
    yield context, page
    context.close()


def expected_json(bundle, case) -> str:
    profile = json.dumps(case["profile"], ensure_ascii=False)
    if case.get("today") and "today" in inspect.signature(evaluate_json).parameters:
        return evaluate_json(bundle, profile, case.get("schemes"), today=case["today"])
    return evaluate_json(bundle, profile, case.get("schemes"))


def run(page, steps=(), *, snapshot=None):
    return page.evaluate(HARNESS, {"steps": list(steps), "snapshot": snapshot})


def test_a_restored_runtime_evaluates_every_worked_case_as_cpython(visited, bundle):
    _, page = visited
    stored = page.evaluate(STORED)
    assert [e["kind"] for e in stored] == ["heap"], stored
    # The key names this release's Pyodide folder, wheel, worker and bundle parts (all content-hashed).
    assets = page.evaluate("window.guidegen.assets")
    for name in (assets["pyodide"].strip("/"), assets["wheel"], assets["worker"], *assets["bundleParts"]):
        assert name in stored[0]["name"].replace("%2B", "+"), (name, stored[0]["name"])
    steps = [{"profile": json.dumps(c["profile"], ensure_ascii=False), "schemes": c.get("schemes"),
              "today": c.get("today")} for c in CASES]
    out = run(page, steps)
    assert out["ready"]["type"] == "ready" and out["ready"]["snapshot"] == "restored", out["ready"]
    assert out["ready"]["phases"]["restored"] < out["ready"]["phases"]["engine"]
    wrong = [c["_where"] for c, got in zip(CASES, out["results"]) if canonical(got) != canonical(expected_json(bundle, c))]
    assert not wrong, f"{len(wrong)} of {len(CASES)} cases differ after a snapshot restore: {wrong[:10]}"


@pytest.mark.parametrize("how", ["garbage", "build-id"])
def test_a_damaged_snapshot_falls_back_silently_and_is_not_tried_again(visited, bundle, how):
    _, page = visited
    page.evaluate(KEEP, "save")
    name = page.evaluate(DAMAGE, how)
    case = CASES[0]
    step = {"profile": json.dumps(case["profile"], ensure_ascii=False), "schemes": case.get("schemes"),
            "today": case.get("today")}
    out = run(page, [step])
    assert out["ready"]["type"] == "ready" and out["ready"]["snapshot"] == "fallback", out["ready"]
    # Garbage has the wrong size; a valid snapshot of another build fails Pyodide's own check.
    assert ("build id mismatch" in out["ready"]["snapshotError"]) == (how == "build-id"), out["ready"]
    assert canonical(out["results"][0]) == canonical(expected_json(bundle, case))
    assert page.evaluate(STORED) == [{"name": name, "kind": "failed"}]  # the snapshot is gone, a marker stays
    again = run(page, [step])
    assert again["ready"]["snapshot"] == "none" and not [m for m in again["after"] if m["type"] == "snapshot"]
    assert canonical(again["results"][0]) == canonical(expected_json(bundle, case))
    page.evaluate(KEEP, "restore")  # the good snapshot again, for what follows


def test_no_room_to_store_means_a_normal_start_and_nothing_kept(browser, server, bundle):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.origin}/calculator/")
    page.wait_for_selector("#gg-form", timeout=TIMEOUT_MS)
    cdp = context.new_cdp_session(page)
    cdp.send("Storage.overrideQuotaForOrigin", {"origin": server.origin, "quotaSize": 64 * 1024})
    case = CASES[0]
    step = {"profile": json.dumps(case["profile"], ensure_ascii=False), "schemes": case.get("schemes"), "store": True}
    out = run(page, [step])
    assert out["ready"]["snapshot"] == "later"
    stored = [m for m in out["after"] if m["type"] == "snapshot"]
    assert [m["state"] for m in stored] == ["failed"], stored
    assert page.evaluate(STORED) == []  # no half-written entry left
    again = run(page, [step])
    assert again["ready"]["snapshot"] == "later"  # tries again next time: quota may have been freed
    assert canonical(again["results"][0]) == canonical(expected_json(bundle, case))
    context.close()


def test_without_a_secure_context_the_calculator_starts_normally(browser, server):
    """A plain-HTTP origin that is not loopback is not a secure context: no origin private file
    system, no Cache Storage (nor crypto.subtle). Chromium resolves the made-up host to the
    test server."""
    port = server.origin.rsplit(":", 1)[1]
    other = browser.browser_type.launch(executable_path=CHROMIUM,
                                        args=CHROMIUM_ARGS + ["--host-resolver-rules=MAP guidegen.internal 127.0.0.1"])
    try:
        page = other.new_page()
        page.goto(f"http://guidegen.internal:{port}/calculator/")
        wait_for_results(page, timeout=TIMEOUT_MS)
        assert page.evaluate("typeof caches") == "undefined" and page.evaluate("typeof navigator.storage") == "undefined"
        assert page.evaluate("window.guidegen.ready")["snapshot"] == "none"
        got = page.evaluate("p => window.guidegen.evaluate(p)", json.dumps(CASES[0]["profile"], ensure_ascii=False))
        assert got.get("results"), got
    finally:
        other.close()


def test_a_fatal_error_restarts_the_runtime_and_the_next_evaluation_works(visited, bundle):
    _, page = visited
    case = CASES[0]
    step = {"profile": json.dumps(case["profile"], ensure_ascii=False), "schemes": case.get("schemes"),
            "today": case.get("today")}
    out = run(page, [step, {"fatal": True}, step])
    first, crashed, after = out["results"]
    assert canonical(first) == canonical(expected_json(bundle, case))
    error = json.loads(crashed)["errors"][0]
    assert "stack" in error["message"]["en"].lower(), error  # RangeError: Maximum call stack size exceeded
    starts = [m for m in out["after"] if m["type"] in ("ready", "restarting", "failed")]
    assert [m["type"] for m in starts] == ["ready", "restarting", "ready"], starts
    # The replacement starts like any other (from the snapshot when one is stored).
    assert starts[2]["snapshot"] in ("restored", "later", "none"), starts[2]
    assert canonical(after) == canonical(expected_json(bundle, case))
