"""Itemized lists (issue #25, contract 1.2): a list's total is the value the rubric reads, a plain
value beside it must equal it, 近三年 is the three calendar years before the evaluation date, contact
columns are personal, and a plan step on an itemized value adds an entry to the list."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from guidegen.catalog.loader import load_catalog
from guidegen.core import evaluate
from guidegen.core.itemized import PLACEHOLDER, itemized_change
from guidegen.core.profile import ProfileError, field_index

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-03-01"


@pytest.fixture(scope="module")
def bundle():
    return load_catalog(ROOT / "catalogs").bundle()


def base():
    return {"profile": 1, "enterprise": {"name": "示例", "city": "株洲市", "employees": 180, "industry_division": "C30"},
            "maturity": {"level": 2, "score": 2.2}, "scenes": {"miit-2021": [5, 7, 8]}, "implementation_plan": "partial"}


def derived(bundle, profile, today=TODAY):
    r = evaluate(bundle, profile, schemes=["zhuzhou-benchmark-sme"], today=today)
    return {k: v["value"] for k, v in r["derived"].items()}, r


def test_sums_counts_and_the_latest_year_are_the_plain_values(bundle):
    p = base()
    p["itemized"] = {
        "core_equipment": [{"name": "A", "amount": 300, "origin": "local", "year": 2024},
                           {"name": "B", "amount": 200.5, "year": 2023},
                           {"name": "C", "amount": 99, "year": 2022},          # before 2023: not 近三年
                           {"name": "D", "amount": 10}],                        # no year: taken as the enterprise says
        "services": [{"name": "S", "amount": 50, "provider_location": "local", "year": 2025}],
        "patents": [{"name": "p1", "kind": "invention"}, {"name": "p2", "kind": "invention", "status": "pending"},
                    {"name": "p3", "kind": "utility"}, {"name": "p4", "kind": "software"}, {"name": "p5", "kind": "design"}],
        "standards": [{"name": "s1", "level": "national"}, {"name": "s2", "level": "enterprise"}, {"name": "s3"}],
        "reports": [{"name": "r1"}, {"name": "r2"}],
        "rd_centers": [{"name": "c1", "level": "provincial"}, {"name": "c2", "level": "municipal"}],
        "research_partners": [{"name": "u1", "kind": "university"}, {"name": "v1", "kind": "supplier"}, {"name": "x"}],
        "financials": [{"year": 2025, "operating_revenue": 9000, "main_revenue": 8800, "employees": 180},
                       {"year": 2024, "operating_revenue": 8000}],
    }
    d, r = derived(bundle, p)
    assert d["investment_wan.core_equipment"] == 510.5 and d["investment_wan.local_core_equipment"] == 300
    assert d["investment_wan.services"] == 50 and d["investment_wan.local_services"] == 50
    assert d["investment_total_wan"] == 560.5
    assert d["local_equipment_share"] == pytest.approx(300 / 510.5 * 100, abs=0.01)
    assert (d["achievements.invention_patents"], d["achievements.utility_patents"], d["achievements.software_copyrights"]) == (1, 1, 1)
    assert d["achievements.standards"] == 2 and d["achievements.reports"] == 2
    assert (d["rd_centers.national"], d["rd_centers.provincial"], d["rd_centers.municipal"]) == (0, 1, 1)
    assert d["research_partners"] == 2
    assert d["enterprise.revenue_wan"] == 9000 and d["enterprise.employees"] == 180
    assert "2023–2025" in r["derived"]["investment_wan.core_equipment"]["how"]["zh"]
    # the same numbers given plainly score the same
    plain = base()
    plain.update({"investment_wan": {"core_equipment": 510.5, "local_core_equipment": 300, "services": 50, "local_services": 50},
                  "achievements": {"invention_patents": 1, "utility_patents": 1, "software_copyrights": 1, "standards": 2, "reports": 2},
                  "rd_centers": {"national": 0, "provincial": 1, "municipal": 1}, "research_partners": 2})
    plain["enterprise"]["revenue_wan"] = 9000
    _, again = derived(bundle, plain)
    assert r["results"][0]["score"] == again["results"][0]["score"]


def test_the_window_moves_with_the_evaluation_date(bundle):
    p = base()
    p["itemized"] = {"core_equipment": [{"name": "A", "amount": 100, "year": 2022}, {"name": "B", "amount": 1, "year": 2025}]}
    assert derived(bundle, p, "2025-06-01")[0]["investment_wan.core_equipment"] == 100    # 2022–2024
    assert derived(bundle, p, "2026-01-01")[0]["investment_wan.core_equipment"] == 1      # 2023–2025


def test_a_plain_value_beside_a_list_must_equal_it(bundle):
    p = base()
    p["itemized"] = {"patents": [{"name": "p", "kind": "invention"}], "core_equipment": [{"name": "A", "amount": 100}]}
    p["achievements"] = {"invention_patents": 1}
    p["investment_wan"] = {"core_equipment": 100}
    derived(bundle, p)   # equal: fine
    p["achievements"]["invention_patents"] = 3
    p["investment_wan"]["core_equipment"] = 120
    with pytest.raises(ProfileError) as err:
        evaluate(bundle, p, today=TODAY)
    by = {e["field"]: e["message"]["zh"] for e in err.value.errors}
    assert "3" in by["achievements.invention_patents"] and "1" in by["achievements.invention_patents"]
    assert "itemized.patents" in by["achievements.invention_patents"]
    assert "120" in by["investment_wan.core_equipment"] and "100" in by["investment_wan.core_equipment"]


@pytest.mark.parametrize("bad, field", [
    ({"core_equipment": "x"}, "itemized.core_equipment"),
    ({"core_equipment": [{"name": "A", "amount": -1}]}, "itemized.core_equipment[0].amount"),
    ({"core_equipment": [{"name": "A", "origin": "mars"}]}, "itemized.core_equipment[0].origin"),
    ({"core_equipment": [{"name": "A", "colour": "red"}]}, "itemized.core_equipment[0].colour"),
    ({"financials": [{"year": 2024}, {"year": 2024}]}, "itemized.financials[1].year"),
    ({"financials": [{"total_assets": 1}]}, "itemized.financials[0].year"),
])
def test_bad_entries_are_field_errors(bundle, bad, field):
    p = base()
    p["itemized"] = bad
    with pytest.raises(ProfileError) as err:
        evaluate(bundle, p, today=TODAY)
    assert field in [e["field"] for e in err.value.errors]


def test_contact_columns_are_personal(bundle):
    fields = field_index(bundle)
    contact = [(path, c["key"]) for path, f in fields.items() for c in f.get("item", []) if "contact" in c["key"]]
    assert contact == [("scene_instances", "contact")]
    assert all(c.get("personal") for f in fields.values() for c in f.get("item", []) if "contact" in c["key"])


def test_a_plan_step_on_an_itemized_value_adds_an_entry(bundle):
    fields = field_index(bundle)
    p = base()
    p["itemized"] = {"core_equipment": [{"name": "A", "amount": 800, "origin": "local"}], "patents": [{"name": "p", "kind": "invention"}]}
    now, _ = derived(bundle, p)
    change = itemized_change(fields, p, {"investment_wan.core_equipment": 1500, "investment_wan.local_core_equipment": 1100,
                                         "achievements.invention_patents": 3, "honors.municipal": 2}, totals=now)
    assert change["honors.municipal"] == 2 and "investment_wan.core_equipment" not in change
    assert change["itemized.core_equipment"][1:] == [{"name": PLACEHOLDER, "amount": 300, "origin": "local"},
                                                     {"name": PLACEHOLDER, "amount": 400}]
    assert change["itemized.patents"][1:] == [{"name": PLACEHOLDER, "kind": "invention"}] * 2
    after = copy.deepcopy(p)
    after["itemized"]["core_equipment"] = change["itemized.core_equipment"]
    after["itemized"]["patents"] = change["itemized.patents"]
    d, _ = derived(bundle, after)
    assert (d["investment_wan.core_equipment"], d["investment_wan.local_core_equipment"], d["achievements.invention_patents"]) == (1500, 1100, 3)
    # a profile without lists keeps its plain change
    assert itemized_change(fields, base(), {"investment_wan.core_equipment": 1500}) == {"investment_wan.core_equipment": 1500}


@pytest.mark.parametrize("itemize", [False, True])
def test_every_plan_route_still_reaches_its_total_with_lists_and_without(bundle, itemize):
    from guidegen.core.plan import apply_change
    fields = field_index(bundle)
    p = base()
    p["investment_wan"] = {"core_equipment": 300, "services": 50}
    p["achievements"] = {"invention_patents": 1}
    if itemize:
        del p["investment_wan"], p["achievements"]
        p["itemized"] = {"core_equipment": [{"name": "A", "amount": 300}], "services": [{"name": "S", "amount": 50}],
                         "patents": [{"name": "p", "kind": "invention"}]}
    result = evaluate(bundle, p, schemes=["zhuzhou-benchmark-sme"], today=TODAY)
    r = result["results"][0]
    routes = r.get("plans") or ([r["plan"]] if r.get("plan") else [])
    if not routes:
        pytest.skip("no plan for this profile")
    now = {k: v["value"] for k, v in result["derived"].items()} | {"investment_wan.core_equipment": 300, "investment_wan.services": 50,
                                                                   "achievements.invention_patents": 1}
    for route in routes:
        if not route.get("reachable"):
            continue
        change = {}
        for step in route["steps"]:
            change.update(step["change"])
        change = itemized_change(fields, p, change, totals=now)
        nested = {k: v for k, v in change.items() if not k.startswith("itemized.")}
        after = apply_change(p, nested)
        for k, v in change.items():
            if k.startswith("itemized."):
                after.setdefault("itemized", {})
                after["itemized"] = {**after["itemized"], k.split(".", 1)[1]: v}
        again = evaluate(bundle, after, schemes=["zhuzhou-benchmark-sme"], today=TODAY)["results"][0]
        assert Decimal(str(again["score"]["total"])) >= Decimal(str(route["total_after"])), route["id"] if "id" in route else route


def test_share_links_leave_out_personal_columns_of_list_entries(bundle, tmp_path):
    """calculator/profile.js withoutPersonal (share links) drops the contact of a scene instance."""
    import shutil
    import subprocess
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is needed to run calculator/profile.js")
    (tmp_path / "bundle.json").write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    profile = {"application": {"contact_phone": "13800000000"},
               "scene_instances": {"miit-2024": [{"scene": 9, "name": "实例", "contact": "王工 13900000000", "supplier": "某公司"}]}}
    script = tmp_path / "share.mjs"
    script.write_text(
        f'import {{ withoutPersonal }} from {json.dumps((ROOT / "calculator" / "profile.js").as_uri())};\n'
        'import { readFileSync } from "node:fs";\n'
        f'const bundle = JSON.parse(readFileSync({json.dumps(str(tmp_path / "bundle.json"))}, "utf8"));\n'
        f'process.stdout.write(JSON.stringify(withoutPersonal({json.dumps(profile, ensure_ascii=False)}, bundle)));\n',
        encoding="utf-8")
    out = json.loads(subprocess.run([node, str(script)], capture_output=True, text=True, timeout=60, check=True).stdout)
    assert out["scene_instances"]["miit-2024"] == [{"scene": 9, "name": "实例", "supplier": "某公司"}]
    assert "contact_phone" not in out.get("application", {})
