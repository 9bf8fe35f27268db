"""Readings changed by issue #10 whose evidence is in the messages, not only in the statuses
(the statuses are worked cases in tests/cases/23-, 41-, 71-, 72-*.yaml)."""

from decimal import Decimal

from guidegen.core import evaluate
from guidegen.core.rules import fmt


def _scheme(bundle, profile, scheme):
    return evaluate(bundle, profile, schemes=[scheme])["results"][0]


def _row(result, cid):
    return next(c for c in result["conditions"] if c["id"] == cid)


def test_zhuzhou_link_condition_says_which_guide_met_it(bundle):
    # 2021: links 3,4,5,7,12,13 (6); 2024: the same practice in 5 links (营销 and 售后 merged).
    r = _scheme(bundle, {"scenes": {"miit-2021": [5, 7, 10, 19, 38, 41, 42], "miit-2024": [5, 7, 9, 14, 25, 26, 27]}},
                "zhuzhou-benchmark-sme")
    links = _row(r, "links")
    assert links["status"] == "pass"
    assert "2021" in links["message"]["zh"] and "2024" not in links["message"]["zh"]
    assert "2021 guide" in links["message"]["en"]
    r = _scheme(bundle, {"scenes": {"miit-2021": [5, 7], "miit-2024": [1, 3, 5, 7, 9, 10, 14]}}, "zhuzhou-benchmark-sme")
    assert "2024" in _row(r, "links")["message"]["zh"] and "2021" not in _row(r, "links")["message"]["zh"]


def test_hunan_direct_recognition_is_said_first(bundle):
    r = _scheme(bundle, {"honors": {"hunan-benchmark-2022-2024": True}, "scenes": {"miit-2024": [7, 9, 25]}},
                "hunan-advanced-factory-2025")
    first = r["conditions"][0]
    assert first["id"] == "direct-recognition" and first["status"] == "pass"
    assert "直接认定" in first["message"]["zh"] and "recognized directly" in first["message"]["en"]
    assert _row(r, "scene-count")["status"] == "pass"


def test_hunan_unknown_honor_is_in_the_gaps(bundle):
    r = _scheme(bundle, {"scenes": {"miit-2024": [7, 9, 25]}}, "hunan-advanced-factory-2025")
    assert any("湖南省智能制造标杆企业" in g["zh"] for g in r["gaps"])


def test_above_designated_size_says_revenue_stands_in(bundle):
    derived = evaluate(bundle, {"enterprise": {"manufacturing": True, "revenue_wan": 28000}})["derived"]
    how = derived["above_designated_size"]["how"]
    assert "营业收入代替主营业务收入" in how["zh"] and "main-business revenue" in how["en"]
    assert "above_designated_size" not in evaluate(bundle, {"enterprise": {"manufacturing": False,
                                                                          "revenue_wan": 28000}})["derived"]


def test_a_share_just_under_a_band_edge_is_not_rounded_onto_it(bundle):
    # 999.6 / 10000 × 100 = 9.996 %: band F (< 10 %), so the message must not read "10%".
    r = _scheme(bundle, {"investment_wan": {"core_equipment": 10000, "local_core_equipment": 999.6}},
                "zhuzhou-benchmark-workshop")
    item = next(i for i in r["score"]["items"] if i["id"] == "local-equipment-share")
    assert item["points"] == 0
    assert "9.996%" in item["message"]["zh"] and "为10%" not in item["message"]["zh"]


def test_a_condition_gap_never_reads_zero():
    assert fmt(Decimal("300") - Decimal("299.996"), 0) == "0.004"
    assert fmt(Decimal("9.99999"), [10]) == "9.99999"
    assert fmt(Decimal(2) / Decimal(3) * 100, [60, 70]) == "66.67"
    assert fmt(Decimal("299.996")) == "299.996"


def test_condition_message_keeps_the_precision_its_threshold_needs(bundle):
    r = _scheme(bundle, {"investment_wan": {"core_equipment": 299.99999}}, "zhuzhou-benchmark-sme")
    row = _row(r, "investment")
    assert row["status"] == "fail"
    assert "299.99999" in row["message"]["zh"] and "300万元，当前300" not in row["message"]["zh"]


