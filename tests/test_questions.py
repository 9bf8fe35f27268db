"""guidegen.core.questions: the questions each scheme reads, derived from its rules, in form order,
and sufficient — a full profile with every other answer removed gets the same result."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from guidegen.core import evaluate, questions, questions_json
from guidegen.core import DERIVED_FROM, profile_inputs
from guidegen.core.facts import derive_facts
from guidegen.core.profile import check_profile
from guidegen.core.questions import facts_read
from guidegen.profile_file import read_profile

from conftest import ROOT

# What a scheme decides: everything of its result the rules produce (the KPI worksheet and the
# application summary of issue #16 read application fields, which are not questions of a rule).
DECIDED = ("verdict", "call", "eligibility", "conditions", "score", "plan", "level", "reachable_level", "levels",
           "next_level", "gaps")


def full_profile(bundle: dict) -> dict:
    """The example enterprise with every question answered: every declaration yes, every guide's
    scenes ticked, every count and flag given."""
    profile = read_profile(ROOT / "examples" / "profile-equipment.yaml")
    profile["declarations"] = {d: True for d in bundle["declarations"]}
    profile["enterprise"]["above_designated_size"] = True
    profile["enterprise"]["sector"] = "equipment"
    profile.setdefault("changzhou", {}).update({"free_diagnosis": True, "integration_grade": "aa",
                                                "digital_maturity_level": 2})
    for path in ("honors.national-pilot-demo", "honors.provincial-benchmark-enterprise", "rd_centers.national"):
        head, tail = path.split(".")
        profile.setdefault(head, {})[tail] = 1
    return profile


def restrict(profile: dict, asked: list[dict]) -> dict:
    """Only the answers to ``asked``."""
    fields = {q["path"] for q in asked if q["kind"] == "field"}
    out: dict = {"profile": 1}
    for key, value in profile.items():
        if key == "scenes":
            guides = {q["guide"] for q in asked if q["kind"] == "scenes"}
            kept = {g: v for g, v in value.items() if g in guides}
            if kept:
                out["scenes"] = kept
        elif key == "declarations":
            ids = {q["id"] for q in asked if q["kind"] == "declaration"}
            kept = {d: v for d, v in value.items() if d in ids}
            if kept:
                out["declarations"] = kept
        elif key == "support_elements":
            if any(q["kind"] == "support_elements" for q in asked):
                out[key] = value
        elif key == "constraints":
            # the user's own limits on a plan (budget): set beside the result, not asked as a question
            out[key] = value
        elif isinstance(value, dict):
            kept = {k: v for k, v in value.items() if f"{key}.{k}" in fields}
            if kept:
                out[key] = kept
        elif key in fields:
            out[key] = value
    return out


def decided(result: dict, scheme: str) -> dict:
    r = next(r for r in result["results"] if r["scheme"] == scheme)
    return {k: r.get(k) for k in DECIDED}


@pytest.mark.parametrize("scheme", ["changzhou-smart-factory-2023", "hunan-advanced-factory-2025",
                                    "national-demo-factory-2021", "national-excellent-scene-2021",
                                    "smart-factory-levels", "zhuzhou-benchmark-sme", "zhuzhou-benchmark-workshop"])
def test_the_questions_of_a_scheme_are_enough(bundle, scheme):
    assert scheme in bundle["schemes"]
    profile = full_profile(bundle)
    asked = questions(bundle, [scheme])
    small = restrict(profile, asked)
    assert len(json.dumps(small)) < len(json.dumps(profile))  # something was removed
    for today in ("2021-11-01", "2026-01-01"):
        full = decided(evaluate(bundle, profile, schemes=[scheme], today=today), scheme)
        only = decided(evaluate(bundle, small, schemes=[scheme], today=today), scheme)
        assert only == full


def test_questions_come_in_form_order(bundle):
    asked = questions(bundle)
    order = {}
    for section in bundle["profile"]["sections"]:
        for f in section["fields"]:
            order[f["path"]] = len(order)
    position = []
    for q in asked:
        if q["kind"] == "field":
            position.append((0, order[q["path"]]))
            assert q["section"] in {s["id"] for s in bundle["profile"]["sections"]}
        elif q["kind"] == "support_elements":
            position.append((0, order["support_elements"]))
        elif q["kind"] == "scenes":
            position.append((1, list(bundle["guides"]).index(q["guide"])))
        else:
            position.append((2, list(bundle["declarations"]).index(q["id"])))
    assert position == sorted(position)
    assert len({json.dumps(q, sort_keys=True) for q in asked}) == len(asked)


def test_each_question_lists_the_schemes_that_read_it(bundle):
    asked = {(q["kind"], q.get("path") or q.get("guide") or q.get("id") or ""): q for q in questions(bundle)}
    assert asked[("field", "maturity.score")]["schemes"] == ["zhuzhou-benchmark-sme", "zhuzhou-benchmark-workshop"]
    assert asked[("support_elements", "")]["schemes"] == ["changzhou-smart-factory-2023"]
    assert "smart-factory-levels" in asked[("scenes", "miit-2024")]["schemes"]
    # Derived facts map back to what they come from: size class → employees and revenue (SME only).
    assert "zhuzhou-benchmark-sme" in asked[("field", "enterprise.employees")]["schemes"]
    assert "zhuzhou-benchmark-workshop" not in asked[("field", "enterprise.employees")]["schemes"]
    # Local shares → the investment fields.
    assert "zhuzhou-benchmark-sme" in asked[("field", "investment_wan.local_core_equipment")]["schemes"]


def test_a_scheme_without_a_rubric_asks_no_rubric_question(bundle):
    paths = {q.get("path") for q in questions(bundle, ["national-excellent-scene-2021"])}
    assert "honors.municipal" not in paths and "maturity.score" not in paths


def test_derived_facts_come_only_from_the_fields_named_for_them(bundle):
    """The one derivation table (guidegen.core DERIVED_FROM, followed down to the questions by
    profile_inputs) against core/facts.py: a full profile cut down to a derived fact's inputs
    derives the same value."""
    flat = check_profile(bundle, full_profile(bundle))
    facts = derive_facts(bundle, flat)[0]
    read = set().union(*(facts_read(s) for s in bundle["schemes"].values()))
    for fact in read:
        if fact in DERIVED_FROM and fact in facts:
            only = {p: v for p, v in flat.items() if p in profile_inputs(fact)}
            assert derive_facts(bundle, only)[0].get(fact) == facts[fact], fact


def test_questions_json_for_the_browser(bundle):
    out = json.loads(questions_json(bundle, json.dumps(["zhuzhou-benchmark-sme"])))
    assert out == questions(bundle, ["zhuzhou-benchmark-sme"])
    assert json.loads(questions_json(bundle, None)) == questions(bundle)
    for bad in ('["nope"]', '"zhuzhou-benchmark-sme"', "{", "[1]"):
        errors = json.loads(questions_json(bundle, bad))["errors"]
        assert errors[0]["field"] == "schemes" and errors[0]["message"]["zh"] and errors[0]["message"]["en"]


def test_cli_questions(bundle):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "guidegen.cli", "questions", *args], capture_output=True,
                              text=True, cwd=ROOT)
    got = run("--scheme", "smart-factory-levels", "--json")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == questions(bundle, ["smart-factory-levels"])
    text = run("--scheme", "smart-factory-levels")
    assert text.returncode == 0 and "maturity.level" in text.stdout and "scenes.miit-2024" in text.stdout
    bad = run("--scheme", "nope")
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr
