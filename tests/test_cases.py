import json

import pytest

from guidegen.core import evaluate_json

from cases import load_cases, mismatches, unknown_keys

CASES = load_cases()


def test_there_are_enough_cases():
    assert len(CASES) >= 60


def test_case_files_use_only_known_keys():
    assert {c["_where"]: unknown_keys(c) for c in CASES if unknown_keys(c)} == {}


@pytest.mark.parametrize("typo", [
    {"todya": "2025-04-01"},
    {"expected": {"zhuzhou-benchmark-workshop": {"totl": 90}}},
    {"expected": {"zhuzhou-benchmark-workshop": {"plan": {"reachble": True}}}},
    {"expected": {"derived": {}, "zhuzhou-benchmark-workshop": 90}},
])
def test_a_typo_in_a_case_fails_it(bundle, typo):
    case = {"name": "t", "description": "t", "profile": {"profile": 1}, "expected": {}}
    case.update(typo)
    result = json.loads(evaluate_json(bundle, json.dumps(case["profile"]), None))
    assert mismatches(case, result)


@pytest.mark.parametrize("case", CASES, ids=[c["_where"] for c in CASES])
def test_case(bundle, case):
    result = json.loads(evaluate_json(bundle, json.dumps(case["profile"], ensure_ascii=False), case.get("schemes"),
                                      today=case.get("today")))
    assert mismatches(case, result) == []
