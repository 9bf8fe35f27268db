"""The plan to the pass mark (profile.md 1.1): an unreachable pass mark, a local share that
needs spend first, changes applied and evaluated again, messages that name the item, and
gaps that offer the cheapest option and never the un-actionable. Worked plans for real
profiles are in tests/cases/45-plans.yaml."""

from __future__ import annotations

import copy
import json

import pytest

from guidegen.core import apply_change, evaluate
from guidegen.core.actions import actionable

SME = "zhuzhou-benchmark-sme"
WORKSHOP = "zhuzhou-benchmark-workshop"


def _with_pass_mark(bundle: dict, scheme: str, mark) -> dict:
    """The bundle with one scheme's pass mark moved (the catalog's number, not the engine's)."""
    changed = copy.deepcopy(bundle)
    changed["schemes"][scheme]["rubric"]["pass_mark"] = mark
    return changed


def _result(bundle, profile, scheme=SME, **kw):
    return next(r for r in evaluate(bundle, profile, schemes=[scheme], **kw)["results"] if r["scheme"] == scheme)


def _apply_plan(profile: dict, plan: dict) -> dict:
    for step in plan["steps"]:
        profile = apply_change(profile, step["change"])
    return profile


# Sector `other`: every item at its highest except events. Coverage can reach only B (8 of 10),
# new technology and new mode only B (4 of 5): the highest total is 130 − 2 − 1 − 1 = 126.
OTHER_SECTOR = {
    "profile": 1,
    "enterprise": {"city": "株洲市", "sector": "other", "employees": 650, "revenue_wan": 28000},
    "maturity": {"level": 3, "score": 3.8},
    "investment_wan": {"core_equipment": 3000, "local_core_equipment": 1500, "services": 100, "local_services": 50},
    "implementation_plan": "whole",
    "scenes": {"miit-2021": [1, 5, 7, 10, 19, 22, 44]},
    "honors": {"national-demo-factory": 1},
    "achievements": {"invention_patents": 3},
    "team": {"dedicated_team": True, "senior_core_staff": True},
    "research_partners": 3,
    "case_awards": {"national": 1},
    "growth_honor": "single-champion",
    "new_technologies": ["digital-twin"],
    "new_modes": ["predictive-maintenance"],
}


def test_unreachable_pass_mark_gives_the_best_total(bundle):
    """Worked by hand: 10 + 10 + 20 + 5 + coverage B 8 + honors 5 + patents 15 + support 10 + case 5 +
    events 0 + shares 5 + 5 + champion 10 + B 4 + B 4 = 116. With the pass mark at 127 (a catalog
    copy) only events can rise: +10 by two national events (国家级 2 × 3 = effort 6; ten municipal
    events would be 10, five provincial 10) → 126 < 127: reachable false, total_after 126."""
    result = _result(_with_pass_mark(bundle, SME, 127), OTHER_SECTOR)
    assert result["score"]["total"] == 116
    plan = result["plan"]
    assert plan["reachable"] is False
    assert plan["target"] == 127
    assert plan["total_after"] == 126
    assert [(s["item"], s["points"], s["change"]) for s in plan["steps"]] == [
        ("activities", 10, {"activities.national": 2})]
    again = _result(_with_pass_mark(bundle, SME, 127), _apply_plan(OTHER_SECTOR, plan))
    assert again["score"]["total"] == 126
    # With the real pass mark (80) there is nothing to plan.
    assert _result(bundle, OTHER_SECTOR)["plan"] is None


def test_a_local_share_of_spend_not_yet_made_comes_after_the_spend(bundle):
    """Equipment sector, everything at its highest but spend (none, so both local shares are 0 % of
    nothing): 130 − 20 − 5 − 5 = 100. With the pass mark at 125 two steps are needed: spend to
    3000 万元 (+20) and then half of it local (+5). Services stay 0: the spend goes to core
    equipment, so the service share cannot rise."""
    profile = copy.deepcopy(OTHER_SECTOR)
    profile["enterprise"] = {"city": "株洲市", "industry_division": "C36", "employees": 650, "revenue_wan": 28000}
    profile["investment_wan"] = {"core_equipment": 0, "services": 0}
    profile["activities"] = {"national": 2}
    marked = _with_pass_mark(bundle, SME, 125)
    result = _result(marked, profile)
    assert result["score"]["total"] == 100
    plan = result["plan"]
    assert plan["reachable"] is True
    assert [(s["item"], s["points"], s["change"]) for s in plan["steps"]] == [
        ("investment", 20, {"investment_wan.core_equipment": 3000}),
        ("local-equipment-share", 5, {"investment_wan.local_core_equipment": 1500}),
    ]
    assert _result(marked, _apply_plan(profile, plan))["score"]["total"] == 125
    # The share alone is no gap: it needs the spend the investment gap asks for.
    assert "local-equipment-share" not in {g.get("item") for g in result["gaps"]}


