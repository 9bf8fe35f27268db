"""The command line: evaluate's JSON is the core's result; bad input exits 2, never a traceback;
the counts the documents state hold in the real catalog."""

import json
import subprocess
import sys

import pytest

from guidegen.core import evaluate
from guidegen.profile_file import read_profile

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "profile-equipment.yaml"


def guidegen(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "guidegen.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, input=stdin)


def test_evaluate_json_is_the_core_result(bundle):
    run = guidegen("evaluate", str(EXAMPLE), "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == evaluate(bundle, read_profile(EXAMPLE))
    dated = guidegen("evaluate", str(EXAMPLE), "--json", "--today", "2024-06-01")
    assert json.loads(dated.stdout) == evaluate(bundle, read_profile(EXAMPLE), today="2024-06-01")


def test_evaluate_limits_schemes():
    run = guidegen("evaluate", str(EXAMPLE), "--json", "--scheme", "zhuzhou-benchmark-sme", "--scheme", "smart-factory-levels")
    assert [r["scheme"] for r in json.loads(run.stdout)["results"]] == ["smart-factory-levels", "zhuzhou-benchmark-sme"]


def test_text_report_is_bilingual():
    run = guidegen("evaluate", str(EXAMPLE), "--scheme", "zhuzhou-benchmark-workshop")
    assert run.returncode == 0
    assert "结论 / Verdict" in run.stdout and "base" in run.stdout and "基础" in run.stdout


def test_text_report_leads_with_verdict_then_plan(tmp_path):
    """Below the pass mark the verdict says so (never "eligible" beside a failing score) and the
    plan follows it, before the conditions and the points."""
    path = tmp_path / "p.yaml"
    path.write_text("enterprise: {city: 株洲市, industry_division: C36, employees: 650, revenue_wan: 28000}\n"
                    "maturity: {level: 3, score: 3.1}\n", encoding="utf-8")
    run = guidegen("evaluate", str(path), "--scheme", "zhuzhou-benchmark-sme", "--today", "2025-01-01")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "评估日期 / Evaluated on: 2025-01-01" in out
    verdict, plan = out.index("结论 / Verdict"), out.index("的路线 / Route to 80")
    assert verdict < plan < out.index("评分 / Score") and plan < out.index("未满足或未知的条件")
    assert "符合申报条件" not in out


def test_evaluate_today_sets_the_call_status():
    def status(today):
        run = guidegen("evaluate", str(EXAMPLE), "--json", "--scheme", "hunan-advanced-factory-2025", "--today", today)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)["results"][0]["call"]["status"]
    assert (status("2025-04-28"), status("2025-04-29")) == ("open", "closed")


@pytest.mark.parametrize("today", ["2025-02-30", "28.04.2025", "today"])
def test_a_bad_evaluation_date_exits_2(today):
    run = guidegen("evaluate", str(EXAMPLE), "--today", today)
    assert run.returncode == 2
    assert "--today: today:" in run.stderr and "YYYY-MM-DD" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("text, suffix, field", [
    ("honors:\n  municipal: -1\n", ".yaml", "honors.municipal"),
    ("investment_wan: {services: 10, local_services: 20}\n", ".yaml", "investment_wan.local_services"),
    ("scenes: {miit-2024: [41]}\n", ".yaml", "scenes.miit-2024[0]"),
    ('{"maturity": {"score": "high"}}', ".json", "maturity.score"),
    ("enterprise: {sector: aerospace}\n", ".yaml", "enterprise.sector"),
])
def test_invalid_profile_exits_2_naming_the_field(tmp_path, text, suffix, field):
    path = tmp_path / f"p{suffix}"
    path.write_text(text, encoding="utf-8")
    run = guidegen("evaluate", str(path))
    assert run.returncode == 2
    assert f": {field}: " in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("content", [b"\xff\xfe\x00garbage", b"a: [unclosed\n", b"{not json", b"- just\n- a list\n"])
def test_unreadable_profile_exits_2_without_traceback(tmp_path, content):
    path = tmp_path / ("p.json" if content.startswith(b"{") else "p.yaml")
    path.write_bytes(content)
    run = guidegen("evaluate", str(path))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and run.stderr.strip()


def test_profile_from_stdin():
    run = guidegen("evaluate", "-", "--json", stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert run.returncode == 0 and json.loads(run.stdout)["results"]


def test_export_writes_the_bundle(tmp_path):
    out = tmp_path / "bundle.json"
    assert guidegen("export", str(out)).returncode == 0
    bundle = json.loads(out.read_text(encoding="utf-8"))
    link = bundle["guides"]["miit-2021"][0]
    assert set(link) >= {"number", "name", "scenes"} and set(link["name"]) == {"zh", "en"}
    assert set(link["scenes"][0]) >= {"number", "name"}


@pytest.mark.parametrize("guide, links, scenes", [("miit-2021", 15, 52), ("miit-2024", 15, 40), ("changzhou-2023", 13, 39)])
def test_guides_hold_the_counts_the_documents_state(catalog, guide, links, scenes):
    g = catalog.guides[guide]
    assert len(g["links"]) == links
    numbers = sorted(s["number"] for l in g["links"] for s in l["scenes"])
    assert numbers == list(range(1, scenes + 1))


@pytest.mark.parametrize("scheme", ["zhuzhou-benchmark-workshop", "zhuzhou-benchmark-sme"])
def test_zhuzhou_rubric_is_100_plus_30_pass_80(catalog, scheme):
    rubric = catalog.schemes[scheme]["rubric"]
    totals = {}
    for item in rubric["items"]:
        totals[item["group"]] = totals.get(item["group"], 0) + item["max"]
    assert totals == {"base": 100, "bonus": 30}
    assert rubric["pass_mark"] == 80
    assert [i["id"] for i in rubric["items"]] == [
        "maturity-level", "maturity-score", "investment", "implementation-plan", "coverage", "honors",
        "tech-achievements", "tech-support", "case-summary", "activities", "local-equipment-share",
        "local-service-share", "growth-honor", "new-tech", "new-mode"]


def test_sectors_have_six_key_links_and_every_division_a_sector(catalog):
    for sid in ("raw-materials", "equipment", "consumer-goods", "electronics"):
        assert len(set(catalog.sectors[sid]["key_links"])) == 6
    assert list(catalog.divisions) == [f"C{n}" for n in range(13, 44)]


def test_kpi_reference_has_20_indicators_in_5_groups(catalog):
    ref = catalog.kpi_lists["factory-kpi-reference"]
    assert len(ref["groups"]) == 5 and sum(len(g["indicators"]) for g in ref["groups"]) == 20
