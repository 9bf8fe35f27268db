"""Worked cases: tests/cases/*.yaml, each a list of {name, description, profile, expected}.

``expected`` maps a scheme id to what must hold for it:
  eligibility, level, reachable_level, verdict, total, base, bonus, passed,
  call (the call status), plan ({reachable, total_after, steps: [{item, points, change}]}, or null),
  conditions: {condition id: status}, items: {rubric item id: points}
and the key ``derived`` to {derived fact: value}. The same files run under
Pyodide (tests/pyodide/run_cases.mjs) through the same function. A case may
give ``today`` (the evaluation date, "YYYY-MM-DD") for call status.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from guidegen.profile_file import dates_as_text

CASES_DIR = Path(__file__).resolve().parent / "cases"


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            case = dates_as_text(case)
            case["_where"] = f"{path.name}#{i + 1} {case['name']}"
            cases.append(case)
    return cases


def mismatches(case: dict, result: dict) -> list[str]:
    """Every way ``result`` differs from ``case['expected']``."""
    out = []
    if "errors" in case["expected"]:
        got = sorted(e["field"] for e in result.get("errors", []))
        want = sorted(case["expected"]["errors"])
        if got != want:
            out.append(f"errors on fields {got}, expected {want}")
        return out
    if "errors" in result:
        return [f"profile rejected: {result['errors']}"]
    by_scheme = {r["scheme"]: r for r in result["results"]}
    for key, want in case["expected"].items():
        if key == "derived":
            for fact, value in want.items():
                got = result["derived"].get(fact, {}).get("value")
                if got != value:
                    out.append(f"derived.{fact} = {got!r}, expected {value!r}")
            continue
        r = by_scheme.get(key)
        if r is None:
            out.append(f"no result for scheme {key}")
            continue
        for field in ("eligibility", "level", "reachable_level", "verdict"):
            if field in want and r.get(field) != want[field]:
                out.append(f"{key}.{field} = {r.get(field)!r}, expected {want[field]!r}")
        if "call" in want and r["call"]["status"] != want["call"]:
            out.append(f"{key}.call.status = {r['call']['status']!r}, expected {want['call']!r}")
        if "plan" in want:
            out += _plan_mismatches(key, want["plan"], r.get("plan"))
        for field in ("total", "base", "bonus", "passed"):
            if field in want:
                got = (r["score"] or {}).get(field)
                if got != want[field]:
                    out.append(f"{key}.score.{field} = {got!r}, expected {want[field]!r}")
        conds = {c["id"]: c["status"] for c in r["conditions"]}
        for lvl in r.get("levels") or []:
            conds.update({f"{lvl['id']}.{c['id']}": c["status"] for c in lvl["conditions"]})
        for cid, status in (want.get("conditions") or {}).items():
            if conds.get(cid) != status:
                out.append(f"{key}.conditions.{cid} = {conds.get(cid)!r}, expected {status!r}")
        out += _kpi_mismatches(key, want, r)
        items = {i["id"]: i["points"] for i in (r["score"] or {}).get("items", [])}
        for iid, pts in (want.get("items") or {}).items():
            if items.get(iid) != pts:
                out.append(f"{key}.items.{iid} = {items.get(iid)!r}, expected {pts!r}")
    return out


def _kpi_mismatches(key: str, want: dict, r: dict) -> list[str]:
    """expected.SCHEME.kpis {required_missing, improvement: {id: n}, better: {id: bool}} and
    expected.SCHEME.application {over_limit, under, chars: {id: n}} (issue #16)."""
    out = []
    if "kpis" in want:
        k, w = r.get("kpis") or {}, want["kpis"]
        if "required_missing" in w and sorted(k.get("required_missing", [])) != sorted(w["required_missing"]):
            out.append(f"{key}.kpis.required_missing = {k.get('required_missing')}, expected {w['required_missing']}")
        rows = {}
        for row in k.get("rows", []):
            rows.setdefault(row["id"], row)
        for field in ("improvement", "improvement_percent", "better"):
            for iid, value in (w.get(field) or {}).items():
                got = ((rows.get(iid) or {}).get("change") or {}).get(field)
                if got != value:
                    out.append(f"{key}.kpis.{iid}.change.{field} = {got!r}, expected {value!r}")
    if "application" in want:
        a, w = r.get("application") or {}, want["application"]
        sections = {s["id"]: s for s in a.get("sections", [])}
        if "over_limit" in w and sorted(a.get("over_limit", [])) != sorted(w["over_limit"]):
            out.append(f"{key}.application.over_limit = {a.get('over_limit')}, expected {w['over_limit']}")
        if "under" in w:
            got = sorted(sid for sid, s in sections.items() if s["under"])
            if got != sorted(w["under"]):
                out.append(f"{key}.application.under = {got}, expected {w['under']}")
        for sid, n in (w.get("chars") or {}).items():
            if (sections.get(sid) or {}).get("chars") != n:
                out.append(f"{key}.application.{sid}.chars = {(sections.get(sid) or {}).get('chars')}, expected {n}")
    return out


def _plan_mismatches(key: str, want, got) -> list[str]:
    if want is None or got is None:
        return [] if want == got else [f"{key}.plan = {got!r}, expected {want!r}"]
    out = [f"{key}.plan.{field} = {got[field]!r}, expected {want[field]!r}"
           for field in ("reachable", "total_after", "target") if field in want and got[field] != want[field]]
    if "steps" in want:
        steps = [{k: s[k] for k in ("item", "points", "change")} for s in got["steps"]]
        if steps != want["steps"]:
            out.append(f"{key}.plan.steps = {steps!r}, expected {want['steps']!r}")
    return out
