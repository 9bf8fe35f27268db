"""catalogs/glossary.yaml: one English rendering per official term, enforced by `guidegen validate`."""

import shutil
import subprocess
import sys

import yaml

from conftest import CATALOG, ROOT

# The terms issue #10 names, with the rendering it asks for.
REQUIRED = {
    "两化融合": "integration of informatization and industrialization",
    "专精特新": "SRDI",
    "卓越级": "Excellence-level",
    "先进级": "Advanced-level",
    "领航级": "Leading-level",
    "精准配送": "precise in-plant material delivery",
    "可实现的场景明细表": "implemented scenes",
    "较大及以上": "of the 较大 grade or above",
    "装备工业一司": "Department of Equipment Industry I",
}
# Inconsistent before: each must now have one entry.
ONCE = ("要素条件", "用户直连制造", "运营管理")


def _glossary():
    return yaml.safe_load((CATALOG / "glossary.yaml").read_text(encoding="utf-8"))["glossary"]


def _texts():
    out = []

    def walk(v):
        if isinstance(v, dict):
            if isinstance(v.get("zh"), str) and isinstance(v.get("en"), str):
                out.append((v["zh"], v["en"]))
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
    for path in CATALOG.rglob("*.yaml"):
        if path.name != "glossary.yaml":
            walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def test_the_issue_terms_have_their_rendering_once():
    terms = {t["zh"]: t["en"] for t in _glossary()}
    assert len(terms) == len(_glossary())
    for zh, en in REQUIRED.items():
        assert terms[zh] == en
    for zh in ONCE:
        assert zh in terms


def test_every_term_is_used_and_rendered_in_the_catalogs():
    texts = _texts()
    for term in _glossary():
        used = [(zh, en) for zh, en in texts if term["zh"] in zh]
        assert used, f"glossary term {term['zh']} appears in no catalog text"
        forms = [term["en"].casefold(), *(v.casefold() for v in term.get("variants", []))]
        assert all(any(f in en.casefold() for f in forms) for _, en in used)


def test_one_kpi_id_spelling():
    text = "".join(p.read_text(encoding="utf-8") for p in CATALOG.rglob("*.yaml"))
    assert "utilisation" not in text and "resource-utilization-gain" in text
    cases = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "cases").glob("*.yaml"))
    assert "utilisation" not in cases


def test_validate_fails_with_file_line_and_key_when_a_rendering_is_missing(tmp_path):
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    path = root / "schemes" / "smart-factory-levels.yaml"
    text = path.read_text(encoding="utf-8")
    assert "Excellence-level smart factory" in text
    path.write_text(text.replace("Excellence-level smart factory", "Excellent smart factory", 1), encoding="utf-8")
    line = path.read_text(encoding="utf-8")[:path.read_text(encoding="utf-8").index("Excellent smart factory")].count("\n") + 1
    run = subprocess.run([sys.executable, "-m", "guidegen.cli", "validate", str(root)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 1
    assert (f"catalogs/schemes/smart-factory-levels.yaml:{line}: scheme.levels[2].name.en: the Chinese has the "
            "glossary term '卓越级'") in run.stderr