def test_more_spend_keeps_the_local_share(bundle):
    """Spend 1200 (local 500, 41.67 %) + 400 (local 100, 25 %) → 1600, band B. Raising it to 3000 adds
    1400 to core equipment and raises its local part in proportion (41.67 % of 2600 = 1083.34), so
    the local-equipment-share item keeps its 4 points."""
    profile = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 650,
                                              "revenue_wan": 28000},
               "investment_wan": {"core_equipment": 1200, "local_core_equipment": 500, "services": 400,
                                  "local_services": 100}}
    result = _result(bundle, profile)
    gap = next(g for g in result["gaps"] if g.get("item") == "investment")
    assert gap["change"] == {"investment_wan.core_equipment": 2600, "investment_wan.local_core_equipment": 1083.34}
    after = _result(bundle, apply_change(profile, gap["change"]))
    items = {i["id"]: i["points"] for i in after["score"]["items"]}
    assert items["investment"] == 20 and items["local-equipment-share"] == 4


def test_steps_name_their_rubric_item_in_both_languages(bundle):
    result = _result(bundle, {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36",
                                                          "employees": 650, "revenue_wan": 28000}})
    titles = {i["id"]: i["title"] for i in bundle["schemes"][SME]["rubric"]["items"]}
    assert result["plan"]["steps"]
    for step in result["plan"]["steps"]:
        assert step["message"]["zh"].startswith(titles[step["item"]]["zh"])
        assert step["message"]["en"].startswith(titles[step["item"]]["en"])
        assert f"+{step['points']}" in step["message"]["en"]


def test_rubric_gaps_offer_the_cheapest_option_not_only_the_national_one(bundle):
    """Honours: one municipal title (+1, 市级) before a national one (+5); events likewise; no long
    option text from the source in the advice (it stays in the item's message and citation)."""
    profile = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 650,
                                              "revenue_wan": 28000}, "new_technologies": []}
    gaps = {g["item"]: g for g in _result(bundle, profile)["gaps"] if "item" in g}
    assert gaps["honors"]["change"] == {"honors.municipal": 1} and gaps["honors"]["points"] == 1
    assert gaps["activities"]["change"] == {"activities.municipal": 1}
    labels = [o["label"]["zh"] for i in bundle["schemes"][SME]["rubric"]["items"]
              for o in i["scoring"].get("tiers", []) + i["scoring"].get("options", [])]
    for g in gaps.values():
        assert not any(label in g["zh"] for label in labels if len(label) > 30), g["zh"]


def test_condition_gaps_never_ask_to_change_what_the_enterprise_is(bundle):
    """Registered elsewhere, a large enterprise, sector not one of the four: those conditions fail and
    their gaps say so without advising a move, a different size or industry."""
    profile = {"profile": 1, "enterprise": {"city": "长沙市", "industry_division": "C36", "employees": 5000,
                                              "revenue_wan": 900000, "independent_legal_person": True,
                                              "manufacturing": True}}
    result = _result(bundle, profile)
    rows = {c["id"]: c for c in result["conditions"]}
    for cid in ("registered-in-zhuzhou", "sme"):
        assert rows[cid]["status"] == "fail"
        assert rows[cid]["gap"]["actionable"] is False
    for gap in result["gaps"]:
        assert ("condition" in gap) != ("item" in gap)
        if gap.get("actionable") is False:
            assert "株洲" not in gap["zh"].split("：", 1)[1]
    # Every gap names its condition (by title) or its rubric item (by title).
    titles = [c["title"]["zh"] for c in bundle["schemes"][SME]["conditions"]] + \
        [i["title"]["zh"] for i in bundle["schemes"][SME]["rubric"]["items"]]
    for gap in result["gaps"]:
        assert any(t in gap["zh"] for t in titles), gap["zh"]


