"""The application pack (issues #16, #25): .docx drafts built by calculator/pack.js — the module the
browser runs — under Node with the docx bundle the site build ships (build_docx_module), from
results of guidegen.core.evaluate; read back with python-docx (body) and from word/comments.xml
(the margin notes)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

docx = pytest.importorskip("docx", reason="python-docx is a test dependency (pip install -e .[test])")
from docx.oxml.ns import qn  # noqa: E402

from guidegen.catalog.loader import load_catalog  # noqa: E402
from guidegen.core import evaluate_json  # noqa: E402
from guidegen.site.calculator import build_docx_module  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "calculator" / "pack.js"
RUNNER = ROOT / "tests" / "pack" / "build_draft.mjs"
NODE = shutil.which("node")
pytestmark = [pytest.mark.slow,  # runs calculator/pack.js in node
              pytest.mark.skipif(NODE is None, reason="node is needed to run calculator/pack.js")]
TODAY = "2026-03-01"   # 近三年 = 2023, 2024, 2025

HUNAN_PROFILE = {
    "profile": 1,
    "enterprise": {"name": "株洲示例装备有限公司", "city": "株洲市", "independent_legal_person": True,
                   "employees": 650, "revenue_wan": 28000, "registered_on": "2015-06-01", "industry_division": "C36",
                   "ownership": "private"},
    "maturity": {"level": 3, "score": 3.1},
    "application": {"factory_name": "变速箱壳体智能工厂", "contact_name": "李明", "contact_phone": "13800000000",
                    "project_start": "2022-03-01", "project_end": "2024-12-31", "smart_supply_chain": False},
    "scene_instances": {"miit-2024": [{"scene": 9, "name": "多机协同的发动机壳体柔性加工与检测", "supplier": "某智能装备公司",
                                       "contact": "王工 13900000000", "start": "2023-01", "end": "2024-06", "investment": 500,
                                       "stations": "智能工位1 名称：五轴加工", "description": "五轴机床与机器人组成柔性加工单元。",
                                       "processes": [{"name": "柔性加工", "description": "多品种混线"}],
                                       "technologies": [{"name": "数字孪生", "description": "产线孪生"}]}]},
    "honors": {"provincial-demo-workshop": 1, "integration-certified": True},
    "declarations": {"hunan-sound-operation-3y": True},
    "scenes": {"miit-2024": [7, 9, 10, 14, 16, 18, 22, 25, 28, 29]},
    "kpis": {"nc-rate": 92, "networking-rate": 88, "labor-productivity": {"value": 85, "unit": "万元/人·年"},
             "production-efficiency": {"value": 120, "unit": "件/小时"}, "resource-utilization": 95,
             "rd-cycle": {"before": 180, "value": 120, "unit": "天"}, "operating-cost": {"value": 5200, "unit": "万元"},
             "defect-rate": {"before": 2.0, "value": 0.8}, "sales-per-capita": {"value": 210, "unit": "万元/人"},
             "equipment-utilization": 86, "order-otd": 97.5, "ai-scene-share": 30},
    "itemized": {
        "core_equipment": [
            {"name": "五轴加工中心", "kind": "equipment", "model": "DMU 65", "supplier": "某机床公司", "origin": "domestic",
             "amount": 800, "year": 2024, "instance": "多机协同的发动机壳体柔性加工与检测", "station": "五轴加工",
             "key_kind": "cnc-machine"},
            {"name": "MES", "kind": "software", "supplier": "某软件公司", "amount": 200, "year": 2025,
             "instance": "多机协同的发动机壳体柔性加工与检测", "key_kind": "software-production"}],
        "financials": [{"year": 2023, "total_assets": 50000, "liability_ratio": 48, "main_revenue": 25000, "operating_revenue": 26000, "profit_rate": 6.1},
                       {"year": 2024, "total_assets": 52000, "liability_ratio": 46, "main_revenue": 26500, "operating_revenue": 27000, "profit_rate": 6.5},
                       {"year": 2025, "total_assets": 55000, "liability_ratio": 45, "main_revenue": 27500, "operating_revenue": 28000, "profit_rate": 7.0}],
        "standards": [{"name": "壳体加工智能工厂通用要求", "level": "group", "status": "published", "number": "T/XX 001-2025"}],
    },
}
HUNAN_PROFILE["application"]["sections"] = {"company-profile": "株洲示例装备有限公司成立于2015年，主营汽车变速箱壳体。",
                                            "project-summary": "建成壳体柔性加工智能工厂，覆盖生产作业、生产管理、运营管理。"}
HUNAN_PROFILE["application"]["scene_sections"] = {"scene-pain-points": {"9": "复杂壳体加工效率低。"}}

# 18 × "本公司主营汽车零部件。" (198 字) + "ABC 2024年" (3) = 201 字: over the Zhuzhou limit of 200.
OVER_200 = "本公司主营汽车零部件。" * 18 + "ABC 2024年"
ZHUZHOU_PROFILE = {
    "profile": 1,
    "enterprise": {"name": "醴陵示例陶瓷有限公司", "city": "株洲市", "employees": 180, "revenue_wan": 9000,
                   "registered_on": "2012-03-15", "industry_division": "C30", "ownership": "local-soe"},
    "maturity": {"level": 2, "score": 2.6},
    "investment_wan": {"core_equipment": 800, "local_core_equipment": 500, "services": 200},
    "implementation_plan": "whole",
    "scenes": {"miit-2021": [5, 7, 8, 14, 19, 24, 33]},
    "new_technologies": ["digital-twin"],
    "team": {"dedicated_team": True},
    "kpis": {"nc-rate": 75, "production-efficiency-gain": 28, "defect-rate-reduction": 35},
    "itemized": {
        "core_equipment": [
            {"name": "辊道窑温控系统", "kind": "equipment", "supplier": "株洲某窑炉公司", "origin": "local", "function": "烧成控制", "amount": 500, "year": 2024},
            {"name": "MES", "kind": "software", "supplier": "长沙某软件公司", "origin": "provincial", "function": "生产管理", "amount": 300, "year": 2025},
            {"name": "旧窑炉", "kind": "equipment", "amount": 90, "year": 2021}],   # outside 2023–2025: not counted, not listed
        "services": [{"name": "智能制造诊断咨询", "kind": "consulting", "provider": "株洲某咨询公司", "provider_location": "local", "amount": 80, "year": 2024},
                     {"name": "系统集成", "kind": "integration", "provider": "深圳某集成商", "provider_location": "other-province", "amount": 120, "year": 2025}],
        "patents": [{"name": "一种辊道窑温控方法", "kind": "invention", "number": "ZL202310000000.1"},
                    {"name": "窑炉监控软件V1.0", "kind": "software", "number": "2024SR000001"}],
        "standards": [{"name": "日用陶瓷智能工厂通用要求", "level": "industry", "role": "participant", "stage": "征求意见稿"}],
        "reports": [{"name": "陶瓷行业智能制造白皮书", "kind": "主要研究报告"}],
        "rd_centers": [{"name": "湖南省陶瓷工程技术研究中心", "level": "provincial"}],
        "research_partners": [{"name": "湖南工业大学", "kind": "university"}],
        "financials": [{"year": 2023, "total_assets": 15000, "employees": 170, "liability_ratio": 45, "main_revenue": 8500, "tax": 300, "profit": 600},
                       {"year": 2025, "total_assets": 17000, "employees": 180, "liability_ratio": 41, "main_revenue": 8800, "operating_revenue": 9000, "tax": 350, "profit": 700}],
    },
    "application": {"sections": {"company-profile": OVER_200}, "schemes": ["zhuzhou-benchmark-workshop", "zhuzhou-benchmark-sme"],
                    "project_name": "陶瓷窑炉数字化改造", "project_start": "2022-03-01", "project_end": "2023-10-31"},
}


@pytest.fixture(scope="module")
def bundle():
    return load_catalog(ROOT / "catalogs").bundle()


@pytest.fixture(scope="module")
def docx_module(tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "docx.js"
    path.write_bytes(build_docx_module(ROOT))
    return path


class Draft:
    """A draft read back: body paragraphs and tables in order, and the margin comments."""

    def __init__(self, path: Path, info: dict):
        self.path, self.info = path, info
        self.document = docx.Document(str(path))
        self.paragraphs = [p.text for p in self.document.paragraphs]
        self.text = "\n".join(self.paragraphs)
        self.rows = [[c.text for c in row.cells] for t in self.document.tables for row in t.rows]
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            self.comments_xml = z.read("word/comments.xml").decode("utf-8") if "word/comments.xml" in names else ""
            self.document_xml = z.read("word/document.xml").decode("utf-8")
        self.comments = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", self.comments_xml)
        self.notes = "\n".join(self.comments)

    def sequence(self):
        """('h', heading text) and ('t', [[cell, …], …]) in document order."""
        out = []
        for el in self.document.element.body.iterchildren():
            if el.tag == qn("w:p"):
                style = el.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
                if style is not None and style.get(qn("w:val")).startswith("Heading"):
                    out.append(("h", "".join(t.text or "" for t in el.iter(qn("w:t")))))
            elif el.tag == qn("w:tbl"):
                out.append(("t", [["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.findall(qn("w:tc"))]
                                  for tr in el.findall(qn("w:tr"))]))
        return out


@pytest.fixture(scope="module")
def make_draft(bundle, docx_module, tmp_path_factory):
    folder = tmp_path_factory.mktemp("drafts")
    counter = iter(range(1000))

    def make(scheme, profile, *, result="evaluate", texts=(), catalog=None, today=TODAY):
        n = next(counter)
        if result == "evaluate":
            result = json.loads(evaluate_json(catalog or bundle, json.dumps(profile, ensure_ascii=False), schemes=[scheme], today=today))
        src = folder / f"in{n}.json"
        out = folder / f"draft{n}.docx"
        src.write_text(json.dumps({"bundle": catalog or bundle, "profile": profile, "result": result, "scheme": scheme,
                                   "texts": list(texts)}, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run([NODE, str(RUNNER), str(PACK), str(docx_module), str(src), str(out)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return Draft(out, json.loads(proc.stdout))

    return make


def row_of(rows, first):
    return next(r for r in rows if r[0] == first)


def table_with(draft, header):
    """The rows of the first table whose first row is ``header``."""
    for kind, rows in draft.sequence():
        if kind == "t" and rows[0] == header:
            return rows
    raise AssertionError(f"no table headed {header}")


# ---- structure: every section and table of each form, in order, with the form's columns -------------

def expected_structure(form: dict) -> list[tuple]:
    """What the catalog (which cites the form's text) says the draft shows, in order."""
    out = []
    zh = lambda t: t["zh"]  # noqa: E731
    for part in form["parts"]:
        kind = part["kind"]
        if kind == "narrative" and part.get("per_scene"):
            continue   # drawn per scene, inside a scene form or the outline
        if part.get("title") and kind not in ("fields",) or (kind == "fields" and part.get("title")):
            out.append(("h", zh(part["title"])))
        if kind == "fields":
            out.append(("col", [zh(r["label"]) for r in part["rows"]]))
        elif kind == "years":
            out.append(("head", [zh(part["corner"]), *map(zh, part["year_headers"])]))
        elif kind == "table":
            out.append(("head", [zh(c["header"]) for c in part["columns"]]))
        elif kind == "scenes" and part.get("style") == "table":
            out.append(("head", ["序号", "环节", "序号", "场景", "有/无"] if part["guide"] == "miit-2021" else ["环节", "场景"]))
        elif kind == "scene-form":
            labels = [zh(c["label"]) for c in part["cells"]]
            out.append(("head", labels) if part.get("arrangement") == "columns" else ("col", labels))
        elif kind == "scene-tables":
            out.append(("col", [zh(part["label"])]))
            out.extend(("head", [zh(c["header"]) for c in t["columns"]]) for t in part["tables"])
    return out


def assert_structure(draft: Draft, form: dict) -> None:
    seq = draft.sequence()
    i = 0
    for want in expected_structure(form):
        while i < len(seq):
            kind, value = seq[i]
            i += 1
            if want[0] == "h" and kind == "h" and value.startswith(want[1]):
                break
            if want[0] == "head" and kind == "t" and value[0] == want[1]:
                break
            if want[0] == "col" and kind == "t" and [r[0] for r in value] == want[1]:
                break
        else:
            raise AssertionError(f"{want} missing or out of order in the draft")


FORMS = ["zhuzhou-benchmark-workshop", "zhuzhou-benchmark-sme", "hunan-advanced-factory-2025",
         "changzhou-smart-factory-2023", "national-demo-factory-2021", "national-excellent-scene-2021"]
RICH = {"zhuzhou-benchmark-workshop": ZHUZHOU_PROFILE, "zhuzhou-benchmark-sme": ZHUZHOU_PROFILE,
        "hunan-advanced-factory-2025": HUNAN_PROFILE, "changzhou-smart-factory-2023": HUNAN_PROFILE,
        "national-demo-factory-2021": ZHUZHOU_PROFILE, "national-excellent-scene-2021": ZHUZHOU_PROFILE}


@pytest.mark.parametrize("scheme", FORMS)
def test_every_section_and_table_of_the_form_in_order(make_draft, bundle, scheme):
    form = bundle["application_forms"][scheme]
    for profile in (RICH[scheme], {"profile": 1}):
        draft = make_draft(scheme, profile)
        assert_structure(draft, form)
        # the body is what the enterprise submits: no tool notes in it; they are margin comments
        assert "本草稿由 guidegen" not in draft.text and "guidegen" not in draft.text
        assert "本草稿由 guidegen 自评计算器生成" in draft.notes
        assert "<w:commentReference" in draft.document_xml and "<w:commentRangeStart" in draft.document_xml
        # no column any form lacks
        for rows in (r for k, r in draft.sequence() if k == "t"):
            assert "变化" not in rows[0] and "单位" not in rows[0]


def test_structure_check_notices_a_missing_table(make_draft, bundle):
    draft = make_draft("zhuzhou-benchmark-sme", ZHUZHOU_PROFILE)
    form = copy.deepcopy(bundle["application_forms"]["zhuzhou-benchmark-sme"])
    table = next(p for p in form["parts"] if p.get("id") == "standards")
    table["columns"].insert(2, {"header": {"zh": "不存在的列", "en": "x"}, "key": "x"})
    with pytest.raises(AssertionError):
        assert_structure(draft, form)


# ---- Hunan ----------------------------------------------------------------------------------------

def test_hunan_draft_fills_the_form_from_the_profile(make_draft, bundle):
    d = make_draft("hunan-advanced-factory-2025", HUNAN_PROFILE)
    rows = d.rows
    assert d.info["filename"].endswith("申报书草稿.docx")
    # cover as printed, with its issuer
    assert d.paragraphs[0] == "湖南省先进级智能工厂项目申报书" and "湖南省工业和信息化厅制" in d.paragraphs
    assert "工厂名称：变速箱壳体智能工厂" in d.paragraphs
    # entered and derived facts
    assert row_of(rows, "企业名称")[1] == "株洲示例装备有限公司"
    assert row_of(rows, "所属行业（行业大类代码+名称）")[1] == "C36 汽车制造业"
    assert "☑中型企业" in row_of(rows, "企业类型")[1]           # 650 persons, 28000 万元 → medium
    assert "☑民营企业" in row_of(rows, "企业性质")[1]
    assert "☑三级" in row_of(rows, "智能制造能力成熟度评估结果或其他能力证明材料")[1]
    assert row_of(rows, "湖南省智能制造示范（标杆）车间（获得时间：\u3000\u3000年）")[1].startswith("☑是")
    assert row_of(rows, "所属行业（行业中类代码+名称）")[1] == "【待填写】"    # not in the profile: marked
    # 近三年事故: ticked from the declaration; 建设起止日期 from the profile
    assert row_of(rows, "企业近三年是否发生较大及以上安全环保事故")[1].endswith("☑否")
    assert row_of(rows, "建设起止日期")[1] == "2022-03-01 至 2024-12-31"
    # three years × four rows, as the form prints them (主营业务收入, not 营业收入)
    assert table_with(d, ["近三年发展情况", "前三年", "前二年", "前一年"])[1:] == [
        ["资产总额（万元）", "50000", "52000", "55000"], ["资产负债率（%）", "48", "46", "45"],
        ["主营业务收入（万元）", "25000", "26500", "27500"], ["利润率（%）", "6.1", "6.5", "7"]]
    # the ten ticked scenes 环节—场景—实例
    guide = {s["number"]: (link["name"]["zh"], s["name"]["zh"]) for link in bundle["guides"]["miit-2024"] for s in link["scenes"]}
    listed = [p for p in d.paragraphs if re.match(r"\d+\. ", p) and "—" in p]
    instance = {9: "—多机协同的发动机壳体柔性加工与检测"}
    assert listed == [f"{i}. {guide[n][0]}—{guide[n][1]}{instance.get(n, '')}"
                      for i, n in enumerate([7, 9, 10, 14, 16, 18, 22, 25, 28, 29], 1)]
    # KPI table: the form's pairs, the value with its unit, no 单位/变化 columns; required ones marked
    assert ["*关键设备数控化率", "92%", "*关键设备联网率", "88%"] in rows
    assert ["*全员劳动生产率", "85 万元/人·年", "*生产效率", "120 件/小时"] in rows
    assert row_of(rows, "*单位产值综合能耗")[1] == "【待填写】"
    assert "必填指标未填写（2项）：*单位产值综合能耗、*工厂应用智能决策模型数量" in d.notes
    # 智慧供应链 not applied for: ticked 否, its rows and indicators left empty, the text says so
    assert row_of(rows, "是否申报智慧供应链（不申报无需填报）")[1] == "☐是  ☑否"
    assert row_of(rows, "智慧供应链链接的上下游企业数量")[1] == ""
    assert row_of(rows, "来料合格率")[1] == ""
    assert "不申报，无需填报。" in d.text
    # 附1-1: all fifteen rows for each ticked scene, the instance's details filled in
    forms = [r for k, r in d.sequence() if k == "t" and r[0][0] == "环节名称"]
    assert len(forms) == 10 and all(len(f) == 15 for f in forms)
    nine = next(f for f in forms if f[2][1] == "多机协同的发动机壳体柔性加工与检测")
    assert dict(map(tuple, nine))["场景解决方案供应商名称"] == "某智能装备公司"
    assert dict(map(tuple, nine))["联系人及联系方式"] == "王工 13900000000"
    assert dict(map(tuple, nine))["场景建设起止日期"] == "2023年1月 至 2024年6月"
    assert dict(map(tuple, nine))["场景建设总投资（万元）"] == "500"
    assert dict(map(tuple, nine))["场景实例描述（结合要素条件进行描述，可配图）"] == "五轴机床与机器人组成柔性加工单元。"
    assert dict(map(tuple, nine))["解决的痛点问题描述（300字以内）"] == "复杂壳体加工效率低。"
    assert dict(map(tuple, nine))["采用的技术方案（包括供应商）（500字以内，可以配图）"] == "【待撰写】"
    # 附1-2: the instance's equipment and software from the equipment list, processes and technologies
    assert ["高档数控机床", "五轴加工中心", "DMU 65", "某机床公司", "五轴加工"] in rows
    assert ["生产制造类软件", "MES", "【待填写】", "某软件公司", "【待填写】"] in rows
    assert ["柔性加工", "多品种混线"] in rows and ["数字孪生", "产线孪生"] in rows
    # 附1-6 from the standards list in the form's words; 附1-3 … 1-5 optional: left blank
    assert ["1", "壳体加工智能工厂通用要求", "团标", "已发布", "T/XX 001-2025", ""] in rows
    assert table_with(d, ["序号", "技术名称", "关键参数（两到三个核心参数）", "备注"])[1] == ["1", "", "", ""]
    # narrative text kept; the form's own limit wording; attachments are the form's list
    assert "株洲示例装备有限公司成立于2015年，主营汽车变速箱壳体。" in d.text
    assert "（一）企业营业执照复印件" in d.paragraphs
    # A4 page; the form states no font: the margin says so
    section = d.document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert "申报书文本未规定纸张、字体和字号" in d.notes


def test_hunan_supply_chain_unanswered_is_left_to_the_enterprise(make_draft):
    profile = copy.deepcopy(HUNAN_PROFILE)
    del profile["application"]["smart_supply_chain"]
    d = make_draft("hunan-advanced-factory-2025", profile)
    assert row_of(d.rows, "是否申报智慧供应链（不申报无需填报）")[1] == "☐是  ☐否  【待填写】"
    assert row_of(d.rows, "智慧供应链链接的上下游企业数量")[1] == ""   # not asked to fill: it may not apply
    assert "不申报无需填报" in d.notes


# ---- Zhuzhou --------------------------------------------------------------------------------------

def test_zhuzhou_draft_tables_names_and_cover(make_draft, bundle):
    d = make_draft("zhuzhou-benchmark-sme", ZHUZHOU_PROFILE)
    rows = d.rows
    # the form's title and issuer; the scheme ticked is the one the draft is for, never another
    assert d.paragraphs[0] == "株洲市智能制造标杆申报书" and "株洲市工业和信息化局编制" in d.paragraphs
    assert "申报类型：☐标杆车间  ☑标杆中小企业" in d.paragraphs
    workshop = make_draft("zhuzhou-benchmark-workshop", ZHUZHOU_PROFILE)
    assert "申报类型：☑标杆车间  ☐标杆中小企业" in workshop.paragraphs
    assert row_of(rows, "智能制造车间名称（仅智能制造标杆车间申报企业填写）")[1] == ""     # SME: not asked
    assert row_of(rows, "标杆创建基本情况：项目起止年月")[1] == "2022年3月 — 2023年10月"
    assert row_of(rows, "企业性质")[1].startswith("☑国有  ☐民营")   # a local SOE is 国有 on this form
    assert row_of(rows, "可实现的场景数目（个）")[1] == "7"
    assert "☑数字孪生" in row_of(rows, "新技术应用")[1] and "☐人工智能" in row_of(rows, "新技术应用")[1]
    # names, never counts
    assert row_of(rows, "智能制造主要内部技术来源（列出拥有的企业技术中心、工程技术中心、创新中心、实验室等研发机构的等级及名称）")[1] \
        == "湖南省陶瓷工程技术研究中心（省级）"
    partners = row_of(rows, "主要项目合作单位及技术服务商（列出主要的高校、研究所等产学研合作单位，智能制造供应商名称）")[1]
    assert partners.startswith("湖南工业大学（高校）") and "深圳某集成商（供应商）" in partners
    # 3 × 6 economic table; a year the profile lacks is to be filled in
    econ = table_with(d, ["主要经济指标", "上3年", "上2年", "上年度"])
    assert [r[0] for r in econ[1:]] == ["总资产（万元）", "从业人员数", "负 债 率（%）", "主营业务收入（万元）", "上缴税金（万元）", "实现利润（万元）"]
    assert econ[4] == ["主营业务收入（万元）", "8500", "【待填写】", "8800"]
    # 四 and 五: five tables with the form's columns, filled from the lists
    equipment = table_with(d, ["序号", "类型", "设备名称", "供应商名称", "产地", "功能", "原值（万元）", "对应证明材料页数"])
    assert equipment[1:] == [["1", "①智能制造核心技术装备", "辊道窑温控系统", "株洲某窑炉公司", "④株洲本地", "烧成控制", "500", "【待填写】"],
                             ["2", "③工业软件", "MES", "长沙某软件公司", "③省产", "生产管理", "300", "【待填写】"]]
    services = table_with(d, ["序号", "类型", "服务内容", "服务商名称", "服务商属地", "费用（万元）", "对应证明材料页数"])
    assert services[1] == ["1", "①咨询规划", "智能制造诊断咨询", "株洲某咨询公司", "④株洲本地", "80", "【待填写】"]
    patents = table_with(d, ["序号", "类型", "名称", "编号（专利申请号/专利公开号/专利号/授权公告号/软著证书号）", "对应证明材料页数"])
    assert [r[1] for r in patents[1:]] == ["①专利（发明）", "②软件著作权"]
    assert table_with(d, ["序号", "名称", "类别（国家/行业/地方/企业）", "角色（主要起草单位/参与起草单位）", "相关阶段", "对应证明材料页数"])[1][1:5] \
        == ["日用陶瓷智能工厂通用要求", "行业", "参与起草单位", "征求意见稿"]
    assert table_with(d, ["序号", "名称", "类型（主要研究报告、技术规范等，请根据实际情况填写）", "对应证明材料页数"])[1][1:3] \
        == ["陶瓷行业智能制造白皮书", "主要研究报告"]
    # the 52-scene table: the ticked ones 有, the rest 无
    scene_rows = [r for r in rows if len(r) == 5 and r[2].isdigit()]
    assert len(scene_rows) == 52 and {int(r[2]) for r in scene_rows if r[4] == "☑有"} == {5, 7, 8, 14, 19, 24, 33}
    # KPI table as printed: units in the names, the form's pairs
    assert ["关键设备数控化率（%）", "75", "关键设备联网率（%）", ""] in rows
    # 201 字 against 200: flagged in the margin (and in the summary), not in the body
    assert "超出字数限制：已写201字，限200字。" in d.notes and "超出字数限制" not in d.text
    assert d.info["summary"]["overLimit"] == ["二、企业情况概述"]
    assert "二、企业情况概述（200字以内）" in d.paragraphs
    # the checklist is the form's own: no heading of its own inside it, no region's rule
    assert "（八）其他相关材料。" in d.paragraphs and not any("重庆" in p for p in d.paragraphs)


def test_zhuzhou_part_three_counts_its_outline_toward_1000(make_draft):
    """三、智能制造实施内容（1000字以上）: the overview and the outline's parts count together."""
    profile = copy.deepcopy(ZHUZHOU_PROFILE)
    profile["application"]["sections"]["project-overview-short"] = "概" * 150
    profile["application"]["scene_sections"] = {"zz-scene-description": {"5": "述" * 150, "7": "述" * 150},
                                               "zz-scene-results": {"5": "果" * 150}}
    d = make_draft("zhuzhou-benchmark-sme", profile)
    assert "字数不足：已写600字，要求1000字以上。（含下面编写提纲各部分）" in d.notes
    profile["application"]["sections"]["integration"] = "协" * 400
    d = make_draft("zhuzhou-benchmark-sme", profile)
    assert "已写1000字，要求1000字以上。（含下面编写提纲各部分）" in d.notes


def test_draft_totals_equal_the_engines(make_draft, bundle):
    """The spend the rubric reads is the lists' sum within 近三年; the draft shows the same numbers."""
    result = json.loads(evaluate_json(bundle, json.dumps(ZHUZHOU_PROFILE, ensure_ascii=False), schemes=["zhuzhou-benchmark-sme"], today=TODAY))
    derived = result["derived"]
    assert derived["investment_wan.core_equipment"]["value"] == 800          # 500 + 300; the 2021 entry left out
    assert derived["investment_wan.local_core_equipment"]["value"] == 500
    assert derived["investment_wan.services"]["value"] == 200
    assert derived["investment_total_wan"]["value"] == 1000
    d = make_draft("zhuzhou-benchmark-sme", ZHUZHOU_PROFILE, result=result)
    assert d.info["summary"]["totals"] == {"core-equipment": 800, "technical-services": 200}
    assert row_of(d.rows, "近三年企业（车间）实施智能制造的总投入（万元）")[1] == "1000"
    parts = {r[0]: r[1] for r in d.rows if r[0].startswith("其中：")}
    assert parts == {"其中：核心技术装备购置费（万元）": "500", "其中：工业软件购置费（万元）": "300",
                     "其中：咨询规划费用（万元）": "80", "其中：方案设计费用（万元）": "0"}
    assert "档案中另有1项不在近三年（2023–2025年）内" in d.notes
    # the rubric reads the lists' counts exactly as it reads the same plain numbers
    plain = copy.deepcopy(ZHUZHOU_PROFILE)
    del plain["itemized"]
    plain["achievements"] = {"invention_patents": 1, "utility_patents": 0, "software_copyrights": 1, "standards": 1, "reports": 1}
    plain["rd_centers"] = {"national": 0, "provincial": 1, "municipal": 0}
    plain["research_partners"] = 1
    plain["investment_wan"]["services"] = 200
    plain["investment_wan"]["local_services"] = 80
    again = json.loads(evaluate_json(bundle, json.dumps(plain, ensure_ascii=False), schemes=["zhuzhou-benchmark-sme"], today=TODAY))
    assert result["results"][0]["score"] == again["results"][0]["score"]


# ---- Changzhou and national ----------------------------------------------------------------------

def test_changzhou_draft_uses_the_stated_layout_and_the_forms_columns(make_draft):
    profile = {"profile": 1, "enterprise": {"name": "常州示例智造有限公司", "city": "常州市"},
               "scenes": {"changzhou-2023": [1, 2, 4]}, "support_elements": ["networked-equipment", "industrial-5g"],
               "kpis": {"quality-loss-rate": {"before": 3.2, "value": 1.1}},
               "application": {"contact_name": "张三", "contact_phone": "13700000000"},
               "itemized": {"financials": [{"year": 2021, "main_revenue": 12000, "tax": 500, "profit": 900}]}}
    d = make_draft("changzhou-smart-factory-2023", profile)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    rpr = d.document.styles.element.find(f".//{w}docDefaults")
    assert rpr.find(f".//{w}rFonts").get(w + "eastAsia") == "仿宋" and rpr.find(f".//{w}sz").get(w + "val") == "32"   # 3号 = 16 pt
    assert "联系人及电话：张三  13700000000" in d.paragraphs
    assert d.paragraphs[-0] == "常州市智能工厂申报书" and "常州市工业和信息化局" in d.paragraphs and "2023年12月" in d.paragraphs
    assert table_with(d, ["近三年主要经济指标", "2020年", "2021年", "2022年"])[1:] == [
        ["主营业务收入（万元）", "【待填写】", "12000", "【待填写】"], ["税金（万元）", "【待填写】", "500", "【待填写】"],
        ["利润（万元）", "【待填写】", "900", "【待填写】"]]
    outcomes = table_with(d, ["", "工厂建设前", "工厂建设后"])
    assert ["质量损失率", "3.2%", "1.1%"] in outcomes
    assert row_of(d.rows, "装备、网络、软件")[1].startswith("装备：☑网络化装备 ☐智能化装备")
    assert "正文字体为3号仿宋体" in d.notes and "changzhou-smart-factory-2023 附件2 填报说明 四" in d.notes


def test_national_forms_have_their_annex_tables(make_draft):
    d = make_draft("national-demo-factory-2021", ZHUZHOU_PROFILE | {"declarations": {"national-2021-no-major-accidents-3y": True}})
    heads = [v for k, v in d.sequence() if k == "h"]
    for title in ("附5-1 具体场景描述", "附5-2 具体场景采用的关键装备、软件/系统及新技术情况", "附5-3 项目突破的关键技术清单（选填）",
                  "附5-4 项目突破的关键装备清单（选填）", "附5-5 项目突破的关键软件/系统清单（选填）",
                  "附5-6 项目建设过程中形成的标准清单（选填）", "附5-7 项目建设过程中形成的专利清单（选填）"):
        assert title in heads
    assert row_of(d.rows, "企业近三年是否发生过重大安全生产事故、重大环境事故")[1].endswith("☑否")
    scenes = table_with(d, ["序号", "具体场景名称", "具体场景描述（结合要素条件进行描述）（150字以内）", "解决的痛点问题描述（150字以内）",
                            "采用的技术方案（包括供应商）（300字以内，可以配图）", "保障要素（如人、管理机制、组织标准、培训等）（150字以内，选填）",
                            "实施成果（最好通过量化指标描述）（200字以内）", "其他（如对于其他车间、工厂的带动效应等）（150字以内，选填）", "备注"])
    assert len(scenes) == 1 + 7
    # 八、相关附件: the form lists nothing there — no checklist items of another origin, no 重庆 rule
    i = d.paragraphs.index("八、相关附件")
    assert not any("重庆" in p or p.startswith("☐") for p in d.paragraphs[i:])
    e = make_draft("national-excellent-scene-2021", ZHUZHOU_PROFILE)
    heads = [v for k, v in e.sequence() if k == "h"]
    assert "附4-1 具体场景描述" in heads and "附4-2 具体场景采用的关键装备、软件/系统及新技术情况" in heads
    assert "缺失" in e.notes   # the opening of 附件4 missing from the source text: said in the margin


def test_national_per_scene_texts_counted_against_3000(make_draft):
    """二、申报要求（五）: every scene described within 3000 字; the text written for a scene goes into its block."""
    profile = {"profile": 1, "enterprise": {"name": "示例装备有限公司"}, "scenes": {"miit-2021": [5, 7]},
               "application": {"scene_sections": {"national-scene-construction": {"5": "柔" * 3001, "7": "排产优化。"}}}}
    d = make_draft("national-demo-factory-2021", profile)
    assert "场景建设情况（3000字以内）" in d.paragraphs
    assert "超出字数限制：已写3001字，限3000字。" in d.notes and "排产优化。" in d.text
    assert len(d.info["summary"]["overLimit"]) == 1 and d.info["summary"]["overLimit"][0].endswith("：场景建设情况")


# ---- partial, broken and fallback -----------------------------------------------------------------

def test_a_profile_with_errors_still_gives_a_draft_with_the_problems_noted(make_draft, bundle):
    broken = {"profile": 1, "enterprise": {"name": "坏档案有限公司", "employees": -5}, "kpis": {"nc-rate": 120},
              "nonsense": True}
    result = json.loads(evaluate_json(bundle, json.dumps(broken), schemes=["hunan-advanced-factory-2025"]))
    assert "errors" in result
    d = make_draft("hunan-advanced-factory-2025", broken, result=result)
    assert "档案中有以下问题" in d.notes
    for field in ("enterprise.employees", "kpis.nc-rate.value", "nonsense"):
        assert field in d.notes
    assert row_of(d.rows, "企业名称")[1] == "坏档案有限公司"        # what is valid is still filled in
    assert row_of(d.rows, "企业类型")[1].count("☑") == 0           # derived facts unknown: nothing ticked
    assert d.info["summary"]["engine"] is False


def test_a_list_that_disagrees_with_its_plain_value_is_a_field_error_naming_both(bundle):
    profile = copy.deepcopy(ZHUZHOU_PROFILE)
    profile["investment_wan"]["core_equipment"] = 900
    result = json.loads(evaluate_json(bundle, json.dumps(profile, ensure_ascii=False), today=TODAY))
    [error] = [e for e in result["errors"] if e["field"] == "investment_wan.core_equipment"]
    assert "900" in error["message"]["zh"] and "800" in error["message"]["zh"] and "itemized.core_equipment" in error["message"]["zh"]


def test_a_partial_profile_before_the_engine_answers_and_garbage_input(make_draft):
    d = make_draft("zhuzhou-benchmark-workshop", {"profile": 1}, result=None)
    assert "计算器尚未完成评估" in d.notes
    # 二, 第一部分, 协同集成, 六, 七, 八 and the per-scene outline (三's own overview may stay empty: its
    # 1000 字 are counted with the outline)
    assert d.text.count("【待撰写】") == 7
    assert "尚未选择场景：每个场景按下列各项分别描述。" in d.notes
    d = make_draft("hunan-advanced-factory-2025", {"enterprise": "not a mapping", "kpis": [1, 2], "itemized": {"core_equipment": "x"},
                                                    "scenes": {"miit-2024": "x"}, "scene_instances": [1]}, result={"errors": []})
    assert row_of(d.rows, "企业名称")[1] == "【待填写】"


def test_credit_code_fills_the_forms_that_ask_and_zhuzhous_organization_code(make_draft):
    profile = {"profile": 1, "enterprise": {"name": "示例", "credit_code": "91430281MA4L12345X"}}
    d = make_draft("zhuzhou-benchmark-sme", profile, result=None)
    assert row_of(d.rows, "组织机构代码")[1] == "MA4L1234-5"          # characters 9–17 (GB 32100-2015)
    d = make_draft("hunan-advanced-factory-2025", profile, result=None)
    assert row_of(d.rows, "统一社会信用代码")[1] == "91430281MA4L12345X"


def test_a_scheme_without_a_catalogued_form_gets_its_materials_list(make_draft, bundle):
    catalog = copy.deepcopy(bundle)
    del catalog["application_forms"]["national-excellent-scene-2021"]
    d = make_draft("national-excellent-scene-2021", {"profile": 1, "enterprise": {"name": "示例"}}, catalog=catalog)
    assert "本类别的申报书版式未编入目录" in d.notes
    assert "（3000字以内）" in d.text                      # the materials list's word limits
    # its attachments without headings of their own and without 重庆's rule
    assert not any("重庆" in p for p in d.paragraphs) and "五、相关附件" not in d.paragraphs[:-1]


def test_character_counts_agree_with_the_core(make_draft):
    from guidegen.core.kpis import count_chars
    texts = ["", "本公司。", "ABC 2024年", "AI、5G 和 MES-系统", "e.g. 3.5 万元，ROI 12%", "　全角 空格\n换行", OVER_200]
    d = make_draft("hunan-advanced-factory-2025", {"profile": 1}, result=None, texts=texts)
    assert d.info["counts"] == [count_chars(t) for t in texts]
    assert [count_chars(t) for t in texts[:3]] == [0, 4, 3]


def test_a_download_right_after_an_edit_uses_the_answers_as_they_are_now(make_draft, bundle):
    """The engine's result may be of the answers before the last edit: values and texts come from
    the profile as it is now (there is no computed-change column to go stale)."""
    before_edit = json.loads(json.dumps(HUNAN_PROFILE))
    result = json.loads(evaluate_json(bundle, json.dumps(before_edit), schemes=["hunan-advanced-factory-2025"], today=TODAY))
    edited = json.loads(json.dumps(HUNAN_PROFILE))
    edited["kpis"]["nc-rate"] = 93
    edited["application"]["sections"]["company-profile"] = "智" * 501
    d = make_draft("hunan-advanced-factory-2025", edited, result=result)
    assert ["*关键设备数控化率", "93%", "*关键设备联网率", "88%"] in d.rows
    assert "超出字数限制：已写501字，限500字。" in d.notes
