"""The calculator's input helpers under Node, on the real bundle: the place picker's
search (calculator/places.js) and number parsing (calculator/profile.js). Neither
decides anything — the engine does — but a user who cannot find 溧阳 or type 38,000
never gets that far."""

import json
import shutil
import subprocess

import pytest

from guidegen.catalog import load_catalog

from test_calculator_support import ROOT

pytestmark = pytest.mark.slow  # runs the calculator's modules in node

SCRIPT = r"""
import fs from "fs";
const dir = process.argv[process.argv.length - 1];
const places = await import(dir + "/places.js");
const profile = await import(dir + "/profile.js");
const bundle = JSON.parse(fs.readFileSync(0, "utf8"));
const idx = places.placeIndex(bundle);
const PATHS = new Set(["enterprise.province", "enterprise.city", "enterprise.county", "enterprise.region_code"]);
const out = { search: {}, near: {}, values: {}, schemes: {}, numbers: {} };
for (const q of ["Changzhou", "常州", "changzhou", "Changzhou City", "溧阳", "Liyang", "株洲", "醴陵", "攸县", "Wujin", "北京", "Xyzzyville"]) {
  out.search[q] = places.searchPlaces(idx, q, 3).map((c) => c.row.code);
}
for (const q of ["Changzou", "zhuzou", "Xyzzyville"]) out.near[q] = places.nearPlaces(idx, q, 3).map((c) => c.row.code);
for (const q of ["醴陵", "常州", "北京"]) out.values[q] = places.placeValues(places.searchPlaces(idx, q, 1)[0], PATHS);
for (const q of ["株洲", "醴陵", "常州", "溧阳", "湘潭"]) {
  const e = places.placeValues(places.searchPlaces(idx, q, 1)[0], PATHS);
  const p = { enterprise: Object.fromEntries(Object.entries(e).map(([k, v]) => [k.split(".")[1], v])) };
  out.schemes[q] = places.schemesForPlace(bundle, places.placeNames(p, idx));
}
out.schemes["(none)"] = places.schemesForPlace(bundle, places.placeNames({}, idx));
for (const t of ["３８，０００", "38,000", "3,8000", "1 200", " 12.5 ", "１２．５", "-5", "abc", "", "1,2,3x", "12.5%", "１２．５％", "1e3", "12。5", "\u22123", "%", "5%%"]) {
  out.numbers[t] = profile.parseNumber(t) === undefined ? null : profile.parseNumber(t);
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def picked():
    if shutil.which("node") is None:
        pytest.fail("node is not installed (Node 20 is required)", pytrace=False)
    bundle = load_catalog(ROOT / "catalogs").bundle()
    if "regions" not in bundle:
        pytest.fail("the bundle has no regions (administrative divisions)", pytrace=False)
    proc = subprocess.run(["node", "--input-type=module", "-e", SCRIPT, str(ROOT / "calculator")],
                          input=json.dumps(bundle, ensure_ascii=False), capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), bundle


def test_places_are_found_in_chinese_pinyin_and_english(picked):
    out, _ = picked
    s = out["search"]
    for q in ("Changzhou", "常州", "changzhou", "Changzhou City"):
        assert s[q][0] == "320400", q  # the prefecture first (长洲区 of 梧州 also reads changzhou)
    assert s["溧阳"][0] == s["Liyang"][0] == "320481"
    assert s["株洲"][0] == "430200" and s["醴陵"][0] == "430281" and s["攸县"][0] == "430223"
    assert s["Wujin"][0] == "320412"
    assert s["Xyzzyville"] == []
    # A typo gets the nearest names, not silence.
    assert out["near"]["Changzou"][0] == "320400" and out["near"]["zhuzou"][0] == "430200"
    assert out["near"]["Xyzzyville"] == []


def test_a_chosen_place_fills_the_profile_as_the_licence_reads(picked):
    out, _ = picked
    assert out["values"]["醴陵"] == {"enterprise.province": "湖南省", "enterprise.city": "株洲市",
                                    "enterprise.county": "醴陵市", "enterprise.region_code": "430281"}
    assert out["values"]["常州"]["enterprise.city"] == "常州市" and "enterprise.county" not in {
        k for k, v in out["values"]["常州"].items() if v is not None}
    assert out["values"]["北京"]["enterprise.city"] == "北京市"  # a province-level city


def test_schemes_are_preselected_from_the_place(picked):
    out, bundle = picked
    # Only the schemes one came for (issue 24): the city's own; the rest are offered, not ticked.
    zhuzhou = {s for s, v in bundle["schemes"].items() if v["tier"] == "municipal" and "株洲" in v["region"]["zh"]}
    changzhou = {s for s, v in bundle["schemes"].items() if v["tier"] == "municipal" and "常州" in v["region"]["zh"]}
    assert {"zhuzhou-benchmark-sme", "zhuzhou-benchmark-workshop"} <= zhuzhou
    assert set(out["schemes"]["株洲"]) == set(out["schemes"]["醴陵"]) == zhuzhou
    assert set(out["schemes"]["常州"]) == set(out["schemes"]["溧阳"]) == changzhou
    # 湘潭 has no municipal scheme: the provincial ones open to it.
    assert set(out["schemes"]["湘潭"]) == {s for s, v in bundle["schemes"].items() if v["tier"] == "provincial" and "湖南" in v["region"]["zh"]}
    assert out["schemes"]["(none)"] is None  # no place: the page assesses every scheme


def test_numbers_as_people_type_them(picked):
    out, _ = picked
    n = out["numbers"]
    assert n["３８，０００"] == n["38,000"] == n["3,8000"] == 38000
    assert n["1 200"] == 1200 and n[" 12.5 "] == n["１２．５"] == 12.5 and n["-5"] == -5
    # Not a number: kept as typed, so the engine names the problem at the field.
    assert n["abc"] == "abc" and n["1,2,3x"] == "1,2,3x" and n[""] is None
    # One reader for the questions and the KPI worksheet (issue 21): a share in per cent and
    # an exponent read alike everywhere.
    assert n["12.5%"] == n["１２．５％"] == n["12。5"] == 12.5 and n["1e3"] == 1000 and n["\u22123"] == -3
    assert n["%"] == "%" and n["5%%"] == "5%%"