def test_the_derived_share_is_not_rounded_onto_the_band_edge(bundle):
    derived = evaluate(bundle, {"investment_wan": {"core_equipment": 10000, "local_core_equipment": 999.6}})["derived"]
    assert derived["local_equipment_share"]["value"] == 9.996
    derived = evaluate(bundle, {"investment_wan": {"core_equipment": 10000, "local_core_equipment": 999.99999}})["derived"]
    assert derived["local_equipment_share"]["value"] < 10


def test_the_chongqing_deadline_is_labelled_with_the_national_date_beside(bundle):
    for sid in ("national-demo-factory-2021", "national-excellent-scene-2021"):
        call = _scheme(bundle, {}, sid)["call"]
        assert call["deadline"] == "2021-11-21"
        assert "重庆市（转发地区）" in call["note"]["zh"] and "2021年11月23日" in call["note"]["zh"]
        assert "forwarding region" in call["note"]["en"] and "23 November 2021" in call["note"]["en"]


def test_informational_rows_are_soft_and_say_so(bundle):
    for sid, cid in (("hunan-advanced-factory-2025", "direct-recognition"), ("national-excellent-scene-2021", "guide-scenes")):
        row = _row(_scheme(bundle, {}, sid), cid)
        assert row["soft"] is True and row["informational"] is True


# ---- issue 22: calls vs schemes (statuses in tests/cases/48-calls-and-schemes.yaml)

def _hunan_all_met(city):
    """Every provincial condition of 002 一（一）–（十） met, for an enterprise in ``city``."""
    declarations = {d: True for d in ("hunan-market-competitiveness", "hunan-sound-operation-3y", "hunan-secure-controllable",
                                      "hunan-organisation-talent", "hunan-platform-registered", "hunan-kpi-provincial-leading",
                                      "hunan-provincial-leading-role", "hunan-zhuzhou-basic-factory-list")}
    return {"enterprise": {"city": city, "independent_legal_person": True, "manufacturing": True,
                           "revenue_wan": 30000, "employees": 800},
            "maturity": {"level": 3}, "honors": {"hunan-benchmark-2022-2024": False},
            # ten 2024 scenes in links 7–12 (16–25), covering the three required areas (附件3 注[1]–[5])
            "scenes": {"miit-2024": [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]},
            "declarations": declarations}


def test_xiangtan_gets_the_provincial_verdict_and_where_to_apply(bundle):
    r = evaluate(bundle, _hunan_all_met("湘潭市"), schemes=["hunan-advanced-factory-2025"], today="2025-04-26")["results"][0]
    assert r["verdict"] == "not-eligible"          # Zhuzhou's call takes Zhuzhou's enterprises only
    el = r["elsewhere"]
    assert sorted(el["left_out"]) == ["registered-in-zhuzhou", "zhuzhou-basic-factory-list"]
    # every other condition passes: 湖南 430000, the province's conditions, areas and ten scenes
    assert all(c["status"] == "pass" for c in r["conditions"] if c["id"] not in el["left_out"] and not c["soft"])
    assert el["verdict"] == "qualifies"
    assert "湘潭市工业和信息化主管部门" in el["note"]["zh"] and "Xiangtan" in el["note"]["en"]
    place = _row(r, "registered-in-zhuzhou")
    assert place["scope"] == "call" and "湘潭市" in place["gap"]["zh"] and not place["gap"]["actionable"]
    assert r["call"]["status"] == "unknown" and "湘潭市" in r["call"]["note"]["zh"]
    assert r["call"]["opens"] == "2025-04-24" and r["call"]["issuer"]["zh"] == "株洲市工业和信息化局"


def test_zhuzhou_enterprise_has_no_elsewhere(bundle):
    r = evaluate(bundle, _hunan_all_met("株洲市"), schemes=["hunan-advanced-factory-2025"], today="2025-04-26")["results"][0]
    assert "elsewhere" not in r and r["verdict"] == "qualifies" and r["call"]["status"] == "open"


