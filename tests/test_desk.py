"""The bureau desk: `guidegen batch` and the /desk/ page fill the scheme's 推荐汇总表.

The worked district batch is tests/desk/zhuzhou-sme/ (eleven files for the Zhuzhou
benchmark-SME scheme); its expected rows are computed by hand below from the rubric
of 附件1 (标杆中小企业 column). The browser test builds the site once (shared with the
calculator tests), drops the same files on /desk/ and compares every cell.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guidegen.cli import main
from guidegen.desk import DeskError, batch_workbook, read_folder, screen

import openpyxl  # noqa: E402 - after guidegen.desk, which picks openpyxl's XML writer (ElementTree)

from test_calculator_support import browser, server  # noqa: E402,F401 - the shared browser fixtures

ROOT = Path(__file__).resolve().parent.parent
DESK = ROOT / "tests" / "desk"
SOURCES = ROOT.parent / "shared" / "sources"
SME = "zhuzhou-benchmark-sme"
TODAY = "2025-04-01"



def cells(data: bytes) -> dict[str, list[tuple]]:
    """Every sheet's values, row by row (what a bureau sees)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb}


def run_batch(tmp_path, folder, scheme, *extra) -> dict[str, list[tuple]]:
    out = tmp_path / f"{scheme}.xlsx"
    assert main(["batch", str(folder), "--scheme", scheme, "--today", TODAY, "--out", str(out), *extra]) == 0
    return cells(out.read_bytes())


# --------------------------------------------------------------------------- the worked batch, by hand
#
# Every applicant shares the base of a-tianyuan.json (C34 通用设备 → equipment sector, 250 staff and
# 15000 万元 → small, an SME; 规上 by revenue):
#   maturity level 3 → 10, score 3.5 → 9; spend 1000 + 200 = 1200 万元 → 8; whole plan → 5;
#   seven 2021-guide scenes covering all six equipment key links (3 4 5 7 8 14) → 10;
#   honours: 2 municipal → 2; achievements: 1 invention (5) + 2 utility (2×2) → 9;
#   tech support: team + senior staff → 5, 1 research partner → 2: 7; 1 municipal case → 2;
#   2 municipal activities → 2.                                        base = 64
#   local equipment 500/1000 = 50 % → 5; local services 100/200 = 50 % → 5; provincial little
#   giant → 4; digital twin (an equipment technology) → 5; predictive maintenance → 5. bonus = 24
#   a-tianyuan 88 · c-youxian +1 invention patent (+5) = 93 · f-tianyuan-again no utility patents
#   (−4) = 84 · b-liling no growth honour (−4) and no new technology (−5) = 79, one short of 80 ·
#   d-dianzi 88 but one declaration (c3mep self-assessment) unanswered → pending ·
#   e-chaling 88 but registered in 长沙市 → not eligible.
# Recommendation order: qualifies by score (c 93, a 88, f 84), short (b), pending (d), not eligible (e);
# f is the same enterprise as a (a trailing space in its name) and is left out of the table.
# The table numbers only the recommended: c and a (with --include-pending also d, marked).

SME_HEADERS = [("序号", "企业名称", "项目名称", "项目起止年月", "联系人", None, "推荐意见"),
               (None, None, None, None, "姓名", "手机", None)]
SME_ROWS = [
    (1, "攸县轴承科技有限公司", "轴承数字化车间项目", "2023年3月—2024年6月", "李工", "13800000003",
     "自动初审：符合认定要求（93分，及格线80分）；材料待审核"),
    (2, "株洲天元精密机械有限公司", "精密零件智能制造标杆项目", "2023年3月—2024年6月", "王工", "13800000001",
     "自动初审：符合认定要求（88分，及格线80分）；材料待审核"),
]
PENDING_ROW = ("3（待确认）", "株洲芦淞电子有限公司", "电子装联智能工厂项目", "2023年3月—2024年6月", "赵工", None,
               "自动初审：待确认（88分，及格线80分）；材料待审核")
# (summary row, file, verdict, score, pass mark, points short)
SCREEN = [
    (1, "c-youxian.json", "符合认定要求", 93, 80, 0),
    (2, "a-tianyuan.json", "符合认定要求", 88, 80, 0),
    ("—（重复，未列入）", "f-tianyuan-again.json", "符合认定要求", 84, 80, 0),
    ("—（未列入：条件符合、分数不够）", "b-liling.yaml", "条件符合、分数不够", 79, 80, 1),
    ("—（未列入：待确认；勾选“也列入‘待确认’的企业”或用 --include-pending 可列入）", "d-dianzi.json", "待确认", 88, 80, 0),
    ("—（未列入：不符合申报条件）", "e-chaling.json", "不符合申报条件", 88, 80, 0),
]
# (file, field, kind): unreadable and field errors in file order, then the batch's
# duplicates and exclusions, then what the table misses.
PROBLEMS = [
    ("g-broken.json", None, "无法读取"),
    ("h-hetang.json", "enterprise.employees", "字段错误"),
    ("i-youxian-workshop.json", "application.schemes", "其他类别"),
    ("notes.txt", None, "非档案文件"),
    ("f-tianyuan-again.json", "enterprise.name", "重复申报"),
    ("c-youxian.json", "application.schemes", "互斥申报"),
]


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    return run_batch(tmp_path_factory.mktemp("desk"), DESK / "zhuzhou-sme", SME)


def test_the_worked_district_batch_fills_the_table_in_recommendation_order(district):
    assert list(district) == ["株洲市智能制造标杆中小企业申报汇总表", "初审", "问题"]
    table = district["株洲市智能制造标杆中小企业申报汇总表"]
    assert table[0][0] == "株洲市智能制造标杆中小企业申报汇总表"
    assert table[1][0] == "推荐单位（盖章）："
    assert table[2:4] == SME_HEADERS
    assert table[4:6] == SME_ROWS
    # Zhuzhou 第六条 prescribes no table: the sheet says the columns are this project's reading
    assert table[7][0].startswith("说明（本表列为本项目的理解，非通知规定）：办法第六条要求") and "未规定汇总表格式" in table[7][0]
    assert len(table) == 8


