"""The application pack (issue #16): .docx drafts built by calculator/pack.js — the module the
browser runs — under Node with the docx bundle the site build ships (build_docx_module), from
results of guidegen.core.evaluate; read back with python-docx."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

docx = pytest.importorskip("docx", reason="python-docx is a test dependency (pip install -e .[test])")

from guidegen.catalog.loader import load_catalog
from guidegen.core import evaluate, evaluate_json
from guidegen.site.calculator import build_docx_module

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "calculator" / "pack.js"
RUNNER = ROOT / "tests" / "pack" / "build_draft.mjs"
NODE = shutil.which("node")
pytestmark = [pytest.mark.slow,  # runs calculator/pack.js in node
              pytest.mark.skipif(NODE is None, reason="node is needed to run calculator/pack.js")]

HUNAN_PROFILE = {
    "profile": 1,
    "enterprise": {"name": "株洲示例装备有限公司", "city": "株洲市", "independent_legal_person": True,
                   "employees": 650, "revenue_wan": 28000, "registered_on": "2015-06-01", "industry_division": "C36"},
    "maturity": {"level": 3, "score": 3.1},
    "application": {"factory_name": "变速箱壳体智能工厂", "contact_name": "李明", "contact_phone": "13800000000"},
    "scene_instances": {"miit-2024": [{"scene": 9, "name": "多机协同的发动机壳体柔性加工与检测"}]},
    "honors": {"provincial-demo-workshop": 1, "integration-certified": True},
    "scenes": {"miit-2024": [7, 9, 10, 14, 16, 18, 22, 25, 28, 29]},
    "kpis": {"nc-rate": 92, "networking-rate": 88, "labor-productivity": {"value": 85, "unit": "万元/人·年"},
             "production-efficiency": {"value": 120, "unit": "件/小时"}, "resource-utilization": 95,
             "rd-cycle": {"before": 180, "value": 120, "unit": "天"}, "operating-cost": {"value": 5200, "unit": "万元"},
             "defect-rate": {"before": 2.0, "value": 0.8}, "sales-per-capita": {"value": 210, "unit": "万元/人"},
             "equipment-utilization": 86, "order-otd": 97.5, "ai-scene-share": 30},
}
HUNAN_PROFILE["application"]["sections"] = {"company-profile": "株洲示例装备有限公司成立于2015年，主营汽车变速箱壳体。",
                                            "project-summary": "建成壳体柔性加工智能工厂，覆盖生产作业、生产管理、运营管理。"}

# 18 × "本公司主营汽车零部件。" (198 字) + "ABC 2024年" (3) = 201 字: over the Zhuzhou limit of 200.
OVER_200 = "本公司主营汽车零部件。" * 18 + "ABC 2024年"
ZHUZHOU_PROFILE = {
    "profile": 1,
    "enterprise": {"name": "醴陵示例陶瓷有限公司", "city": "株洲市", "employees": 180, "revenue_wan": 9000,
                   "registered_on": "2012-03-15", "industry_division": "C30"},
    "maturity": {"level": 2, "score": 2.6},
    "investment_wan": {"core_equipment": 800, "services": 200},
    "implementation_plan": "whole",
    "scenes": {"miit-2021": [5, 7, 8, 14, 19, 24, 33]},
    "new_technologies": ["digital-twin"],
    "team": {"dedicated_team": True},
    "kpis": {"nc-rate": 75, "production-efficiency-gain": 28, "defect-rate-reduction": 35},
    "application": {"sections": {"company-profile": OVER_200}, "schemes": ["zhuzhou-benchmark-sme"],
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


@pytest.fixture(scope="module")
def make_draft(bundle, docx_module, tmp_path_factory):
    folder = tmp_path_factory.mktemp("drafts")
    counter = iter(range(1000))

    def make(scheme, profile, *, result="evaluate", texts=(), catalog=None):
        n = next(counter)
        if result == "evaluate":
            result = json.loads(evaluate_json(catalog or bundle, json.dumps(profile, ensure_ascii=False), schemes=[scheme]))
        src = folder / f"in{n}.json"
        out = folder / f"draft{n}.docx"
        src.write_text(json.dumps({"bundle": catalog or bundle, "profile": profile, "result": result, "scheme": scheme,
                                   "texts": list(texts)}, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run([NODE, str(RUNNER), str(PACK), str(docx_module), str(src), str(out)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        info = json.loads(proc.stdout)
        document = docx.Document(str(out))
        return document, info

    return make


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def table_rows(document) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]


def row_of(rows, first):
    return next(r for r in rows if r[0] == first)


def test_hunan_draft_holds_facts_scenes_and_kpi_table(make_draft, bundle):
    document, info = make_draft("hunan-advanced-factory-2025", HUNAN_PROFILE)
    text = "\n".join(paragraphs(document))
    rows = table_rows(document)
    assert info["filename"].endswith("申报书草稿.docx")
    # entered and derived facts in the form's cells
    assert row_of(rows, "企业名称")[1] == "株洲示例装备有限公司"
    assert row_of(rows, "成立时间")[1] == "2015-06-01"
    assert row_of(rows, "所属行业（行业大类代码+名称）")[1] == "C36 汽车制造业"
    assert "☑中型企业" in row_of(rows, "企业类型")[1]           # 650 persons, 28000 万元 → medium
    assert "☑三级" in row_of(rows, "智能制造能力成熟度评估结果")[1]
    assert row_of(rows, "湖南省智能制造示范（标杆）车间")[1].startswith("☑是")
    assert row_of(rows, "统一社会信用代码")[1] == "【待填写】"    # not in the profile: marked
    # the ten ticked 2024-guide scenes listed in the form's numbered list, nothing else
    guide = {s["number"]: (link["name"]["zh"], s["name"]["zh"]) for link in bundle["guides"]["miit-2024"] for s in link["scenes"]}
    listed = [p for p in paragraphs(document) if re.match(r"\d+\. ", p) and "—" in p]
    instance = {9: "—多机协同的发动机壳体柔性加工与检测"}   # 环节—场景—实例 where the profile names one
    assert listed == [f"{i}. {guide[n][0]}—{guide[n][1]}{instance.get(n, '')}"
                      for i, n in enumerate([7, 9, 10, 14, 16, 18, 22, 25, 28, 29], 1)]
    assert row_of(rows, "智能工厂具体名称")[1] == "变速箱壳体智能工厂"
    assert row_of(rows, "联系人姓名")[1] == "李明" and row_of(rows, "联系人手机")[1] == "13800000000"
    assert "工厂名称：变速箱壳体智能工厂" in text
    assert ["场景实例名称", "多机协同的发动机壳体柔性加工与检测"] in rows
    # KPI table: values, required marks, computed change in the better direction
    assert row_of(rows, "*关键设备数控化率")[1:3] == ["%", "92"]
    assert row_of(rows, "*全员劳动生产率")[1:3] == ["万元/人·年", "85"]
    assert row_of(rows, "*产品研制周期")[3] == "降低60（33.3%）"
    assert row_of(rows, "*单位产值综合能耗")[2] == "【必填，待填写】"
    assert row_of(rows, "*工厂应用智能决策模型数量")[2] == "【必填，待填写】"
    assert "必填指标未填写（2项）：*单位产值综合能耗、*工厂应用智能决策模型数量" in text
    # narrative text kept, limit shown; attachments checklist
    assert "株洲示例装备有限公司成立于2015年，主营汽车变速箱壳体。" in text
    assert "企业简介（限500字）" in text
    assert "☐ 企业营业执照复印件" in text
    # one 附1-1 block per ticked scene
    assert sum(1 for p in paragraphs(document) if p.startswith("场景实例")) == 10
    # A4 page; the form states no font: the draft says so
    section = document.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.5)
    assert "申报书文本未规定纸张、字体和字号" in text


def test_zhuzhou_draft_ticks_the_scene_table_and_flags_the_over_long_section(make_draft, bundle):
    document, info = make_draft("zhuzhou-benchmark-sme", ZHUZHOU_PROFILE)
    text = "\n".join(paragraphs(document))
    rows = table_rows(document)
    assert row_of(rows, "企业名称")[1] == "醴陵示例陶瓷有限公司"
    assert "项目名称：陶瓷窑炉数字化改造" in text and "申报类型：☐标杆车间  ☑标杆中小企业" in text
    assert row_of(rows, "项目起止年月：起")[1] == "2022年3月" and row_of(rows, "项目起止年月：止")[1] == "2023年10月"
    assert row_of(rows, "近三年企业（车间）实施智能制造的总投入（万元）")[1].startswith("1000")
    assert row_of(rows, "可实现的场景数目（个）")[1] == "7"
    assert "☑整体实施方案" in row_of(rows, "智能制造实施方案")[1]
    assert row_of(rows, "新技术应用")[1] == "数字孪生"
    # the form's 52-scene table: the ticked ones 有, the rest 无
    scene_rows = [r for r in rows if len(r) == 5 and r[2].isdigit()]
    assert len(scene_rows) == 52
    ticked = {int(r[2]) for r in scene_rows if r[4] == "☑有"}
    assert ticked == {5, 7, 8, 14, 19, 24, 33}
    assert all(r[4] == "☐无" for r in scene_rows if int(r[2]) not in ticked)
    # KPI table (current values)
    assert row_of(rows, "关键设备数控化率")[1:3] == ["%", "75"]
    assert row_of(rows, "生产效率提升（%）" if any(r[0] == "生产效率提升（%）" for r in rows) else "生产效率提升")[2] == "28"
    # 201 字 against 200: flagged in the section and in the summary at the top
    assert "【超出字数限制：已写201字，限200字】" in text
    assert info["summary"]["overLimit"] == ["二、企业情况概述"]
    assert "超出字数限制的段落：二、企业情况概述" in text


def test_changzhou_draft_uses_the_stated_layout_and_before_after_columns(make_draft):
    profile = {"profile": 1, "enterprise": {"name": "常州示例智造有限公司", "city": "常州市"},
               "scenes": {"changzhou-2023": [1, 2, 4]}, "support_elements": ["networked-equipment", "industrial-5g"],
               "kpis": {"quality-loss-rate": {"before": 3.2, "value": 1.1}}}
    document, _ = make_draft("changzhou-smart-factory-2023", profile)
    style = document.styles["Normal"]
    rpr = document.styles.element.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docDefaults")
    fonts = rpr.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    size = rpr.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sz")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert fonts.get(w + "eastAsia") == "仿宋" and size.get(w + "val") == "32"   # 3号 = 16 pt
    assert style is not None
    rows = table_rows(document)
    assert ["指标", "单位", "工厂建设前", "工厂建设后", "变化"] in rows
    assert row_of(rows, "质量损失率")[1:5] == ["%", "3.2", "1.1", "降低2.1（65.6%）"]
    assert row_of(rows, "装备、网络、软件")[1] == "装备：网络化装备、网络：工业5G"
    text = "\n".join(paragraphs(document))
    assert "正文字体为3号仿宋体" in text and "changzhou-smart-factory-2023 附件2 填报说明 四" in text


def test_a_profile_with_errors_still_gives_a_draft_with_the_problems_marked(make_draft, bundle):
    broken = {"profile": 1, "enterprise": {"name": "坏档案有限公司", "employees": -5}, "kpis": {"nc-rate": 120},
              "nonsense": True}
    result = json.loads(evaluate_json(bundle, json.dumps(broken), schemes=["hunan-advanced-factory-2025"]))
    assert "errors" in result
    document, info = make_draft("hunan-advanced-factory-2025", broken, result=result)
    text = "\n".join(paragraphs(document))
    assert "档案中有以下问题" in text
    for field in ("enterprise.employees", "kpis.nc-rate.value", "nonsense"):
        assert field in text
    rows = table_rows(document)
    assert row_of(rows, "企业名称")[1] == "坏档案有限公司"        # what is valid is still filled in
    assert row_of(rows, "企业类型")[1].count("☑") == 0           # derived facts unknown: nothing ticked
    assert "【尚未选择场景】" in text
    assert info["summary"]["engine"] is False


def test_a_partial_profile_before_the_engine_answers_and_garbage_input(make_draft):
    document, _ = make_draft("zhuzhou-benchmark-workshop", {"profile": 1}, result=None)
    text = "\n".join(paragraphs(document))
    assert "计算器尚未完成评估" in text
    assert text.count("【待撰写】") >= 8
    assert "【尚未选择场景：每个场景实例按下列各项分别描述】" in text
    document, _ = make_draft("hunan-advanced-factory-2025", {"enterprise": "not a mapping", "kpis": [1, 2],
                                                             "scenes": {"miit-2024": "x"}}, result={"errors": []})
    assert row_of(table_rows(document), "企业名称")[1] == "【待填写】"


def test_national_per_scene_texts_counted_against_3000(make_draft):
    """附件5 三: every scene described within 3000 字; the text written for a scene goes into its block."""
    profile = {"profile": 1, "enterprise": {"name": "示例装备有限公司"}, "scenes": {"miit-2021": [5, 7]},
               "application": {"scene_sections": {"national-scene-construction": {"5": "柔" * 3001, "7": "排产优化。"}}}}
    document, info = make_draft("national-demo-factory-2021", profile)
    text = "\n".join(paragraphs(document))
    assert "场景建设情况（限3000字）" in text
    assert "【超出字数限制：已写3001字，限3000字】" in text and "排产优化。" in text
    assert len(info["summary"]["overLimit"]) == 1 and info["summary"]["overLimit"][0].endswith("：场景建设情况")
    assert sum(1 for p in paragraphs(document) if p.startswith("场景实例")) == 4   # two scenes × (三 and 附5-1)


def test_a_scheme_without_a_catalogued_form_gets_its_materials_list(make_draft, bundle):
    import copy
    catalog = copy.deepcopy(bundle)
    del catalog["application_forms"]["national-excellent-scene-2021"]
    document, info = make_draft("national-excellent-scene-2021", {"profile": 1, "enterprise": {"name": "示例"}},
                                catalog=catalog)
    text = "\n".join(paragraphs(document))
    assert "本类别的申报书版式未编入目录" in text
    assert "（限3000字）" in text                      # the materials list's word limits
    assert any(p.startswith("☐ ") for p in paragraphs(document))   # and its attachments checklist


def test_character_counts_agree_with_the_core(make_draft):
    from guidegen.core.kpis import count_chars
    texts = ["", "本公司。", "ABC 2024年", "AI、5G 和 MES-系统", "e.g. 3.5 万元，ROI 12%", "　全角 空格\n换行", OVER_200]
    _, info = make_draft("hunan-advanced-factory-2025", {"profile": 1}, result=None, texts=texts)
    assert info["counts"] == [count_chars(t) for t in texts]
    assert [count_chars(t) for t in texts[:3]] == [0, 4, 3]


def test_a_download_right_after_an_edit_uses_the_answers_as_they_are_now(make_draft, bundle):
    """The engine's result may be of the answers before the last edit: values and texts come from
    the profile, a computed change only when the engine saw these very values."""
    before_edit = json.loads(json.dumps(HUNAN_PROFILE))
    result = json.loads(evaluate_json(bundle, json.dumps(before_edit), schemes=["hunan-advanced-factory-2025"]))
    edited = json.loads(json.dumps(HUNAN_PROFILE))
    edited["kpis"]["rd-cycle"] = {"before": 200, "value": 150, "unit": "天"}
    edited["application"]["sections"]["company-profile"] = "智" * 501
    document, _ = make_draft("hunan-advanced-factory-2025", edited, result=result)
    rows = table_rows(document)
    assert row_of(rows, "*产品研制周期")[1:4] == ["天", "150", ""]        # the old change is not shown
    assert row_of(rows, "*关键设备数控化率")[2:4] == ["92", ""]
    assert "【超出字数限制：已写501字，限500字】" in "\n".join(paragraphs(document))
