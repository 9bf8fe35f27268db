"""What the plans and the rubric gaps cost on re-evaluation (issues #11, #23), CPython and Pyodide.

    python3 bench/plan.py           # prints the JSON

Profiles: a series of one-field edits (maturity score, events, spend, municipal titles,
scenes) of two Zhuzhou enterprises below the pass mark (79 and 61 points, so every
evaluation computes a plan for both columns) and of the example profile (passing: gaps
only), all schemes, evaluation date fixed; and (#23) the budget typed digit by digit into
"最多再投入 __ 万元" (constraints.budget_wan: 3, 30, 300, 3000, cleared …) on the 61-point
enterprise and on a 38-point SME, each evaluation working out all three routes
(claim, least-cost, fewest-steps). Goal (issue #23): re-evaluation p95 ≤ 30 ms; reported,
not asserted. Each profile is evaluated with the engine as
shipped and with the rubric options switched off (no plan, no rubric gaps): the figures
are medians and 95th percentiles of each, and their ratio, in one run. CPython times are
process CPU time (the machine is shared); Pyodide runs in Node (tests' runtime files:
the shipped trimmed stdlib), process CPU time per call after WARMUP calls.
"""

from __future__ import annotations

import copy
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

EDITS = 60
WARMUP = 30

NEAR = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 650, "revenue_wan": 28000},
        "maturity": {"level": 3, "score": 3.1},
        "investment_wan": {"core_equipment": 1200, "local_core_equipment": 500, "services": 400, "local_services": 100},
        "implementation_plan": "whole", "scenes": {"miit-2021": [5, 7, 8, 14, 19, 24]},
        "honors": {"national-demo-factory": 1}, "achievements": {"invention_patents": 2},
        "team": {"dedicated_team": True, "senior_core_staff": True}, "case_awards": {"provincial": 1},
        "activities": {"national": 1}, "growth_honor": "municipal-little-giant",
        "new_technologies": ["digital-twin"], "new_modes": ["predictive-maintenance"]}
FAR = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 650, "revenue_wan": 28000},
       "maturity": {"level": 3, "score": 2.9},
       "investment_wan": {"core_equipment": 1000, "local_core_equipment": 0, "services": 0, "local_services": 0},
       "implementation_plan": "whole", "scenes": {"miit-2021": [1, 5, 7, 10, 19, 22, 44]},
       "achievements": {"invention_patents": 3}, "growth_honor": "none", "new_technologies": ["digital-twin"]}


LOW = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 120, "revenue_wan": 8000},
       "maturity": {"level": 2, "score": 2.0}, "investment_wan": {"core_equipment": 600, "local_core_equipment": 0},
       "implementation_plan": "partial", "scenes": {"miit-2021": [1, 5, 7, 10, 22, 44], "miit-2024": [14]},
       "achievements": {"utility_patents": 2}, "team": {"dedicated_team": True}, "activities": {"municipal": 2},
       "growth_honor": "none", "new_technologies": ["digital-twin"], "new_modes": ["predictive-maintenance"]}


def typing(base: dict, n: int) -> list[dict]:
    """The budget typed and changed digit by digit, as the calculator re-plans on each key."""
    values = [3, 30, 300, 3000, 300, 30, 3, None, 5, 50, 500, 50, 5, None, 1, 12, 120, 1200, 120, 12, 1, None]
    out = []
    for i in range(n):
        cur = copy.deepcopy(base)
        v = values[i % len(values)]
        if v is not None:
            cur["constraints"] = {"budget_wan": v}
        out.append(cur)
    return out


def edits(base: dict, n: int) -> list[dict]:
    out, cur = [], copy.deepcopy(base)
    for i in range(n):
        cur = copy.deepcopy(cur)
        k = i % 5
        if k == 0:
            cur.setdefault("maturity", {})["score"] = round(2.0 + (i % 18) / 10, 1)
        elif k == 1:
            cur.setdefault("activities", {})["municipal"] = i % 4
        elif k == 2:
            cur.setdefault("investment_wan", {})["core_equipment"] = 800 + 37 * (i % 20)
        elif k == 3:
            cur.setdefault("honors", {})["municipal"] = i % 3
        else:
            scenes = cur.setdefault("scenes", {}).setdefault("miit-2021", [])
            cur["scenes"]["miit-2021"] = sorted(set(scenes) ^ {40 + i % 10})
        out.append(cur)
    return out


def stats(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"p50": round(statistics.median(ms), 2), "p95": round(ms[int(0.95 * (len(ms) - 1))], 2), "n": len(ms)}


def cpython(bundle, profiles, *, off: bool) -> dict:
    from guidegen.core import evaluate
    module = sys.modules["guidegen.core.evaluate"]
    saved = module.cached_item_options
    if off:
        module.cached_item_options = lambda *a: []
    try:
        for p in profiles[:WARMUP]:
            evaluate(bundle, p, today="2025-01-01")
        ms = []
        for p in profiles:
            t = time.process_time()
            evaluate(bundle, p, today="2025-01-01")
            ms.append((time.process_time() - t) * 1000)
    finally:
        module.cached_item_options = saved
    return stats(ms)


def pyodide(profiles, *, off: bool) -> dict | None:
    try:
        from test_calculator_support import engine_inputs, pyodide_runtime_dir
        wheel, bundle = engine_inputs()
        runtime = pyodide_runtime_dir()
    except Exception as exc:  # no node_modules: report what could not be measured
        return {"skipped": str(exc)[:200]}
    proc = subprocess.run(["node", str(ROOT / "bench" / "plan_pyodide.mjs"), "--wheel", str(wheel), "--bundle", str(bundle),
                           "--pyodide", str(runtime)], input=json.dumps({"profiles": profiles[:WARMUP] + profiles,
                                                                          "off": off}, ensure_ascii=False),
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    if proc.returncode != 0:
        return {"skipped": proc.stderr[-500:]}
    out = json.loads(proc.stdout)
    return {**stats(out["ms"][WARMUP:]), "pyodide": out["pyodide"]}


def main() -> int:
    from guidegen.catalog import load_catalog
    from guidegen.core import evaluate
    bundle = json.loads(json.dumps(load_catalog(ROOT / "catalogs").bundle(), ensure_ascii=False))
    from guidegen.profile_file import read_profile
    example = json.loads(json.dumps(read_profile(ROOT / "examples" / "profile-equipment.yaml"), default=str))
    sets = {"below-the-pass-mark": edits(NEAR, EDITS // 2) + edits(FAR, EDITS // 2), "example": edits(example, EDITS),
            "budget-typing": typing(FAR, EDITS // 2) + typing(LOW, EDITS // 2)}
    report = {}
    for name, profiles in sets.items():
        results = [r for p in profiles for r in evaluate(bundle, p, today="2025-01-01")["results"]]
        row = {"profiles": len(profiles), "plans": sum(1 for r in results if r.get("plan")),
               "routes": sum(len(r.get("plans") or []) for r in results)}
        for where, run in (("cpython", lambda off: cpython(bundle, profiles, off=off)),
                           ("pyodide", lambda off: pyodide(profiles, off=off))):
            on, without = run(False), run(True)
            row[where] = {"with_plan": on, "without": without}
            if on and without and "p50" in on and "p50" in without:
                row[where]["ratio_p50"] = round(on["p50"] / without["p50"], 2)
                row[where]["plan_ms_p50"] = round(on["p50"] - without["p50"], 2)
        report[name] = row
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