def test_pending_applicants_are_listed_only_when_asked_and_marked(tmp_path):
    book = run_batch(tmp_path, DESK / "zhuzhou-sme", SME, "--include-pending")
    table = book["株洲市智能制造标杆中小企业申报汇总表"]
    assert table[4:7] == [*SME_ROWS, PENDING_ROW]
    assert table[8][0] == "注：序号标“（待确认）”的企业尚有条件待确认（见“初审”表），推荐前请核实。"
    assert [r[0] for r in book["初审"][3:]][:5] == [1, 2, "—（重复，未列入）", "—（未列入：条件符合、分数不够）", "3（待确认）"]
    # what the listed pending applicant misses for the table is on the problems sheet again
    assert ("d-dianzi.json", "application.contact_phone", "汇总表缺项") in [r[:3] for r in book["问题"][2:]]


def test_materials_reviewed_on_the_desk_are_said_in_the_remarks(tmp_path):
    book = run_batch(tmp_path, DESK / "zhuzhou-sme", SME, "--reviewed", "a-tianyuan.json")
    rows = book["株洲市智能制造标杆中小企业申报汇总表"][4:6]
    assert [r[6].rsplit("；", 1)[1] for r in rows] == ["材料待审核", "材料审核通过"]


def test_the_pre_screen_sheet_has_verdict_score_plan_conditions_and_call(district):
    sheet = district["初审"]
    assert sheet[0][0] == "株洲市智能制造标杆中小企业 自动初审（评估日期 2025-04-01）"
    assert sheet[2] == ("汇总表序号", "文件", "企业名称", "结论", "得分", "及格线", "差距分", "提分方案",
                        "不满足的条件", "待确认的条件", "申报时间", "提示")
    assert [row[:2] + row[3:7] for row in sheet[3:]] == SCREEN
    by_file = {row[1]: row for row in sheet[3:]}
    # one point short: the plan names the step and reaches the pass mark
    plan = by_file["b-liling.yaml"][7]
    # (which step the plan picks is the plan engine's: one step reaching at least the pass mark)
    reach = re.match(r"1步可达(\d+)分\n\+\d+ ", plan)
    assert reach and int(reach.group(1)) >= 80, plan
    # failing and pending conditions carry their sources
    assert "在株洲市依法注册" in by_file["e-chaling.json"][8] and "zhuzhou-benchmark-2022 第五条（一）" in by_file["e-chaling.json"][8]
    assert by_file["e-chaling.json"][9] is None
    assert "zhuzhou-benchmark-2022 第五条（五）" in by_file["d-dianzi.json"][9]
    assert by_file["c-youxian.json"][8] is None and by_file["c-youxian.json"][9] is None
    # the Zhuzhou notice states no deadline: the call is unknown, and said so
    assert {row[10] for row in sheet[3:]} == {"截止日期未知"}
    assert by_file["f-tianyuan-again.json"][11] == "重复：同 a-tianyuan.json"
    assert by_file["c-youxian.json"][11] == "同时申报了互斥的类别"


def test_problems_list_bad_files_field_errors_duplicates_and_exclusions(district):
    sheet = district["问题"]
    assert sheet[1] == ("文件", "字段", "类别", "问题", "依据")
    assert [row[:3] for row in sheet[2:]] == PROBLEMS
    by_file = {row[0]: row for row in sheet[2:]}
    assert by_file["g-broken.json"][3].startswith("第 2 行第 1 列：JSON 格式错误（此处应为双引号括起的键名）；")
    assert by_file["h-hetang.json"][3] == "不能为负数"
    assert "一个企业一次只能选择申报智能制造标杆车间或者标杆中小企业" in by_file["c-youxian.json"][3]
    assert by_file["c-youxian.json"][4] == "zhuzhou-benchmark-2022 第六条"
    assert "a-tianyuan.json" in by_file["f-tianyuan-again.json"][3]


def test_english_sheets_keep_the_notice_table_and_translate_the_rest(tmp_path):
    book = run_batch(tmp_path, DESK / "zhuzhou-sme", SME, "--lang", "en")
    assert list(book) == ["株洲市智能制造标杆中小企业申报汇总表", "Pre-screen", "Problems"]
    assert book["株洲市智能制造标杆中小企业申报汇总表"][4:6] == SME_ROWS
    assert book["Pre-screen"][3][3] == "Meets the requirements"
    assert [row[2] for row in book["Problems"][2:]][:2] == ["unreadable", "field error"]


# --------------------------------------------------------------------------- every notice's layout

# The column headers exactly as each notice prints them (两行表头 where it has one).
NOTICE_HEADERS = {
    "hunan-advanced-factory-2025": [
        ("序号", "申报单位名称", "先进级智能工厂项目名称", "涉及典型场景实例（罗列）", "联系人", "联系方式（手机号）", "备注")],
    "changzhou-smart-factory-2023": [
        ("序号", "所在辖市（区）", "企业名称", "工厂名称", "项目所属产业集群", "智能工厂类型", "项目起止年月", None,
         "项目投资额（万元）", None, "联系人", "联系电话（手机）", "备注"),
        (None, None, None, None, None, None, "开工年月", "竣工年月", "项目总投资", "其中硬件设备、软件和云资源及网络费用",
         None, None, None)],
    "national-excellent-scene-2021": [("序号", "申报企业名称", "申报智能制造典型场景（罗列）", "联系人", "联系方式（手机号）")],
    "national-demo-factory-2021": [("序号", "揭榜单位名称", "示范工厂名称", "涉及智能场景（罗列）", "联系人", "联系方式（手机号）")],
    "zhuzhou-benchmark-sme": SME_HEADERS,
    "zhuzhou-benchmark-workshop": [
        ("序号", "企业名称", "项目名称", "智能制造车间名称", "项目起止年月", "联系人", None, "推荐意见"),
        (None, None, None, None, None, "姓名", "手机", None)],
}
NOTICE_FILES = {"hunan-advanced-factory-2025": "002_6308071c0a7f7db0.txt",
                "changzhou-smart-factory-2023": "003_066580f0bcc78beb.txt",
                "national-excellent-scene-2021": "004_62d91902c6a54cfa.txt",
                "national-demo-factory-2021": "004_62d91902c6a54cfa.txt",
                "zhuzhou-benchmark-sme": "000_2248bf02dff2e139.txt",
                "zhuzhou-benchmark-workshop": "000_2248bf02dff2e139.txt"}