def test_plan_changes_only_what_the_enterprise_can_act_on(bundle):
    result = _result(bundle, {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36"}})
    for step in result["plan"]["steps"]:
        for path in step["change"]:
            assert actionable(bundle, path), path
            assert not path.startswith(("enterprise.", "declarations."))


@pytest.mark.parametrize("today, status", [("2025-04-28", "open"), ("2025-04-29", "closed")])
def test_a_closed_call_is_still_evaluated_and_says_it_predicts_the_next(bundle, today, status):
    profile = {"profile": 1, "enterprise": {"revenue_wan": 5000}}
    result = _result(bundle, profile, "hunan-advanced-factory-2025", today=today)
    assert result["call"]["deadline"] == "2025-04-28"
    assert result["call"]["status"] == status
    assert ("note" in result["call"]) == (status == "closed")
    if status == "closed":
        assert "下一期" in result["call"]["note"]["zh"] and "next call" in result["call"]["note"]["en"]
    assert result["conditions"] and result["verdict"] == "pending"


def test_today_must_be_a_date(bundle):
    from guidegen.core import ProfileError, evaluate_json
    for bad in ("2025-13-01", "tomorrow", "2025-1-1", 20250101):
        with pytest.raises(ProfileError) as exc:
            evaluate(bundle, {"profile": 1}, today=bad)
        assert exc.value.errors[0]["field"] == "today"
    out = json.loads(evaluate_json(bundle, "{}", None, today="nope"))
    assert out["errors"][0]["field"] == "today"


def test_apply_change_is_pure():
    profile = {"profile": 1, "honors": {"municipal": 1}, "maturity": {"level": 2}}
    changed = apply_change(profile, {"honors.municipal": 3, "scenes.miit-2021": [1, 2], "implementation_plan": "whole"})
    assert profile == {"profile": 1, "honors": {"municipal": 1}, "maturity": {"level": 2}}
    assert changed == {"profile": 1, "honors": {"municipal": 3}, "maturity": {"level": 2},
                       "scenes": {"miit-2021": [1, 2]}, "implementation_plan": "whole"}


def test_no_declarations_answered_gives_no_confirmed_level(bundle):
    """The issue's complaint: a profile with no declarations answered was labelled 领航级."""
    profile = {"profile": 1, "enterprise": {"revenue_wan": 5000}, "maturity": {"level": 4},
               "scenes": {"miit-2024": [1, 3, 7, 9, 25]}}
    result = _result(bundle, profile, "smart-factory-levels")
    assert result["level"] is None
    assert result["reachable_level"] == "leading"
    assert result["verdict"] == "pending"
    declared = {d: True for lvl in bundle["schemes"]["smart-factory-levels"]["levels"]
                for c in lvl["conditions"] if "declaration" in c["rule"] for d in [c["rule"]["declaration"]]}
    declared.update({c["rule"]["declaration"]: True for c in bundle["schemes"]["smart-factory-levels"]["conditions"]
                     if "declaration" in c["rule"]})
    confirmed = _result(bundle, {**profile, "declarations": declared}, "smart-factory-levels")
    assert confirmed["level"] == "leading" and confirmed["verdict"] == "qualifies"


def test_remembered_options_and_plans_change_nothing(bundle):
    """Options, gaps and plans are remembered between evaluations (the calculator re-evaluates on
    every edit): the results equal a fresh evaluation, and changing a result changes no later one."""
    first = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 650,
                                            "revenue_wan": 28000}, "maturity": {"level": 3, "score": 3.1}}
    second = apply_change(first, {"maturity.score": 2.0, "honors.municipal": 2})
    a1 = evaluate(bundle, first, today="2025-01-01")
    json.dumps(a1)
    b = evaluate(bundle, second, today="2025-01-01")
    for r in a1["results"]:  # a caller scribbling on a result
        if r.get("plan"):
            r["plan"]["steps"][0]["change"]["maturity.level"] = 99
            r["plan"]["steps"][0]["message"]["zh"] = "x"
        for g in r["gaps"]:
            g.get("change", {}).clear()
    a2 = evaluate(bundle, first, today="2025-01-01")
    fresh = json.loads(json.dumps(evaluate(copy.deepcopy(bundle), first, today="2025-01-01")))
    assert json.loads(json.dumps(a2)) == fresh
    assert b != a2
