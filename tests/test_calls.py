"""Issue 22: a bureau's own call of a scheme (catalog/calls.py, docs-dev/bureau.md).

The worked cases are computed by hand from the catalog rows they name. The Hunan 2025 scheme
(002, 株洲's call) has the provincial rows 一（一） legal person, registered-in-hunan, （二）–（七）,
（九）, （十） and 株洲's call rows registered-in-zhuzhou (prefecture 430200) and
zhuzhou-basic-factory-list; the example 湘潭 call (editions/xiangtan/hunan-2025-call.yaml)
replaces them with registered-in-xiangtan (prefecture 430300) and no list, opens 2025-04-25,
deadline 2025-05-09 (placeholders of the example)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guidegen.catalog import CatalogError, load_catalog
from guidegen.core import evaluate, questions, questions_json

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalogs"
XIANGTAN = ROOT / "editions" / "xiangtan" / "hunan-2025-call.yaml"
HUNAN = "hunan-advanced-factory-2025"
NOTICE = "xiangtan-hunan-advanced-factory-2025-example"
PROVINCIAL_DECLARATIONS = ["hunan-market-competitiveness", "hunan-sound-operation-3y", "hunan-secure-controllable",
                           "hunan-organisation-talent", "hunan-platform-registered", "hunan-kpi-provincial-leading",
                           "hunan-provincial-leading-role"]


@pytest.fixture(scope="module")
def xiangtan():
    return json.loads(json.dumps(load_catalog(CATALOG, calls=[XIANGTAN]).bundle(), ensure_ascii=False))


def enterprise(city: str, *, zhuzhou_list: bool | None = None) -> dict:
    """Every provincial condition of the Hunan scheme met (as tests/cases/40-hunan.yaml #1): legal person,
    revenue 28000 ≥ 2000 万元 (规模以上), level 2, 2024 scenes 7, 9, 10, 14, 16, 18, 22, 25, 28, 29 (areas
    production-operation, production-management, operation-management; 10 scenes), the seven provincial
    declarations yes; the place and 株洲's list as given."""
    decl = {d: True for d in PROVINCIAL_DECLARATIONS}
    if zhuzhou_list is not None:
        decl["hunan-zhuzhou-basic-factory-list"] = zhuzhou_list
    return {"profile": 1, "enterprise": {"city": city, "independent_legal_person": True, "employees": 650,
                                         "revenue_wan": 28000},
            "maturity": {"level": 2}, "scenes": {"miit-2024": [7, 9, 10, 14, 16, 18, 22, 25, 28, 29]},
            "declarations": decl}


def hunan(bundle, profile, today="2025-04-26") -> dict:
    return evaluate(bundle, profile, schemes=[HUNAN], today=today)["results"][0]


def statuses(result) -> dict:
    return {c["id"]: c["status"] for c in result["conditions"]}


# ------------------------------------------------------------------ the example call applied

def test_the_xiangtan_call_replaces_only_the_call_rows(bundle, xiangtan):
    before, after = bundle["schemes"][HUNAN], xiangtan["schemes"][HUNAN]
    provincial = [c["id"] for c in before["conditions"] if c.get("scope") != "call"]
    assert [c["id"] for c in after["conditions"] if c.get("scope") != "call"] == provincial
    assert [c for c in after["conditions"] if c.get("scope") != "call"] == \
        [c for c in before["conditions"] if c.get("scope") != "call"]
    assert [c["id"] for c in after["conditions"] if c.get("scope") == "call"] == ["registered-in-xiangtan"]
    # where 株洲's place row stood: right after the province's
    ids = [c["id"] for c in after["conditions"]]
    assert ids.index("registered-in-xiangtan") == ids.index("registered-in-hunan") + 1
    assert after["call"]["region"] == ["430300"] and after["call"]["opens"] == "2025-04-25"
    assert after["deadline"] == "2025-05-09" and "株洲" not in json.dumps(after["call"], ensure_ascii=False)
    steps = after["procedure"]
    assert [s.get("scope") for s in steps] == ["call", "call", None, None, None]
    assert not any("zzgxzbk" in s["step"]["zh"] for s in steps)
    assert [s for s in steps if s.get("scope") != "call"] == [s for s in before["procedure"] if s.get("scope") != "call"]
    for key in ("region", "issuer", "applicant"):
        assert "湘潭" in after[key]["zh"] and "株洲" not in after[key]["zh"]
    # the bureau's notice is a source of its own, said to be an example and not among the four
    doc = xiangtan["sources"][NOTICE]
    assert "示例" in doc["title"]["zh"] and "example" in doc["title"]["en"]
    assert "不在本项目的四份资料中" in doc["notes"]["zh"] and "not among this project's four sources" in doc["notes"]["en"]
    assert "占位" in doc["number"]
    # the rest of the catalog is untouched
    assert {k: v for k, v in xiangtan["schemes"].items() if k != HUNAN} == \
        {k: v for k, v in bundle["schemes"].items() if k != HUNAN}


def test_a_xiangtan_enterprise_is_eligible_under_xiangtans_call_and_elsewhere_under_zhuzhous(bundle, xiangtan):
    """湘潭市 → prefecture 430300, province 430000. Zhuzhou's call: registered-in-zhuzhou 430300 ≠ 430200 fail
    (scope call) → ineligible, elsewhere = the verdict without it (every provincial row passes; the list row is
    call-scoped and left out too) → qualifies, call status unknown. Xiangtan's call: registered-in-xiangtan
    430300 = 430300 pass, no list → eligible; 2025-04-26 within 04-25 … 05-09 → open."""
    p = enterprise("湘潭市")
    zz = hunan(bundle, p)
    assert zz["eligibility"] == "ineligible" and statuses(zz)["registered-in-zhuzhou"] == "fail"
    assert zz["elsewhere"]["verdict"] == "qualifies"
    assert sorted(zz["elsewhere"]["left_out"]) == ["registered-in-zhuzhou", "zhuzhou-basic-factory-list"]
    assert zz["call"]["status"] == "unknown"
    xt = hunan(xiangtan, p)
    assert xt["eligibility"] == "eligible" and xt["verdict"] == "qualifies" and "elsewhere" not in xt
    assert statuses(xt)["registered-in-xiangtan"] == "pass" and "registered-in-zhuzhou" not in statuses(xt)
    assert xt["call"]["status"] == "open" and xt["call"]["deadline"] == "2025-05-09"
    assert xt["call"]["issuer"]["zh"] == "湘潭市工业和信息化局（示例）" and xt["call"]["opens"] == "2025-04-25"


def test_a_zhuzhou_enterprise_under_xiangtans_call_is_pointed_to_its_own_bureau(xiangtan):
    """株洲市 → 430200 ≠ 430300: registered-in-xiangtan fails → ineligible; elsewhere qualifies (every other row
    passes), apply through 株洲; the call's deadline binds 湘潭 only → unknown."""
    r = hunan(xiangtan, enterprise("株洲市", zhuzhou_list=True))
    assert r["eligibility"] == "ineligible" and statuses(r)["registered-in-xiangtan"] == "fail"
    assert r["elsewhere"]["verdict"] == "qualifies" and r["elsewhere"]["left_out"] == ["registered-in-xiangtan"]
    assert "请通过株洲市" in r["elsewhere"]["note"]["zh"] and "湘潭市" in r["elsewhere"]["note"]["zh"]
    assert "Apply through the industry and information-technology bureau of Zhuzhou" in r["elsewhere"]["note"]["en"]
    assert r["call"]["status"] == "unknown" and "湘潭" in r["call"]["note"]["zh"]


@pytest.mark.parametrize("today, status", [("2025-04-24", "not-yet-open"), ("2025-04-25", "open"),
                                           ("2025-05-09", "open"), ("2025-05-10", "closed")])
def test_the_xiangtan_calls_dates(xiangtan, today, status):
    """opens 2025-04-25: before it not-yet-open; on it and up to the deadline 2025-05-09 open; after closed."""
    assert hunan(xiangtan, enterprise("湘潭市"), today)["call"]["status"] == status


# ------------------------------------------------------------------ questions follow the place

def _declared(bundle, profile, schemes=(HUNAN,)):
    return [q["id"] for q in questions(bundle, list(schemes), profile) if q["kind"] == "declaration"]


@pytest.mark.parametrize("place, asked", [
    (None, True),                                   # no profile: everything
    ({}, True),                                     # no place
    ({"city": "株洲市"}, True),                     # inside 株洲's call (430200)
    ({"county": "醴陵市"}, True),                   # 430281 under 430200
    ({"city": "湘潭市"}, False),                    # 430300: outside
    ({"county": "湘乡市"}, False),                  # 430381 under 430300
    ({"province": "湖南省"}, True),                 # only the province: the prefecture may be 株洲
    ({"province": "江苏省"}, False),                # another province: outside whatever the city
    ({"city": "不存在的地方"}, True),               # a place that does not resolve is no place
    ({"city": 42}, True),                           # nor is a number
])
def test_questions_leave_out_the_zhuzhou_list_outside_zhuzhou(bundle, place, asked):
    profile = None if place is None else {"profile": 1, "enterprise": place}
    decls = _declared(bundle, profile)
    assert ("hunan-zhuzhou-basic-factory-list" in decls) is asked
    assert set(PROVINCIAL_DECLARATIONS) <= set(decls)  # the province's own are always asked


def test_questions_with_a_place_outside_change_nothing_else(bundle):
    all_schemes = list(bundle["schemes"])
    inside = questions(bundle, all_schemes, {"enterprise": {"city": "株洲市"}})
    outside = questions(bundle, all_schemes, {"enterprise": {"city": "湘潭市"}})
    assert questions(bundle, all_schemes) == inside
    assert [q for q in inside if q.get("id") != "hunan-zhuzhou-basic-factory-list"] == outside


def test_questions_json_reads_only_a_readable_profile(bundle):
    zh = json.loads(questions_json(bundle, json.dumps([HUNAN]), json.dumps({"enterprise": {"city": "湘潭市"}})))
    assert "hunan-zhuzhou-basic-factory-list" not in [q.get("id") for q in zh]
    for bad in ("{", "[1, 2]", '"x"', "null", "[" * 100000, json.dumps({"enterprise": [1]})):
        out = json.loads(questions_json(bundle, json.dumps([HUNAN]), bad))
        assert isinstance(out, list) and "hunan-zhuzhou-basic-factory-list" in [q.get("id") for q in out]


# ------------------------------------------------------------------ call files a bureau gets wrong

GOOD = XIANGTAN.read_text(encoding="utf-8")


def problems_of(tmp_path, text: str | bytes, name="call.yaml") -> list:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(CatalogError) as exc:
        load_catalog(CATALOG, calls=[path])
    mine = [p for p in exc.value.problems if p.file == str(path)]
    assert mine, exc.value.problems  # located in the call file …
    for p in mine:  # … in both languages
        assert any("\u4e00" <= ch <= "\u9fff" for ch in p.message) and " / " in p.message, p
    return mine


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_replacing_a_provincial_row_is_refused_where_it_stands(tmp_path):
    text = GOOD.replace("  - id: registered-in-xiangtan", "  - id: legal-person")
    (p,) = problems_of(tmp_path, text)
    assert p.line == line_of(text, "- id: legal-person") and p.key == "conditions[0].id"
    assert "省级条件" in p.message and "provincial condition" in p.message


def test_a_row_not_marked_call_is_refused(tmp_path):
    text = GOOD.replace("    scope: call\n    source: {doc: xiangtan-hunan-advanced-factory-2025-example, article: \"（示例）一",
                        "    source: {doc: xiangtan-hunan-advanced-factory-2025-example, article: \"（示例）一", 1)
    assert text != GOOD
    (p,) = problems_of(tmp_path, text)
    assert p.key == "conditions[0]" and "scope: call" in p.message and p.line == line_of(text, "- id: registered-in-xiangtan")


def test_a_row_without_a_source_is_refused_and_a_declared_notice_is_accepted(tmp_path):
    text = GOOD.replace('    source: {doc: xiangtan-hunan-advanced-factory-2025-example, article: "（示例）一、申报条件（一）"}\n', "")
    assert text != GOOD
    (p,) = problems_of(tmp_path, text)
    assert p.key == "conditions[0]" and "缺少必填键 'source'" in p.message and "missing required key 'source'" in p.message
    step = GOOD.replace('    source: {doc: xiangtan-hunan-advanced-factory-2025-example, article: "（示例）二、申报程序（三）"}\n', "")
    (p,) = problems_of(tmp_path, step)
    assert p.key == "procedure[1]" and "source" in p.message


def test_a_row_citing_another_document_is_refused(tmp_path):
    text = GOOD.replace('{doc: xiangtan-hunan-advanced-factory-2025-example, article: "（示例）一、申报条件（一）"}',
                        '{doc: hunan-advanced-factory-2025, article: "一、申报条件（一）"}')
    (p,) = problems_of(tmp_path, text)
    assert p.key == "conditions[0].source.doc" and NOTICE in p.message


def test_an_undeclared_document_is_an_unknown_source(tmp_path):
    text = GOOD.replace("  id: xiangtan-hunan-advanced-factory-2025-example", "  id: another-notice")
    found = problems_of(tmp_path, text)
    assert {p.key for p in found} >= {"call.source.doc", "conditions[0].source.doc"}


def test_an_unknown_scheme_and_a_scheme_without_a_call(tmp_path):
    (p,) = problems_of(tmp_path, GOOD.replace("scheme: hunan-advanced-factory-2025", "scheme: hunan-2026"))
    assert p.key == "scheme" and "未知的方案" in p.message and "hunan-advanced-factory-2025" in p.message
    (p,) = problems_of(tmp_path, GOOD.replace("scheme: hunan-advanced-factory-2025", "scheme: zhuzhou-benchmark-sme"))
    assert p.key == "scheme" and "no call to replace" in p.message


@pytest.mark.parametrize("text, line, words", [
    ("scheme: &s hunan-advanced-factory-2025\nother: *s\n", 1, ("锚点", "anchor")),
    ("a: [1]\nb: *x\n", 2, ("别名", "alias")),
    ("a: 1\nb: [1\n", 3, ("YAML 格式有误", "invalid YAML")),
    ("scheme: x\nscheme: y\n", 2, ("重复的键", "duplicate key")),
    ("- a\n- b\n", 1, ("键值映射", "mapping")),
    ("", 1, ("键值映射", "mapping")),
])
def test_yaml_a_bureau_should_not_send(tmp_path, text, line, words):
    (p,) = problems_of(tmp_path, text)
    assert p.line == line and all(w in p.message for w in words), p


def test_an_alias_deeper_in_the_file_is_refused_on_its_line(tmp_path):
    text = GOOD.replace("  region_name: {zh: 湘潭市, en: Xiangtan}", "  region_name: &n {zh: 湘潭市, en: Xiangtan}")
    text = text.replace("region: {zh: 湖南省（湘潭市通知，示例）", "region_alias: *n\nregion: {zh: 湖南省（湘潭市通知，示例）")
    (p,) = problems_of(tmp_path, text)
    assert p.line == line_of(text, "&n") and "锚点" in p.message


def test_not_utf8_and_too_large(tmp_path):
    (p,) = problems_of(tmp_path, GOOD.encode("gb18030"))
    assert "UTF-8" in p.message
    (p,) = problems_of(tmp_path, b"# " + b"x" * (300 * 1024))
    assert "过大" in p.message and "too large" in p.message


def test_an_unknown_key_a_bad_date_and_a_bad_region(tmp_path):
    found = problems_of(tmp_path, GOOD.replace('deadline: "2025-05-09"                # placeholder: the real',
                                               'deadline: "2025-5-9"\nmailbox: x@example.invalid  # the real'))
    keys = {p.key: p.message for p in found}
    assert "应为 YYYY-MM-DD 格式的日期" in keys["deadline"] and "未知的键" in keys["mailbox"]
    (p,) = problems_of(tmp_path, GOOD.replace('region: ["430300"]', 'region: ["湘潭"]'))
    assert p.key == "call.region[0]" and "430300" in p.message
    (p,) = problems_of(tmp_path, GOOD.replace('region: ["430300"]', 'region: ["439900"]'))
    assert p.key == "call.region[0]" and "不在本项目的 GB/T 2260 区划表中" in p.message


def test_a_deadline_before_the_call_opens(tmp_path):
    (p,) = problems_of(tmp_path, GOOD.replace('deadline: "2025-05-09"                # placeholder: the real',
                                              'deadline: "2025-04-01"  #'))
    assert p.key == "deadline" and "早于" in p.message


def test_an_unknown_fact_in_a_call_row_is_located_in_the_call_file(tmp_path):
    text = GOOD.replace("rule: {compare: derived.prefecture_code,", "rule: {compare: derived.prefecture,")
    (p,) = problems_of(tmp_path, text)
    assert p.file.endswith("call.yaml") and p.key == "conditions[0].rule.compare"
    assert p.line == line_of(text, "derived.prefecture,") and "未知的事实" in p.message


def test_a_declaration_id_of_the_catalog_cannot_be_taken(tmp_path):
    text = GOOD.replace("conditions:\n  - id: registered-in-xiangtan", textwrap.dedent("""\
        declarations:
          - id: hunan-zhuzhou-basic-factory-list
            label: {zh: 已列入清单, en: On the list}
        conditions:
          - id: registered-in-xiangtan"""))
    (p,) = problems_of(tmp_path, text)
    assert p.key == "declarations[0].id" and "已在目录中定义" in p.message


def test_a_call_with_its_own_list_asks_it_where_the_call_reaches(tmp_path):
    """A call that adds its own list (the commented example in the call file, made real): the declaration is
    asked of an enterprise in 湘潭 and decides its verdict; a 株洲 enterprise is not asked it."""
    row = textwrap.dedent("""\
        declarations:
          - id: hunan-xiangtan-example-list
            label: {zh: 已列入湘潭市示例清单, en: On the Xiangtan example list}
            source: {doc: xiangtan-hunan-advanced-factory-2025-example, article: "（示例）一、申报条件（八）"}
        conditions:
          - id: xiangtan-example-list
            title: {zh: 已列入湘潭市示例清单, en: On the Xiangtan example list}
            soft: false
            scope: call
            source: {doc: xiangtan-hunan-advanced-factory-2025-example, article: "（示例）一、申报条件（八）"}
            rule: {declaration: hunan-xiangtan-example-list}
        """)
    path = tmp_path / "call.yaml"
    path.write_text(GOOD.replace("conditions:\n", row.replace("conditions:\n", "conditions:\n", 1), 1)
                    .replace("declarations:\n", "declarations:\n", 1), encoding="utf-8")
    b = json.loads(json.dumps(load_catalog(CATALOG, calls=[path]).bundle(), ensure_ascii=False))
    ids = [c["id"] for c in b["schemes"][HUNAN]["conditions"]]
    assert ids[ids.index("registered-in-hunan") + 1:][:2] == ["xiangtan-example-list", "registered-in-xiangtan"]
    assert "hunan-xiangtan-example-list" in _declared(b, {"enterprise": {"city": "湘潭市"}})
    assert "hunan-xiangtan-example-list" not in _declared(b, {"enterprise": {"city": "株洲市"}})
    assert hunan(b, enterprise("湘潭市"))["eligibility"] == "unknown"  # the list not answered
    p = enterprise("湘潭市")
    p["declarations"]["hunan-xiangtan-example-list"] = True
    assert hunan(b, p)["eligibility"] == "eligible"


def test_two_calls_of_one_scheme(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(GOOD.replace("id: xiangtan-hunan-advanced-factory-2025-example", "id: other-example"), encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(CATALOG, calls=[XIANGTAN, other])
    (p,) = exc.value.problems
    assert p.file == str(other) and p.key == "scheme" and "already has a call" in p.message


# ------------------------------------------------------------------ the command line and the edition

def cli(*args):
    return subprocess.run([sys.executable, "-m", "guidegen.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_validate_evaluate_and_batch_with_a_call(tmp_path):
    ok = cli("validate", "--call", str(XIANGTAN))
    assert ok.returncode == 0 and "call" in ok.stdout and str(XIANGTAN) in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("  - id: registered-in-xiangtan", "  - id: maturity"), encoding="utf-8")
    out = cli("validate", "--call", str(bad))
    assert out.returncode == 1
    assert f"{bad}:{line_of(bad.read_text(encoding='utf-8'), '- id: maturity')}: conditions[0].id: " in out.stderr
    profile = tmp_path / "xt.json"
    profile.write_text(json.dumps(enterprise("湘潭市"), ensure_ascii=False), encoding="utf-8")
    res = cli("evaluate", str(profile), "--call", str(XIANGTAN), "--scheme", HUNAN, "--today", "2025-04-26", "--json")
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)["results"][0]
    assert r["eligibility"] == "eligible" and r["call"]["status"] == "open"
    plain = json.loads(cli("evaluate", str(profile), "--scheme", HUNAN, "--today", "2025-04-26", "--json").stdout)
    assert plain["results"][0]["elsewhere"]["verdict"] == "qualifies"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(profile.read_text(encoding="utf-8"), encoding="utf-8")
    book = tmp_path / "out.xlsx"
    res = cli("batch", str(folder), "--scheme", HUNAN, "--call", str(XIANGTAN), "--today", "2025-04-26", "--out", str(book))
    assert res.returncode == 0 and "1 applicant(s) in the summary table" in res.stdout, res.stdout + res.stderr
    res = cli("batch", str(folder), "--scheme", HUNAN, "--today", "2025-04-26", "--out", str(book))
    assert "0 applicant(s) in the summary table" in res.stdout, res.stdout  # 株洲's call: elsewhere


def test_the_xiangtan_edition_names_its_call_file_and_says_it_is_an_example():
    import yaml
    data = yaml.safe_load((ROOT / "editions" / "xiangtan.yml").read_text(encoding="utf-8"))
    options = data["plugins"]["guidegen"]
    assert [(ROOT / "editions" / f).resolve() for f in options["calls"]] == [XIANGTAN.resolve()]
    assert HUNAN in options["publish"]["schemes"]
    from guidegen.site.plugin import GuidegenConfig
    config = GuidegenConfig()
    config.load_dict(options)
    errors, _ = config.validate()
    assert not errors and config.calls == ["xiangtan/hunan-2025-call.yaml"]
    text = XIANGTAN.read_text(encoding="utf-8")
    assert "ILLUSTRATIVE EXAMPLE" in text and "PLACEHOLDERS" in text and "示例" in data["site_name"]


def test_the_workers_engine_glue_passes_the_place_on(bundle):
    """calculator/engine.py's `_questions(schemes_json, profile_json)`: the worker's questions message with
    a place; a JS null (any non-text) is no place."""
    glue = (ROOT / "calculator" / "engine.py").read_text(encoding="utf-8")
    env = {"_bundle_text": json.dumps(bundle, ensure_ascii=False)}
    exec(compile(glue, "engine.py", "exec"), env)  # noqa: S102 - the project's own glue file
    ids = lambda text: [q.get("id") for q in json.loads(text)]  # noqa: E731
    assert "hunan-zhuzhou-basic-factory-list" not in ids(
        env["_questions"](json.dumps([HUNAN]), json.dumps({"enterprise": {"city": "湘潭市"}})))
    assert "hunan-zhuzhou-basic-factory-list" in ids(env["_questions"](json.dumps([HUNAN]), object()))
    assert env["_questions"](json.dumps([HUNAN])) == env["_questions"](json.dumps([HUNAN]), None)
