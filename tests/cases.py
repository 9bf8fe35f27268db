"""Worked cases: tests/cases/*.yaml, each a list of {name, description, profile, expected}.

``expected`` maps a scheme id to what must hold for it:
  eligibility, level, reachable_level, verdict, total, base, bonus, passed,
  call (the call status), plan ({reachable, total_after, steps: [{item, points, change}]}, or null),
  conditions: {condition id: status}, items: {rubric item id: points}
the key ``derived`` to {derived fact: value}, and ``warnings`` to the list of the result's top-level
warnings, each {field, kind} and optionally ``scenes`` (all of them, in any order: a warning not
listed fails the case). The same files run under
Pyodide (tests/pyodide/run_cases.mjs) through the same function. A case may
give ``today`` (the evaluation date, "YYYY-MM-DD") for call status, and ``schemes``
(the schemes to evaluate).

Strict: a key that is not in the tables below (a typo, or an expectation nobody checks)
is itself a mismatch, so it fails the case. A new kind of expectation is added here,
to its table and to :func:`mismatches`, together.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from guidegen.profile_file import dates_as_text

CASES_DIR = Path(__file__).resolve().parent / "cases"

# The keys a case, its expectations and their parts may have (anything else fails the case).
CASE_KEYS = {"name", "description", "profile", "expected", "schemes", "today"}
EXPECTED_KEYS = {"derived", "errors", "warnings"}  # besides scheme ids
SCHEME_KEYS = {"eligibility", "level", "reachable_level", "verdict", "call", "plan", "total", "base", "bonus",
               "passed", "conditions", "items", "kpis", "application", "plans"}
PART_KEYS = {"plan": {"reachable", "total_after", "target", "steps", "id", "cost"},
             "plans": {"claim", "least-cost", "fewest-steps"},  # each a route like plan (issue #23)
             "kpis": {"required_missing", "improvement", "improvement_percent", "better"},
             "application": {"over_limit", "under", "chars"}}


def unknown_keys(case: dict) -> list[str]:
    """Every key of ``case`` that nothing checks (see the tables above)."""
    out = [f"unknown case key {k!r}" for k in sorted(set(case) - CASE_KEYS - {"_where"})]
    expected = case.get("expected")
    if not isinstance(expected, dict):
        return out + ["expected must be a mapping"]
    for key, want in expected.items():
        if key in EXPECTED_KEYS:
            continue
        if not isinstance(want, dict):
            out.append(f"expected.{key} must be a mapping (a scheme id) or one of {sorted(EXPECTED_KEYS)}")
            continue
        out += [f"unknown key expected.{key}.{k}" for k in sorted(set(want) - SCHEME_KEYS)]
        for part, allowed in PART_KEYS.items():
            if isinstance(want.get(part), dict):
                out += [f"unknown key expected.{key}.{part}.{k}" for k in sorted(set(want[part]) - allowed)]
    return out


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            case = dates_as_text(case)
            case["_where"] = f"{path.name}#{i + 1} {case['name']}"
            cases.append(case)
    return cases


def mismatches(case: dict, result: dict) -> list[str]:
    """Every way ``result`` differs from ``case['expected']``; unknown keys count as differences."""
    out = unknown_keys(case)
    if "errors" in case["expected"]:
        got = sorted(e["field"] for e in result.get("errors", []))
        want = sorted(case["expected"]["errors"])
        if got != want:
            out.append(f"errors on fields {got}, expected {want}")
        return out
    if "errors" in result:
        return out + [f"profile rejected: {result['errors']}"]
    by_scheme = {r["scheme"]: r for r in result["results"]}
    for key, want in case["expected"].items():
        if key == "derived":
            for fact, value in want.items():
                got = result["derived"].get(fact, {}).get("value")
                if got != value:
                    out.append(f"derived.{fact} = {got!r}, expected {value!r}")
            continue
        if key == "warnings":
            out += _warning_mismatches(want, result.get("warnings") or [])
            continue
        if not isinstance(want, dict):
            continue  # reported by unknown_keys
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
        if "plans" in want:
            out += _plans_mismatches(key, want["plans"], r.get("plans") or [])
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


def _warning_mismatches(want: list, got: list) -> list[str]:
    """The result's warnings are exactly those listed (field and kind; scenes where given)."""
    out = []
    if not isinstance(want, list) or any(not isinstance(w, dict) or set(w) - {"field", "kind", "scenes"}
                                         or not {"field", "kind"} <= set(w) for w in want):
        return ["expected.warnings must be a list of {field, kind, scenes?}"]
    have = sorted((w["field"], w["kind"]) for w in got)
    need = sorted((w["field"], w["kind"]) for w in want)
    if have != need:
        out.append(f"warnings {have}, expected {need}")
    by = {(w["field"], w["kind"]): w for w in got}
    for w in want:
        g = by.get((w["field"], w["kind"]))
        if g is not None and "scenes" in w and g.get("scenes") != w["scenes"]:
            out.append(f"warnings {w['field']} {w['kind']} scenes = {g.get('scenes')!r}, expected {w['scenes']!r}")
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


def _plans_mismatches(key: str, want: dict, routes: list) -> list[str]:
    """expected.SCHEME.plans {route id: route like plan, or null for no such route}; a route
    given once for several ids (``also``) answers for each (issue #23)."""
    out = []
    for rid, w in want.items():
        got = next((p for p in routes if p["id"] == rid or rid in p.get("also", [])), None)
        if isinstance(w, dict):
            out += [f"unknown key expected.{key}.plans.{rid}.{k}" for k in sorted(set(w) - PART_KEYS["plan"])]
        out += _plan_mismatches(f"{key}.plans.{rid}", w, got)
    return out


def _plan_mismatches(key: str, want, got) -> list[str]:
    if want is None or got is None:
        return [] if want == got else [f"{key}.plan = {got!r}, expected {want!r}"]
    out = [f"{key}.plan.{field} = {got[field]!r}, expected {want[field]!r}"
           for field in ("reachable", "total_after", "target", "id") if field in want and got[field] != want[field]]
    for field, value in (want.get("cost") or {}).items():  # a part of the route's cost (issue #23)
        if (got.get("cost") or {}).get(field) != value:
            out.append(f"{key}.plan.cost.{field} = {(got.get('cost') or {}).get(field)!r}, expected {value!r}")
    if "steps" in want:
        keys = ("item", "points", "change") + (("kind",) if any("kind" in w for w in want["steps"]) else ())
        steps = [{k: s[k] for k in keys} for s in got["steps"]]
        if steps != want["steps"]:
            out.append(f"{key}.plan.steps = {steps!r}, expected {want['steps']!r}")
    return out