def test_outside_hunan_elsewhere_is_not_eligible_too(bundle):
    r = evaluate(bundle, _hunan_all_met("长沙市"), schemes=["hunan-advanced-factory-2025"])["results"][0]
    assert r["elsewhere"]["verdict"] == "qualifies"      # 长沙 is in Hunan
    r = evaluate(bundle, _hunan_all_met("武汉市"), schemes=["hunan-advanced-factory-2025"])["results"][0]
    assert r["elsewhere"]["verdict"] == "not-eligible"   # 湖北: the provincial place row fails as well


def test_national_2021_chongqing_rules_are_the_call(bundle):
    for sid in ("national-demo-factory-2021", "national-excellent-scene-2021"):
        scheme = bundle["schemes"][sid]
        scoped = [p for p in scheme["procedure"] if p.get("scope") == "call"]
        assert {str(p.get("deadline")) for p in scoped} >= {"2021-11-21", "2021-11-24"}
        assert all(p.get("scope") == "call" for p in scheme["procedure"] if str(p.get("deadline")) in ("2021-11-21", "2021-11-24"))
        assert all(e.get("scope") == "call" for e in scheme.get("exclusions", []) if e["kind"] == "one-direction")
    r = evaluate(bundle, {"enterprise": {"city": "湘潭市"}}, schemes=["national-demo-factory-2021"], today="2021-11-10")["results"][0]
    assert r["call"]["status"] == "unknown" and "重庆" in r["call"]["note"]["zh"] and "Chongqing" in r["call"]["note"]["en"]


def test_a_negative_reduction_is_a_warning(bundle):
    # 附件3 附1 产品不良率下降 entered −5: the rate went up; within bounds (< 100), worth a word.
    out = evaluate(bundle, {"kpis": {"defect-rate-reduction": -5, "operating-cost-reduction": 12}}, schemes=["smart-factory-levels"])
    warned = [w for w in out["warnings"] if w["kind"] == "kpi-went-the-other-way"]
    assert [w["field"] for w in warned] == ["kpis.defect-rate-reduction.value"]
    assert "不降反升" in warned[0]["message"]["zh"] and "went up" in warned[0]["message"]["en"]


def test_every_result_says_which_edition_it_applies(bundle):
    # sources.yaml: 002 dated 2025-04-24 (002:37), 004 as forwarded on 2021-11-05 (004:35), 003 2023-11-30 (003:25).
    out = evaluate(bundle, {}, today="2025-05-01")
    ed = {r["scheme"]: r["edition"] for r in out["results"]}
    assert ed["hunan-advanced-factory-2025"]["date"] == "2025-04-24" and "2024年版" in ed["hunan-advanced-factory-2025"]["edition"]["zh"]
    assert "2025" in ed["hunan-advanced-factory-2025"]["later"]["zh"]             # newer editions announced, not in sources
    assert ed["national-demo-factory-2021"]["date"] == "2021-11-05" and "2021年" in ed["national-demo-factory-2021"]["edition"]["zh"]
    assert ed["changzhou-smart-factory-2023"]["date"] == "2023-11-30"
    assert ed["zhuzhou-benchmark-sme"]["date"] is None and "征求意见稿" in ed["zhuzhou-benchmark-sme"]["edition"]["zh"]
    assert all(e["edition"]["en"] for e in ed.values())


def test_one_guide_gap_is_said_once(bundle):
    # 000:21 第四条（三）: 2021 scenes 5, 7 (2 links, 2 scenes) + 2024 9, 10, 11 (1 link, 3 scenes): only the pair on one
    # edition fails, and its gap says what is short on the 2021 edition (one more scene).
    r = _scheme(bundle, {"scenes": {"miit-2021": [5, 7], "miit-2024": [9, 10, 11]}}, "zhuzhou-benchmark-workshop")
    gaps = [g for g in r["gaps"] if g.get("condition") in ("links", "scenes", "one-guide")]
    assert [g["condition"] for g in gaps] == ["one-guide"] and "还需增加1" in gaps[0]["zh"]
    # Only scene 5 on 2021: the link and scene rows say what to add; the pair row does not repeat them.
    r = _scheme(bundle, {"scenes": {"miit-2021": [5]}}, "zhuzhou-benchmark-workshop")
    assert sorted(g["condition"] for g in r["gaps"] if g.get("condition") in ("links", "scenes", "one-guide")) == ["links", "scenes"]
