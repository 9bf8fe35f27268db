"""The plan cost model and the maturity score ranges (catalogs/plan-costs.yaml, issue #23):
their shape, the cross-checks against the rest of the catalog, and their part of the bundle.

`plan_costs` prices each kind of plan step in cost points (1 point = new spend of 1 % of the
enterprise's annual revenue); `maturity_levels` gives each maturity level's lowest score.
Compiling marks the rubric counts of enterprise-level titles `once: true` (they score at most one).
"""

from __future__ import annotations

from .schema import CITATION, FILE_KEYS, NONNEG, POS, STR, TEXT, ListOf, Obj

__all__ = ["PLAN_COSTS", "MATURITY_LEVELS", "check_plan_costs", "compile_plan_costs"]

_EACH = Obj({"each": NONNEG, "why": TEXT})
PLAN_COSTS = Obj({
    "unit": TEXT,
    "interpretation": TEXT,
    "spend": Obj({"paths": ListOf(STR, 1), "per_percent_of_revenue": NONNEG, "why": TEXT,
                  "assumed_revenue_wan": NONNEG, "assumed_revenue_why": TEXT,
                  "max_share_of_revenue": NONNEG, "max_share_why": TEXT}),
    "titles": Obj({"municipal": NONNEG, "provincial": NONNEG, "national": NONNEG, "why": TEXT}),
    "counts": ListOf(Obj({"path": STR, "each": NONNEG, "why": TEXT}), 1),
    "bands": ListOf(Obj({"fact": STR, "each": NONNEG, "why": TEXT}), 1),
    "scenes": _EACH,
    "items": _EACH,
    "yes_no": _EACH,
    "claim": _EACH,
    "enterprise_titles": Obj({"paths": ListOf(STR, 1), "source": CITATION, "interpretation": TEXT}),
})
MATURITY_LEVELS = Obj({
    "standard": TEXT,
    "levels": ListOf(Obj({"level": POS, "min_score": NONNEG}), 1),
    "evidence": CITATION,
    "interpretation": TEXT,
})

# Two more top-level keys (FORMAT.md "plan-costs.yaml"), registered where they are defined.
FILE_KEYS.update({"plan_costs": (PLAN_COSTS, False), "maturity_levels": (MATURITY_LEVELS, False)})


def check_plan_costs(entries_costs, entries_levels, *, fields: dict, facts: dict, sources: dict) -> None:
    """Paths are profile fields (or facts), citations name known documents, levels rise with
    their scores. ``entries_*`` are the loader's entries (value, at)."""
    for e in entries_costs:
        v, at = e.value, e.at
        for key, name in (("spend", "paths"), ("enterprise_titles", "paths")):
            for i, path in enumerate(v[key][name]):
                if path not in fields:
                    at.child(v, key).child(v[key], name).fail(f"{path!r} is not a profile field")
        for i, row in enumerate(v["counts"]):
            if row["path"] not in fields:
                at.child(v, "counts").child(v["counts"], i).fail(f"{row['path']!r} is not a profile field")
        for i, row in enumerate(v["bands"]):
            if row["fact"] not in fields and row["fact"] not in facts:
                at.child(v, "bands").child(v["bands"], i).fail(f"{row['fact']!r} is neither a profile field nor a fact")
        doc = v["enterprise_titles"]["source"]["doc"]
        if doc not in sources:
            at.child(v, "enterprise_titles").fail(f"unknown source {doc!r}")
    for e in entries_levels:
        v, at = e.value, e.at
        if v["evidence"]["doc"] not in sources:
            at.child(v, "evidence").fail(f"unknown source {v['evidence']['doc']!r}")
        levels = v["levels"]
        for i in range(1, len(levels)):
            if levels[i]["level"] != levels[i - 1]["level"] + 1 or levels[i]["min_score"] <= levels[i - 1]["min_score"]:
                at.child(v, "levels").child(levels, i).fail("levels must run 1, 2, 3 … with rising min_score")


def compile_plan_costs(body: dict, plan_costs, maturity_levels) -> None:
    """Add bundle["plan_costs"] and bundle["maturity_levels"]; mark the rubric counts of
    enterprise-level titles `once: true` (the rubric scores at most one of each)."""
    if plan_costs is None:
        return
    body["plan_costs"] = plan_costs
    if maturity_levels is not None:
        body["maturity_levels"] = maturity_levels
    once = set(plan_costs["enterprise_titles"]["paths"])
    for scheme in body["schemes"].values():
        for item in (scheme.get("rubric") or {}).get("items", []):
            for count in item["scoring"].get("counts", []):
                if count["fact"] in once:
                    count["once"] = True
