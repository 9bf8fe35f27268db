"""The calculator's place picker (calculator/places.js) on the real bundle after the issue-22 overlay: the
2024 counties are found, and an abolished unit is not offered beside its successor (the engine reads it as
an alias, with a note)."""

import json
import shutil
import subprocess

import pytest

from guidegen.catalog import load_catalog

from test_calculator_support import ROOT

pytestmark = pytest.mark.slow  # runs the calculator's module in node

SCRIPT = r"""
import fs from "fs";
const dir = process.argv[process.argv.length - 1];
const places = await import(dir + "/places.js");
const bundle = JSON.parse(fs.readFileSync(0, "utf8"));
const idx = places.placeIndex(bundle);
const out = {};
for (const q of ["和安", "和安县", "Hekang", "祁阳", "沙县", "横县"]) out[q] = places.searchPlaces(idx, q, 5).map((c) => c.row.code);
out.label = places.placeLabel(places.searchPlaces(idx, "和安县", 1)[0], "zh");
console.log(JSON.stringify(out));
"""


def test_the_picker_finds_the_new_counties_and_hides_abolished_ones():
    if shutil.which("node") is None:
        pytest.fail("node is not installed (Node 20 is required)", pytrace=False)
    bundle = load_catalog(ROOT / "catalogs").bundle()
    proc = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, str(ROOT / "calculator")],
                          input=json.dumps(bundle, ensure_ascii=False), capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["和安"][0] == "653229" and out["和安县"] == ["653229"] and out["Hekang"][0] == "653228"
    assert out["label"] == "和安县 · 和田地区 · 新疆维吾尔自治区"
    assert "431181" in out["祁阳"] and "431121" not in out["祁阳"]
    assert "350405" in out["沙县"] and "350427" not in out["沙县"]
    assert "450127" not in out["横县"]
