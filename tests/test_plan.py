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


# ------------------------------------------------------------- routes (issue #23)

CLAIMABLE = {  # 46-plan-routes.yaml #4: 2024 scene 14 ticked, its `renamed` 2021 scene 19 completes coverage A
    "profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36", "employees": 650, "revenue_wan": 28000},
    "maturity": {"level": 3, "score": 3.8}, "investment_wan": {"core_equipment": 900, "local_core_equipment": 0},
    "implementation_plan": "whole", "scenes": {"miit-2021": [1, 5, 7, 10, 22, 44], "miit-2024": [14]},
    "honors": {"integration-certified": False, "maturity-certified": False}, "achievements": {"invention_patents": 3},
    "team": {"dedicated_team": True, "senior_core_staff": True}, "research_partners": 3,
    "growth_honor": "municipal-little-giant", "new_technologies": ["digital-twin"], "new_modes": ["predictive-maintenance"]}


def _route(result, rid):
    return next((p for p in result["plans"] if p["id"] == rid or rid in p.get("also", [])), None)


def test_a_claim_counts_only_once_confirmed_and_a_declined_scene_is_never_claimed(bundle):
    result = _result(bundle, CLAIMABLE)
    claim = _route(result, "claim")
    assert result["plan"] is claim and claim["reachable"]
    (step,) = claim["steps"]
    assert step["kind"] == "claim" and step["confirm"] == {"scenes.miit-2021": [19]}
    assert step["message"]["zh"].count("确认已实施") == 1 and "Confirm you have" in step["message"]["en"]
    # Proposed but not confirmed: it counts toward nothing, and is still the claim.
    proposed = {**CLAIMABLE, "scenes_proposed": {"miit-2021": [19]}}
    again = _result(bundle, proposed)
    assert again["score"]["total"] == result["score"]["total"] == 70
    assert _route(again, "claim")["steps"][0]["confirm"] == {"scenes.miit-2021": [19]}
    # Confirmed (moved into scenes): 80.
    assert _result(bundle, apply_change(CLAIMABLE, step["change"]))["score"]["total"] == 80
    # Declined: never proposed again; the scene may still be new work in another route.
    declined = _result(bundle, {**CLAIMABLE, "scenes_declined": {"miit-2021": [19]}})
    assert _route(declined, "claim") is None
    assert all(s["kind"] != "claim" for p in declined["plans"] for s in p["steps"])


def test_an_answered_title_is_not_claimed(bundle):
    """Only an unanswered yes/no title is a claim: "no" (also what an honours gate answered no writes) is
    an answer."""
    open_ = {**{k: v for k, v in CLAIMABLE.items() if k != "honors"}, "scenes": {"miit-2021": [1, 5, 7, 10, 22, 44]}}
    claims = [s for p in _result(bundle, open_)["plans"] for s in p["steps"] if s["kind"] == "claim"]
    assert {p for s in claims for p in s["confirm"]} >= {"honors.integration-certified"}
    answered = [s for p in _result(bundle, {**open_, "honors": CLAIMABLE["honors"]})["plans"] for s in p["steps"]
                if s["kind"] == "claim"]
    assert not answered
    assert all(not p.startswith("honors.") for s in answered for p in s["confirm"])


def test_an_enterprise_level_title_counts_once_with_a_warning(bundle):
    profile = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36"},
               "honors": {"provincial-demo-enterprise": 3, "provincial-demo-workshop": 3}}
    out = evaluate(bundle, profile, schemes=[WORKSHOP], today="2025-01-01")
    items = {i["id"]: i for i in out["results"][0]["score"]["items"]}
    assert items["honors"]["points"] == 4 + 3 * 2  # the enterprise title once, workshops each
    assert "只计一次" in items["honors"]["message"]["zh"]
    (warning,) = [w for w in out["warnings"] if w["kind"] == "title-once"]
    assert warning["field"] == "honors.provincial-demo-enterprise"
    for plan in out["results"][0]["plans"]:
        for step in plan["steps"]:
            assert "honors.provincial-demo-enterprise" not in step["change"]


def test_a_level_above_its_score_is_a_warning_and_never_raised_alone(bundle):
    profile = {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36"}, "maturity": {"level": 3, "score": 2.0}}
    out = evaluate(bundle, profile, schemes=[SME], today="2025-01-01")
    (warning,) = [w for w in out["warnings"] if w["kind"] == "maturity-above-score"]
    assert "GB/T 39117-2020" in warning["message"]["zh"] and "level 2" in warning["message"]["en"]
    assert {i["id"]: i["points"] for i in out["results"][0]["score"]["items"]}["maturity-level"] == 10
    assert not any(w["kind"] == "maturity-above-score" for w in
                   evaluate(bundle, {**profile, "maturity": {"level": 2, "score": 2.0}}, schemes=[SME])["warnings"])
    # From nothing: a level step comes with (after) a score step that supports it.
    for plan in _result(bundle, {"profile": 1, "enterprise": {"city": "株洲市", "industry_division": "C36"}})["plans"]:
        items = [s["item"] for s in plan["steps"]]
        if "maturity-level" in items:
            assert "maturity-score" in items and items.index("maturity-score") < items.index("maturity-level")


def test_spend_above_the_share_of_revenue_only_when_nothing_else_reaches_and_it_says_so(bundle):
    """Everything at its highest but spend (and so the local shares): 100; with the pass mark at 125 only
    3000 of spend and half of it local reach it. On 2000 revenue that is 150 %: above the 20 % a route may
    add without a budget, so the routes go beyond it and say so; with a budget of 100 they stay within it
    and cannot reach."""
    profile = copy.deepcopy(OTHER_SECTOR)
    profile["enterprise"] = {"city": "株洲市", "industry_division": "C36", "employees": 650, "revenue_wan": 2000}
    profile["investment_wan"] = {"core_equipment": 0, "services": 0}
    profile["activities"] = {"national": 2}
    marked = _with_pass_mark(bundle, SME, 125)
    result = _result(marked, profile)
    least = _route(result, "least-cost")
    assert least["reachable"] and least["cost"]["spend_wan"] == 3000 and least["cost"]["spend_share"] == 150
    assert "20%" in least["note"]["zh"] and "20 %" in least["note"]["en"]
    tight = _result(marked, {**profile, "constraints": {"budget_wan": 100}})
    for plan in tight["plans"]:
        assert plan["cost"]["spend_wan"] <= 100 and not plan["reachable"]
    assert "100" in _route(tight, "least-cost")["note"]["zh"]


def test_results_do_not_depend_on_what_was_evaluated_before(bundle):
    """The engine remembers options, gaps and routes between evaluations (the calculator
    re-evaluates on every keystroke); a remembered answer must never leak into another
    profile's result. Every worked case, evaluated in file order and then shuffled, gives
    the same result: the Pyodide parity run evaluates them in one process too."""
    import random
    from cases import load_cases

    cases = load_cases()

    def run(order):
        out = {}
        for i in order:
            c = cases[i]
            try:
                r = evaluate(bundle, c["profile"], schemes=c.get("schemes"), today=c.get("today"))
            except Exception as exc:  # invalid-profile cases: the error text must not vary either
                r = repr(exc)
            out[i] = json.dumps(r, sort_keys=True, ensure_ascii=False, default=str)
        return out

    first = run(range(len(cases)))
    order = list(range(len(cases)))
    random.Random(20261206).shuffle(order)
    again = run(order)
    assert [cases[i]["_where"] for i in order if first[i] != again[i]] == []