@pytest.mark.parametrize("scheme", sorted(NOTICE_HEADERS))
def test_headers_equal_the_notice(bundle, scheme):
    data, _ = batch_workbook(bundle, [], scheme=scheme, today=TODAY)
    sheet = next(iter(cells(data).values()))
    rows = len(NOTICE_HEADERS[scheme])
    assert sheet[2:2 + rows] == NOTICE_HEADERS[scheme]
    # and every header is the document's own wording (its tables are flattened one cell a line)
    text = re.sub(r"\s+", "", (SOURCES / NOTICE_FILES[scheme]).read_text(encoding="utf-8"))
    for header in {h for row in NOTICE_HEADERS[scheme] for h in row if h}:
        assert header in text, f"{header!r} is not in {NOTICE_FILES[scheme]}"
    assert bundle["schemes"][scheme]["summary_table"]["source"]["doc"] in bundle["sources"]


def test_hunan_lists_link_scene_instance_and_the_benchmark_remark(tmp_path):
    book = run_batch(tmp_path, DESK / "hunan", "hunan-advanced-factory-2025")
    rows = book["先进级智能工厂项目推荐汇总表"]
    assert rows[3][3] == ("1. 生产作业—人机协同作业—多机协同的发动机壳体柔性加工与检测\n"
                          "2. 质量管控—在线智能检测—壳体尺寸在线视觉检测\n"
                          "3. 计划调度—智能排产调度—基于约束的机加车间智能排产")
    # 附件2 注2: the benchmark title (the calculator's 2022–2024 question) and the material review
    assert rows[3][6] == "湖南省智能制造标杆企业（2022—2024年）；自动初审：符合认定要求；材料待审核"
    # no instances named: the selected scenes are listed and the problems sheet says so
    assert rows[4][3].startswith("1. 工艺设计—工艺数字化设计\n2. 计划调度—生产计划优化")
    assert rows[4][6] == "非湖南省智能制造标杆企业；自动初审：符合认定要求；材料待审核"
    assert [r[:3] for r in book["问题"][2:]] == [("b-hetang.json", "scene_instances", "汇总表缺项")]
    assert rows[-1][0].startswith("注：1.推荐的先进级智能工厂项目按优先次序排名。")
    # 2025-04-01 is before 株洲's notice of 2025-04-24 (the call's data): not yet open
    assert {r[10] for r in book["初审"][3:]} == {"尚未开始（通知 2025-04-24 发布，截止 2025-04-28），结论按该通知预测"}


def test_changzhou_two_row_header_merged_and_filled(tmp_path):
    out = tmp_path / "cz.xlsx"
    # both applicants have a declaration unanswered (pending): listed on request, marked
    assert main(["batch", str(DESK / "changzhou"), "--scheme", "changzhou-smart-factory-2023", "--today", TODAY,
                 "--out", str(out), "--include-pending"]) == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"G3:H3", "I3:J3", "A3:A4", "M3:M4"} <= merged
    rows = [tuple(r) for r in ws.iter_rows(min_row=5, values_only=True)]
    assert rows[0][:10] == ("1（待确认）", "武进区", "常州武进智能装备有限公司", "武进高端装备智能工厂", "智能制造装备", "离散型",
                            "2022年1月", "2023年10月", 5200, 3100.5)
    assert rows[1][:10] == ("2（待确认）", "溧阳市", "溧阳新能源材料有限公司", "溧阳电池材料智能工厂", "新能源", "流程型",
                            "2021年6月", "2023年12月", 8800, 4100)
    screen_sheet = [tuple(r) for r in openpyxl.load_workbook(out)["初审"].iter_rows(min_row=4, values_only=True)]
    assert {r[10] for r in screen_sheet} == {"已截止（2023-12-20），结论预测下一批"}


# --------------------------------------------------------------------------- contract and faults

def test_same_batch_same_bytes(bundle):
    files = read_folder(DESK / "zhuzhou-sme")
    one, _ = batch_workbook(bundle, files, scheme=SME, today=TODAY)
    two, _ = batch_workbook(bundle, list(reversed(files)), scheme=SME, today=TODAY)
    assert one == two


def test_a_batch_of_only_bad_files_still_gives_a_workbook(bundle):
    files = [("a.json", b"\xff\xfe"), ("b.yaml", b"a: [1,"), ("c.json", b"[1, 2]"), ("d.json", b"[" * 5000),
             ("e.yml", b"profile: 1\nenterprise: {employees: lots}\n")]
    data, batch = batch_workbook(bundle, files, scheme=SME, today=TODAY)
    assert batch["applicants"] == []
    assert [(p["file"], p["kind"]) for p in batch["problems"]] == [
        ("a.json", "unreadable"), ("b.yaml", "unreadable"), ("c.json", "unreadable"), ("d.json", "unreadable"),
        ("e.yml", "field")]
    assert cells(data)["问题"][6][:2] == ("e.yml", "enterprise.employees")


def test_scene_instances_are_checked_like_any_profile_field(bundle):
    bad = {"profile": 1, "scene_instances": {"miit-2024": [{"scene": 99, "name": "x"}]}}
    _, batch = batch_workbook(bundle, [("x.json", json.dumps(bad).encode())], scheme=SME, today=TODAY)
    assert [(p["field"], p["kind"]) for p in batch["problems"]] == [("scene_instances.miit-2024[0].scene", "field")]


