"""The browser engine is the CPython engine: every worked case (tests/cases/*.yaml)
evaluated under Pyodide in Node — same wheel, same bundle file, same glue
(calculator/engine.py) and same Pyodide files (the trimmed python_stdlib.zip) as the
calculator's worker — gives byte-for-byte the result JSON of
guidegen.core.evaluate_json in CPython (after JSON normalisation); so does a
runtime restored from a memory snapshot, as the worker starts on return visits."""

import gzip
import io
import json
import subprocess
import zipfile

import pytest

from guidegen.core import evaluate_json

from cases import load_cases, mismatches
from test_calculator_support import ROOT, canonical, engine_inputs, pyodide_runtime_dir, require_node_modules

pytestmark = [pytest.mark.slow, pytest.mark.pyodide]

CASES = load_cases()
RUNNER = ROOT / "tests" / "pyodide" / "run_cases.mjs"


@pytest.fixture(scope="session")
def engine_files():
    require_node_modules()
    return engine_inputs()


def _run_cases(engine_files, *extra):
    wheel, bundle = engine_files
    runtime = pyodide_runtime_dir()
    payload = json.dumps([{"profile": c["profile"], "schemes": c.get("schemes"), "today": c.get("today")}
                          for c in CASES], ensure_ascii=False)
    proc = subprocess.run(["node", str(RUNNER), "--wheel", str(wheel), "--bundle", str(bundle),
                           "--pyodide", str(runtime), *extra],
                          input=payload, capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    if proc.returncode != 0:
        pytest.fail(f"run_cases.mjs {' '.join(extra)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}", pytrace=False)
    out = json.loads(proc.stdout)
    assert len(out["results"]) == len(CASES)
    return out


@pytest.fixture(scope="session")
def pyodide_run(engine_files):
    return _run_cases(engine_files)


@pytest.fixture(scope="session")
def pyodide_snapshot_run(engine_files):
    return _run_cases(engine_files, "--snapshot")


@pytest.fixture(scope="session")
def file_bundle(engine_files):
    return json.loads(engine_files[1].read_text(encoding="utf-8"))


def test_pyodide_is_the_pinned_version(pyodide_run):
    pinned = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["pyodide"]
    locked = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]["node_modules/pyodide"]["version"]
    assert pyodide_run["pyodide"] == pinned == locked


def test_the_runner_uses_the_shipped_trimmed_stdlib(pyodide_run):
    from guidegen.runtime import pyodide_runtime, read_stdlib_keep

    shipped = pyodide_runtime(ROOT)[1]["python_stdlib.zip"]
    used = (pyodide_runtime_dir() / "python_stdlib.zip").read_bytes()
    assert used == shipped
    stock = (ROOT / "node_modules" / "pyodide" / "python_stdlib.zip").stat().st_size
    assert len(gzip.compress(shipped)) < stock / 2  # entries are stored: the gzip twin travels
    with zipfile.ZipFile(io.BytesIO(used)) as z:
        files = {n for n in z.namelist() if not n.endswith("/")}
    assert files == {k[:-3] + ".pyc" if k.endswith(".py") else k for k in read_stdlib_keep()[1]}  # byte-compiled


def test_cases_are_there():
    assert len(CASES) >= 60
    assert any(c.get("today") for c in CASES)  # the call-status cases: their date goes to Pyodide too


def _cpython(file_bundle, case) -> str:
    return evaluate_json(file_bundle, json.dumps(case["profile"], ensure_ascii=False), case.get("schemes"),
                         today=case.get("today"))


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c["_where"] for c in CASES])
def test_pyodide_matches_cpython(pyodide_run, file_bundle, index):
    case = CASES[index]
    got = pyodide_run["results"][index]
    assert canonical(got) == canonical(_cpython(file_bundle, case))
    assert mismatches(case, json.loads(got)) == []  # and the case's own expectations hold in Pyodide


def test_a_runtime_restored_from_a_snapshot_matches_cpython(pyodide_snapshot_run, file_bundle):
    """The worker's return-visit start (calculator/worker.js): snapshot after the imports,
    restore, unpack the wheel, parse the bundle. Fails loudly (run_cases.mjs exits 3) when
    the pinned Pyodide has lost the private snapshot API."""
    assert pyodide_snapshot_run["snapshot"] > 1_000_000  # a whole heap, not a stub
    # Importing the engine must not grow the heap, or the worker makes no snapshot (pyodide#6254).
    assert pyodide_snapshot_run["heapGrew"] is False
    wrong = []
    for case, got in zip(CASES, pyodide_snapshot_run["results"]):
        if canonical(got) != canonical(_cpython(file_bundle, case)):
            wrong.append(case["_where"])
    assert not wrong, f"{len(wrong)} of {len(CASES)} cases differ after a snapshot restore: {wrong[:10]}"
