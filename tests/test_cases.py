import json

import pytest

from guidegen.core import evaluate_json

from cases import load_cases, mismatches

CASES = load_cases()


def test_there_are_enough_cases():
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c["_where"] for c in CASES])
def test_case(bundle, case):
    result = json.loads(evaluate_json(bundle, json.dumps(case["profile"], ensure_ascii=False), case.get("schemes"),
                                      today=case.get("today")))
    assert mismatches(case, result) == []