def test_unknown_scheme_and_a_scheme_without_a_table_exit_2(tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["batch", str(DESK / "hunan"), "--scheme", "no-such", "--out", str(out)]) == 2
    assert main(["batch", str(DESK / "hunan"), "--scheme", "smart-factory-levels", "--out", str(out)]) == 2
    assert main(["batch", str(tmp_path / "absent"), "--scheme", SME, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "未知的申报类别" in err and "lay out no summary table" in err
    assert not out.exists()
    with pytest.raises(DeskError):
        screen({"schemes": {}}, [], scheme=SME)


def test_a_table_column_reading_an_unknown_field_names_file_line_and_key(tmp_path):
    from guidegen.catalog import CatalogError, load_catalog
    root = tmp_path / "catalogs"
    shutil.copytree(ROOT / "catalogs", root)
    path = root / "schemes" / "hunan-advanced-factory-2025.yaml"
    text = path.read_text(encoding="utf-8")
    old = "value: {kind: field, path: application.project_name}"
    assert old in text
    path.write_text(text.replace(old, "value: {kind: field, path: application.project_title}"), encoding="utf-8")
    line = text[:text.index(old)].count("\n") + 1
    with pytest.raises(CatalogError) as exc:
        load_catalog(root)
    hits = [p for p in exc.value.problems if "application.project_title" in p.message]
    assert [(p.file, p.line, p.key) for p in hits] == [
        ("catalogs/schemes/hunan-advanced-factory-2025.yaml", line, "scheme.summary_table.columns[2].value.path")]


def test_fields_the_tables_read_are_marked_with_their_schemes(bundle):
    fields = {f["path"]: f for s in bundle["profile"]["sections"] for f in s["fields"]}
    for sid, scheme in bundle["schemes"].items():
        for col in (scheme.get("summary_table") or {}).get("columns", []):
            value = col["value"]
            for path in [value.get(k) for k in ("path", "start", "end") if value.get(k)]:
                if not path.startswith("enterprise."):
                    assert sid in fields[path]["schemes"], (sid, path)
    assert fields["application.contact_phone"]["personal"] is True


# --------------------------------------------------------------------------- the browser page

DESK_WHEELS = ("openpyxl-", "et_xmlfile-", "PyYAML-", "desk-stdlib.")


@pytest.fixture(scope="module")
def site():
    from test_calculator_support import built_site, require_chromium, require_node_modules
    require_node_modules()
    require_chromium()
    return built_site()


def desk_workbook(browser, server, tmp_path, lang: str, scheme: str, folder: Path, *,
                  axe: bool = False) -> tuple[bytes, list[str], dict]:
    """Drop every file of ``folder`` on the desk page, make the workbook, download it
    (with ``axe``: then check the page with axe-core, which needs the CSP bypassed)."""
    context = browser.new_context(accept_downloads=True, bypass_csp=axe)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    page.goto(f"{server.origin}/{'en/' if lang == 'en' else ''}desk/")
    page.wait_for_selector("html[data-desk-ready]", timeout=120_000)
    page.select_option("#gg-desk-scheme", scheme)
    page.fill("#gg-desk-date", TODAY)
    page.set_input_files("#gg-desk-files", [str(p) for p in sorted(folder.iterdir()) if p.is_file()])
    with page.expect_download(timeout=120_000) as info:
        page.click("#gg-desk-run")
        page.click("#gg-desk-download", timeout=120_000)
    target = tmp_path / f"browser-{lang}.xlsx"
    info.value.save_as(target)
    assert info.value.suggested_filename == f"株洲市智能制造标杆中小企业申报汇总表-{TODAY}.xlsx"
    shown = {"status": page.text_content("#gg-desk-status"),
             "order": page.locator("#gg-desk-order tbody tr").all_inner_texts(),
             "issues": page.locator("#gg-desk-issues li").all_inner_texts()}
    if axe:
        from test_calculator_support import axe_violations, describe_violations
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    context.close()
    assert not errors, errors
    assert all(u.startswith(server.origin + "/") or u.startswith("blob:") for u in requests), requests
    return target.read_bytes(), requests, shown


@pytest.mark.browser
def test_the_desk_page_makes_the_same_workbook_from_the_same_files(browser, server, tmp_path):
    # The CLI in its own process (as a bureau runs it), CPython; the page, Pyodide.
    cli = tmp_path / "cli.xlsx"
    subprocess.run([sys.executable, "-m", "guidegen.cli", "batch", str(DESK / "zhuzhou-sme"), "--scheme", SME,
                    "--today", TODAY, "--out", str(cli)], check=True, capture_output=True, cwd=ROOT)
    data, seen, shown = desk_workbook(browser, server, tmp_path, "zh", SME, DESK / "zhuzhou-sme")
    assert cells(data) == cells(cli.read_bytes())
    assert data == cli.read_bytes()  # byte for byte: ElementTree on both sides, fixed dates and order
    assert shown["status"] == "已生成：2 家企业列入汇总表，6 个问题"
    # the page shows the order and the problems the workbook holds
    assert [row.split("\t")[:3] for row in shown["order"]] == [[str(r[0]), r[1], r[6][5:].split("（")[0]] for r in SME_ROWS]
    assert [i.split(" · ")[0] for i in shown["issues"]] == [p[0] for p in PROBLEMS]
    assert any(DESK_WHEELS[0] in u for u in seen)


@pytest.mark.browser
def test_the_english_desk_page_matches_the_english_cli_workbook(browser, server, tmp_path):
    cli = tmp_path / "cli-en.xlsx"
    assert main(["batch", str(DESK / "zhuzhou-sme"), "--scheme", SME, "--today", TODAY, "--out", str(cli),
                 "--lang", "en"]) == 0
    data, _, shown = desk_workbook(browser, server, tmp_path, "en", SME, DESK / "zhuzhou-sme", axe=True)
    assert cells(data) == cells(cli.read_bytes())
    assert re.fullmatch(r"Done: 2 applicant(s|\(s\)) in the table, 6 problems?(\(s\))?", shown["status"]), shown["status"]
    assert shown["order"][0].split("\t")[2] == "Meets the requirements"


@pytest.mark.browser
def test_the_calculator_never_loads_the_desk_files(browser, server):
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(f"{server.origin}/calculator/")
    page.wait_for_selector('#gg-status[data-state="ready"]', timeout=120_000)
    context.close()
    assert any(u.endswith(".whl") for u in requests), "the calculator's wheel request was not seen"
    assert not [u for u in requests if any(w in u for w in DESK_WHEELS)]


@pytest.mark.slow  # runs calculator/profile.js in node
def test_share_links_leave_personal_fields_out(bundle):
    """calculator/profile.js withoutPersonal, run by Node on the real question schema."""
    from test_calculator_support import require_node_modules
    require_node_modules()
    profile = {"profile": 1, "enterprise": {"name": "株洲天元精密机械有限公司"},
               "application": {"project_name": "精密零件项目", "contact_name": "王工", "contact_phone": "13800000001"}}
    script = (f"import {{ withoutPersonal, toJSON }} from {json.dumps((ROOT / 'calculator' / 'profile.js').as_uri())};\n"
              f"console.log(toJSON(withoutPersonal({json.dumps(profile, ensure_ascii=False)}, "
              f"{json.dumps({'profile': bundle['profile']}, ensure_ascii=False)})));")
    proc = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"profile": 1, "enterprise": {"name": "株洲天元精密机械有限公司"},
                                       "application": {"project_name": "精密零件项目"}}


@pytest.mark.browser
def test_the_calculator_asks_the_table_fields_and_its_export_fills_the_hunan_table(browser, server, tmp_path):
    """Close the loop: the calculator asks the Hunan table's fields (named scene instances
    included), its export goes through `guidegen batch`, the row reads 环节—场景—实例."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.origin}/calculator/?schemes=hunan-advanced-factory-2025")
    page.wait_for_selector('#gg-status[data-state="ready"]', timeout=120_000)
    page.wait_for_selector('button[data-step="section-application"]', timeout=60_000)
    page.click('button[data-step="section-application"]')
    # the step's questions may sit in folded groups (<details class="gg-fold">): open them as a user would
    for summary in page.locator("details.gg-fold:not([open]) > summary").all():
        if summary.is_visible():
            summary.click()
    page.wait_for_selector('[data-path="application.contact_phone"] input', state="visible", timeout=30_000)
    assert not page.query_selector('[data-path="application.industry_cluster"]')  # Changzhou's, not asked here
    page.fill('[data-path="application.project_name"] input', "发动机壳体先进级智能工厂")
    page.fill('[data-path="application.contact_name"] input', "周工")
    add = page.locator(".gg-instances__guide > button")
    add.click()
    page.select_option(".gg-instances__row >> nth=0 >> select", "10")
    page.fill(".gg-instances__row >> nth=0 >> input", "多机协同的发动机壳体柔性加工与检测")
    add.click()
    page.select_option(".gg-instances__row >> nth=1 >> select", "14")  # no name yet: not in the profile
    with page.expect_download() as info:
        page.click("#gg-export")
    folder = tmp_path / "district"
    folder.mkdir()
    info.value.save_as(folder / "xiangjiang.json")
    context.close()
    exported = json.loads((folder / "xiangjiang.json").read_text(encoding="utf-8"))
    assert exported["scene_instances"] == {"miit-2024": [{"scene": 10, "name": "多机协同的发动机壳体柔性加工与检测"}]}
    # a half-answered profile is pending: listed only on request, marked
    book = run_batch(tmp_path, folder, "hunan-advanced-factory-2025", "--include-pending")
    row = book["先进级智能工厂项目推荐汇总表"][3]
    assert row[0] == "1（待确认）"
    assert row[2:5] == ("发动机壳体先进级智能工厂", "1. 生产作业—人机协同作业—多机协同的发动机壳体柔性加工与检测", "周工")


def _profile(name: str, *schemes: str) -> bytes:
    return json.dumps({"profile": 1, "enterprise": {"name": name}, "application": {"schemes": list(schemes)}},
                      ensure_ascii=False).encode()


def test_the_two_national_directions_exclude_each_other(bundle):
    files = [("a-factory.json", _profile("重庆某装备有限公司", "national-demo-factory-2021")),
             ("b-scenes.json", _profile("重庆某装备有限公司", "national-excellent-scene-2021")),
             ("c-other.json", _profile("重庆另一家有限公司", "national-demo-factory-2021"))]
    _, batch = batch_workbook(bundle, files, scheme="national-demo-factory-2021", today=TODAY)
    flagged = [(p["file"], p["kind"], p["source"]) for p in batch["problems"] if p["kind"] in ("exclusion", "other-scheme")]
    assert flagged == [("b-scenes.json", "other-scheme", None),
                       ("a-factory.json", "exclusion", "national-pilot-2021 渝经信智能〔2021〕114号 二、注意事项（一）")]
    # one file ticking both directions is flagged too
    _, batch = batch_workbook(bundle, [("both.json", _profile("某企业", "national-demo-factory-2021",
                                                              "national-excellent-scene-2021"))],
                              scheme="national-excellent-scene-2021", today=TODAY)
    assert [(p["file"], p["kind"]) for p in batch["problems"] if p["kind"] == "exclusion"] == [("both.json", "exclusion")]


def test_a_second_workshop_of_one_enterprise_cites_the_one_workshop_rule(bundle):
    # the same name written with a space and a full-width letter: the same enterprise
    files = [("a.json", _profile("株洲ＡＢ机械有限公司")), ("b.json", _profile("株洲AB机械 有限公司"))]
    _, batch = batch_workbook(bundle, files, scheme="zhuzhou-benchmark-workshop", today=TODAY)
    dup = [p for p in batch["problems"] if p["kind"] == "duplicate"]
    assert [(p["file"], p["source"]) for p in dup] == [("b.json", "zhuzhou-benchmark-2022 第六条")]
    assert "一次只能申报一个标杆车间" in dup[0]["message"]["zh"]
    assert [a["left_out"] for a in batch["applicants"]] == ["pending", "duplicate"]


def test_a_table_field_not_marked_with_its_scheme_is_a_catalog_error(tmp_path):
    """The calculator asks a table's fields for the schemes marked on them: a missing mark is caught."""
    from guidegen.catalog import CatalogError, load_catalog
    root = tmp_path / "catalogs"
    shutil.copytree(ROOT / "catalogs", root)
    path = root / "profile.yaml"
    text = path.read_text(encoding="utf-8")
    old = "schemes: [changzhou-smart-factory-2023]\n      - path: application.factory_type"
    assert old in text
    path.write_text(text.replace(old, "schemes: [hunan-advanced-factory-2025]\n      - path: application.factory_type"),
                    encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(root)
    hits = [(p.file, p.key) for p in exc.value.problems if "application.industry_cluster" in p.message]
    assert hits == [("catalogs/schemes/changzhou-smart-factory-2023.yaml", "scheme.summary_table.columns[4].value.path")]


# --------------------------------------------------------------------------- untrusted text in cells

import zipfile  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

HOSTILE = ROOT / "tests" / "hostile"
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# What a spreadsheet may take for the start of a formula (OWASP), full-width forms included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def sheet_cells(data: bytes) -> list[dict]:
    """Every cell of every sheet as written in the XML: {sheet, ref, t, quote, text}. Asserts that
    no sheet holds a formula (<f>) anywhere."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))
        quote = [xf.get("quotePrefix") == "1" for xf in styles.find("m:cellXfs", _NS)]
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", _NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
        for name in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
            body = z.read(name)
            assert b"<f>" not in body and b"<f " not in body and b":f>" not in body, f"{name} holds a formula"
            for c in ET.fromstring(body).iter(f"{{{_NS['m']}}}c"):
                assert c.find("m:f", _NS) is None, f"{name} {c.get('r')} is a formula"
                t = c.get("t", "n")
                v = c.find("m:v", _NS)
                if t == "s":
                    text = shared[int(v.text)]
                elif t == "inlineStr":
                    text = "".join(x.text or "" for x in c.iter(f"{{{_NS['m']}}}t"))
                else:
                    text = v.text if v is not None else None
                out.append({"sheet": name, "ref": c.get("r"), "t": t, "quote": quote[int(c.get("s", 0))], "text": text})
    return out


def assert_safe_workbook(data: bytes) -> list[dict]:
    """No formulas; every text cell a string cell with the quote prefix; returns the cells."""
    found = sheet_cells(data)
    for c in found:
        if c["t"] in ("s", "inlineStr", "str"):
            assert c["t"] != "str", c          # 'str' is a formula's cached result
            assert c["quote"], f"{c['sheet']} {c['ref']} {c['text']!r} has no quote prefix"
    return found


def test_formula_prefixes_in_every_text_field_stay_text(bundle):
    files = [(p.name, p.read_bytes()) for p in sorted(HOSTILE.glob("formula-*.json"))]
    files.append(("=1+2.yaml", (HOSTILE / "=1+2.yaml").read_bytes()))
    data, batch = batch_workbook(bundle, files, scheme=SME, today=TODAY)
    found = assert_safe_workbook(data)
    texts = [c["text"] for c in found if c["t"] in ("s", "inlineStr")]
    # every prefix reached the summary table, the pre-screen and the problems sheet as text
    for prefix in ("=1+1", '=HYPERLINK("http://example.com/x","点击")', "=cmd|' /C calc'!A0", "+1+1", "-1+1",
                   "@SUM(1,1)", "＝1+1", "＋1+1", "－1+1", "＠SUM(1,1)"):
        assert any(t.startswith(prefix + " 企业") for t in texts), prefix
        assert any(t.startswith(prefix + " project_name") for t in texts), prefix
        assert any(t.startswith(prefix + " contact_phone") for t in texts), prefix
    assert any(c["text"] == "=1+2.yaml" and c["t"] in ("s", "inlineStr") and c["quote"] for c in found)
    dangerous = [c for c in found if c["text"] and str(c["text"]).startswith(FORMULA_STARTS)]
    assert len(dangerous) > 50 and all(c["t"] in ("s", "inlineStr") and c["quote"] for c in dangerous)
    # numbers the engine validated stay numbers
    assert {c["text"] for c in found if c["t"] == "n" and c["sheet"].endswith("sheet2.xml")} >= {"88", "80", "0"}
    # the values are unchanged: openpyxl reads back exactly what the profile said
    table = next(iter(cells(data).values()))
    assert ("=cmd|' /C calc'!A0 企业dde" in {r[1] for r in table})
    # a phone that is not a phone is flagged, once per file
    phones = [p["file"] for p in batch["problems"] if p["kind"] == "phone"]
    assert sorted(phones) == sorted(p.name for p in HOSTILE.glob("formula-*.json"))


def test_full_width_digits_in_a_phone_become_ascii_and_are_not_flagged(bundle):
    data, batch = batch_workbook(bundle, [("w.json", (HOSTILE / "phone-fullwidth.json").read_bytes())],
                                 scheme=SME, today=TODAY)
    assert next(iter(cells(data).values()))[4][5] == "13800000012"
    assert not [p for p in batch["problems"] if p["kind"] == "phone"]


def test_control_characters_are_shown_escaped_and_named_and_the_batch_completes(bundle):
    files = [("c.json", (HOSTILE / "control-chars.json").read_bytes()),
             ("a.json", (DESK / "zhuzhou-sme" / "a-tianyuan.json").read_bytes()),
             ("x\x01y.json", (DESK / "zhuzhou-sme" / "c-youxian.json").read_bytes())]
    data, batch = batch_workbook(bundle, files, scheme=SME, today=TODAY)
    assert_safe_workbook(data)
    book = cells(data)
    names = {r[1] for r in next(iter(book.values()))[4:]}
    assert "株洲控制\\x01字符有限公司" in names and "株洲天元精密机械有限公司" in names
    projects = {r[2] for r in next(iter(book.values()))[4:]}
    assert "项目\\x00名\\x1b称\\x1f" in projects
    control = [(p["file"], p["field"]) for p in batch["problems"] if p["kind"] == "control"]
    assert control == [("c.json", "enterprise.name"), ("c.json", "application.project_name"),
                       ("c.json", "application.contact_name"), ("x\x01y.json", None)]
    assert ("x\\x01y.json", None, "控制字符") in [r[:3] for r in book["问题"][2:]]
    assert "U+0000、U+001B、U+001F" in batch["problems"][1]["message"]["zh"]


# --------------------------------------------------------------------------- the hostile corpus

sys.path.insert(0, str(HOSTILE))
import corpus  # noqa: E402 - tests/hostile/corpus.py


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The whole corpus in one folder: the committed files and the big ones made now."""
    return corpus.build(tmp_path_factory.mktemp("hostile") / "district")


def check_hostile_batch(data: bytes, lang: str) -> dict[str, list[tuple]]:
    """What every hostile file must get, read off the workbook itself."""
    assert_safe_workbook(data)
    book = cells(data)
    problems = book["问题" if lang == "zh" else "Problems"][2:]
    by_file: dict[str, list[tuple]] = {}
    for row in problems:
        by_file.setdefault(row[0], []).append(row)
    for name, (kind, zh, en) in corpus.EXPECTED.items():
        rows = by_file.get(name)
        assert rows and len(rows) == 1, (name, rows)
        reason = rows[0][3]
        assert (zh if lang == "zh" else en) in reason, (name, reason)
        assert rows[0][2] == ("无法读取" if kind == "unreadable" else "非档案文件") if lang == "zh" else True
        assert "Traceback" not in reason and "yaml." not in reason and "Error" not in reason
        if name in corpus.SAVE_AS_UTF8:
            assert ("另存为”UTF-8" if lang == "zh" else "save it as UTF-8") in reason
    # the rest of the batch is complete: every readable file is an applicant on the pre-screen sheet
    screened = {row[1] for row in book["初审" if lang == "zh" else "Pre-screen"][3:]}
    readable = {p.name for p in HOSTILE.iterdir() if p.is_file() and p.name not in corpus.EXPECTED
                and p.suffix in (".json", ".yaml") and p.name != "corpus.py"}
    assert readable == screened - {"bom.json"} | {"bom.json"} and "bom.json" in screened, readable ^ screened
    return book


def test_the_hostile_corpus_in_the_cli(hostile, tmp_path):
    """`guidegen batch` in its own process, as a bureau runs it: exit 0, every file explained."""
    out = tmp_path / "hostile.xlsx"
    proc = subprocess.run([sys.executable, "-m", "guidegen.cli", "batch", str(hostile), "--scheme", SME,
                           "--today", TODAY, "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    book = check_hostile_batch(out.read_bytes(), "zh")
    # the formula-named file and the control characters are in the table as text
    names = [r[1] for r in book["株洲市智能制造标杆中小企业申报汇总表"][4:]]
    assert "株洲等号文件名有限公司" in names and "株洲控制\\x01字符有限公司" in names and "株洲带签名有限公司" in names


def test_the_hostile_corpus_in_english(bundle, hostile):
    data, _ = batch_workbook(bundle, read_folder(hostile), scheme=SME, today=TODAY, lang="en")
    check_hostile_batch(data, "en")


def test_the_alias_bomb_is_refused_before_anything_is_built():
    """Structure, not time: the reader stops at the first anchor, and what it allocated meanwhile
    is a few kilobytes (expanded, the bomb would be 9^9 strings)."""
    import tracemalloc
    from guidegen.profile_file import ProfileFileError, load_profile
    bomb = (HOSTILE / "alias-bomb.yaml").read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(ProfileFileError) as exc:
            load_profile(bomb, "alias-bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exc.value.kind == "alias" and (exc.value.lineno, exc.value.colno) == (2, 5)
    assert peak < 2_000_000, peak


def test_deep_nesting_is_refused_without_a_recursion_error():
    from guidegen.profile_file import ProfileFileError, load_profile
    for name, data in corpus.big_files().items():
        if name.startswith("deep-"):
            with pytest.raises(ProfileFileError) as exc:
                load_profile(data, name)
            assert exc.value.kind == "depth", (name, exc.value)
            assert not isinstance(exc.value.__context__, RecursionError)


def test_one_reader_for_evaluate_batch_and_the_calculator_import(tmp_path, capsys):
    """A JSON file with a byte-order mark: read by evaluate as by batch; a bad file gets the same
    words from evaluate, the desk and the calculator's import (read_profile_json)."""
    from guidegen.profile_file import read_profile_json
    assert main(["evaluate", str(HOSTILE / "bom.json"), "--scheme", SME, "--today", TODAY, "--json"]) == 0
    capsys.readouterr()
    for name in ("dup-keys.json", "nan.json", "utf16.json", "gbk.json", "empty.json"):
        assert main(["evaluate", str(HOSTILE / name), "--scheme", SME]) == 2
        err = capsys.readouterr().err
        zh, en = corpus.EXPECTED[name][1:]
        assert zh in err and en in err and "Traceback" not in err, err
        answer = json.loads(read_profile_json((HOSTILE / name).read_bytes(), name))
        assert zh in answer["errors"][0]["message"]["zh"] and en in answer["errors"][0]["message"]["en"]
    assert json.loads(read_profile_json((HOSTILE / "bom.json").read_bytes()))["profile"]["enterprise"]["name"] == "株洲带签名有限公司"


def test_a_qualifier_never_lists_the_informational_row_as_unmet(bundle):
    """Hunan's direct-recognition row only informs: unanswered, it is a hint, not a pending condition."""
    profile = json.loads((DESK / "hunan" / "a-xiangjiang.json").read_text(encoding="utf-8"))
    del profile["honors"]["hunan-benchmark-2022-2024"]
    _, batch = batch_workbook(bundle, [("x.json", json.dumps(profile).encode())],
                              scheme="hunan-advanced-factory-2025", today=TODAY)
    a = batch["applicants"][0]
    assert a["verdict"] == "qualifies" and a["row"] == 1
    assert a["failing"] == [] and a["pending"] == []
    assert [c["id"] for c in a["hints"]] == ["direct-recognition"]


# --------------------------------------------------------------------------- printing (LibreOffice)

def fourteen_applicants(folder: Path) -> Path:
    """Fourteen qualifying Zhuzhou SMEs with long names and project names (a busy district)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = json.loads((DESK / "zhuzhou-sme" / "a-tianyuan.json").read_text(encoding="utf-8"))
    for i in range(14):
        p = json.loads(json.dumps(base))
        p["enterprise"]["name"] = f"株洲市第{i + 1}精密智能装备制造股份有限公司"
        p["application"]["project_name"] = f"面向高端装备关键零部件的数字化车间与智能产线建设项目（第{i + 1}期）"
        p["application"]["contact_phone"] = f"1380000{i:04d}"
        (folder / f"{i:02d}.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    return folder


def render_pdf(xlsx: Path, sheet: str | None = None) -> Path:
    """LibreOffice's PDF of ``xlsx`` (only ``sheet`` when given), with a private user profile."""
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    if sheet is not None:
        wb = openpyxl.load_workbook(xlsx)
        for ws in list(wb):
            if ws.title != sheet:
                wb.remove(ws)
        xlsx = xlsx.with_name(xlsx.stem + "-one-sheet.xlsx")
        wb.save(xlsx)
    profile = xlsx.parent / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(xlsx.parent), str(xlsx)], check=True, capture_output=True, timeout=300)
    return xlsx.with_suffix(".pdf")


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.mark.slow
def test_a_fourteen_applicant_zhuzhou_table_prints_on_at_most_two_pages(tmp_path):
    folder = fourteen_applicants(tmp_path / "district")
    out = tmp_path / "zhuzhou.xlsx"
    assert main(["batch", str(folder), "--scheme", SME, "--today", TODAY, "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    # set up for printing: A4 landscape, one page wide, title and headers repeated, page numbers
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (
        "landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$4"
    assert "&P" in ws.oddFooter.center.text
    # every data row has a height that fits its wrapped text
    assert all(ws.row_dimensions[r].height and ws.row_dimensions[r].height >= 15 for r in range(5, 19))
    pdf = render_pdf(out, ws.title)
    assert pdf_pages(pdf) <= 2
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "株洲市第14精密智能装备制造股份有限公司" in text and "第 1 页" in text


# --------------------------------------------------------------------------- the hostile corpus and the options, in chromium

@pytest.mark.browser
def test_the_hostile_corpus_on_the_desk_page(browser, server, tmp_path, hostile, bundle):
    """The same folder dropped on /desk/ (Pyodide): every file explained in the same words as the
    CLI's, the rest of the batch complete, no formulas; the workbook is the CLI's, byte for byte."""
    data, _, shown = desk_workbook(browser, server, tmp_path, "zh", SME, hostile)
    book = check_hostile_batch(data, "zh")
    cli, _ = batch_workbook(bundle, read_folder(hostile), scheme=SME, today=TODAY)
    assert book["问题"] == cells(cli)["问题"]
    assert data == cli
    # the page lists the same problems
    assert [i.split(" · ")[0] for i in shown["issues"]] == [r[0] for r in book["问题"][2:]]


@pytest.mark.browser
def test_pending_and_reviewed_on_the_desk_page_match_the_cli_options(browser, server, tmp_path, bundle):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.origin}/desk/")
    page.wait_for_selector("html[data-desk-ready]", timeout=120_000)
    page.select_option("#gg-desk-scheme", SME)
    page.fill("#gg-desk-date", TODAY)
    # Zhuzhou's table is this project's reading: the page does not claim the notice's columns
    assert "通知未规定汇总表格式" in page.text_content(".gg-desk__sheets")
    assert "列与通知附件一致" not in page.text_content(".gg-desk__sheets")
    page.set_input_files("#gg-desk-files", [str(p) for p in sorted((DESK / "zhuzhou-sme").iterdir())])
    page.check("#gg-desk-pending")
    page.click("#gg-desk-run")
    page.wait_for_selector('#gg-desk-status[data-state="done"]', timeout=120_000)
    assert page.locator("#gg-desk-order tbody tr").count() == 3
    assert page.locator("#gg-desk-left-out li").count() == 3     # the duplicate, short and not eligible
    page.locator('.gg-desk__reviewed[data-file="a-tianyuan.json"]').check()
    # the tick makes the workbook again at once (the status turns busy in the same event)
    page.wait_for_selector('#gg-desk-status[data-state="done"]', timeout=120_000)
    page.wait_for_selector('.gg-desk__reviewed[data-file="a-tianyuan.json"]:checked', timeout=120_000)
    with page.expect_download() as info:
        page.click("#gg-desk-download")
    target = tmp_path / "options.xlsx"
    info.value.save_as(target)
    context.close()
    cli = tmp_path / "cli.xlsx"
    assert main(["batch", str(DESK / "zhuzhou-sme"), "--scheme", SME, "--today", TODAY, "--out", str(cli),
                 "--include-pending", "--reviewed", "a-tianyuan.json"]) == 0
    assert target.read_bytes() == cli.read_bytes()
    rows = cells(target.read_bytes())["株洲市智能制造标杆中小企业申报汇总表"][4:7]
    assert [r[0] for r in rows] == [1, 2, "3（待确认）"] and rows[1][6].endswith("材料审核通过")


@pytest.mark.browser
def test_the_workers_import_reads_through_the_one_reader(browser, server, site):
    """calculator/worker.js {type: "read-profile"} (the calculator's import) answers with
    guidegen.profile_file's reasons, word for word, in Pyodide."""
    from guidegen.profile_file import read_profile_json
    desk_js = next((site / "calculator").glob("desk.*.js")).read_text(encoding="utf-8")
    assets = json.loads(re.search(r"const ASSETS = (\{.*?\}); // @assets", desk_js).group(1))
    names = ["bom.json", "dup-keys.json", "nan.json", "1e999.json", "gbk.json", "utf16.json", "empty.json", "zipped.json"]
    files = [{"name": n, "data": list((HOSTILE / n).read_bytes())} for n in names]
    files.append({"name": "deep.json", "data": list(b'{"profile": 1, "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}")})
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.origin}/desk/")
    answers = page.evaluate("""async ({assets, files}) => {
      const base = new URL("/calculator/", location.href);
      const worker = new Worker(new URL(assets.worker, base), { type: "module", name: "read-profile-test" });
      const answers = {};
      let next = 1;
      const waiting = new Map();
      const ready = new Promise((resolve, reject) => {
        worker.onmessage = (event) => {
          const m = event.data || {};
          if (m.type === "ready") resolve();
          else if (m.type === "failed") reject(new Error(m.detail));
          else if (m.type === "result" && waiting.has(m.id)) waiting.get(m.id)(m.json);
        };
      });
      worker.postMessage({ type: "init", pyodide: new URL(assets.pyodide, base).href, wheel: new URL(assets.wheel, base).href,
                           files: assets.files || {}, snapshot: false });
      const text = await (await fetch(new URL(assets.bundle, base))).text();
      worker.postMessage({ type: "bundle", text });
      await ready;
      for (const f of files) {
        const id = next++;
        const data = new Uint8Array(f.data).buffer;
        answers[f.name] = await new Promise((resolve) => { waiting.set(id, resolve); worker.postMessage({ type: "read-profile", id, name: f.name, data }, [data]); });
      }
      worker.terminate();
      return answers;
    }""", {"assets": assets, "files": files})
    context.close()
    for f in files:
        got = json.loads(answers[f["name"]])
        want = json.loads(read_profile_json(bytes(f["data"]), f["name"]))
        assert got == want, (f["name"], got, want)
    assert json.loads(answers["bom.json"])["profile"]["enterprise"]["name"] == "株洲带签名有限公司"
    assert json.loads(answers["deep.json"])["errors"][0]["kind"] == "depth"


def test_an_enterprise_of_another_prefecture_is_told_where_to_apply(bundle):
    """Hunan 2025 is 株洲's call (#22): a 长沙 enterprise is left out, and the 提示 column says why and where."""
    p = json.loads((DESK / "hunan" / "a-xiangjiang.json").read_text(encoding="utf-8"))
    p["enterprise"].update(city="长沙市", county="芙蓉区")
    data, batch = batch_workbook(bundle, [("x.json", json.dumps(p, ensure_ascii=False).encode())],
                                 scheme="hunan-advanced-factory-2025", today=TODAY)
    assert batch["applicants"][0]["row"] is None
    row = cells(data)["初审"][3]
    assert row[0] == "—（未列入：不符合申报条件）" and "请通过长沙市工业和信息化主管部门的申报通知申报" in row[11]


@pytest.mark.slow
def test_a_spreadsheet_reads_cr_and_literal_escapes_unchanged(tmp_path):
    """OOXML reads _xHHHH_ as a character and XML reads a raw CR as LF: the desk escapes both, so
    LibreOffice (as Excel) shows the profile's text exactly."""
    p = json.loads((DESK / "zhuzhou-sme" / "a-tianyuan.json").read_text(encoding="utf-8"))
    p["application"]["project_name"] = "甲\r乙_x0041_丙"
    folder = tmp_path / "district"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "t.xlsx"
    assert main(["batch", str(folder), "--scheme", SME, "--today", TODAY, "--out", str(out)]) == 0
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=300)
    text = (tmp_path / "t.csv").read_bytes().decode("utf-8")
    assert '"甲\r乙_x0041_丙"' in text
