"""Read a place as people write it: 醴陵市, 攸县, 株洲, Changzhou, 430281.

The rows are ``bundle["regions"]["items"]`` (GB/T 2260, province → prefecture →
county). "在我市注册" is decided on the prefecture a place belongs to, so a
county-level name is mapped to its prefecture. Standard library only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

__all__ = ["match_place", "suggest_places", "resolve_place", "place_label", "check_credit_code", "place_warnings",
           "find_in_address"]

_LEVEL_RANK = {"prefecture": 0, "county": 1, "province": 2}
# English and pinyin generic words people add to a name: "Changzhou City", "liyang shi".
_LATIN_SUFFIX = re.compile(r"(city|shi|county|district|qu|province|sheng|prefecture|municipality)$")
_INDEX: dict = {}
# Province-level municipalities (北京、天津、上海、重庆) are their own prefecture-level city.
_MUNICIPALITIES = ("11", "12", "31", "50")


_FOLD_DROP = re.compile(r"[\s'’\-·.,]")
# Names of CJK unified ideographs only fold to themselves; so do ASCII runs with nothing to drop.
_CJK_ONLY = re.compile("[\u4e00-\u9fff]+").fullmatch
_ASCII_DROP = str.maketrans("", "", "".join(c for c in map(chr, range(128)) if _FOLD_DROP.match(c)))


def _fold(text: str) -> str:
    """Case, width, tone marks, spaces and apostrophes do not matter; ü is written v.

    Building the place index folds every division's name, short name and pinyin (~13,000
    strings), most of a first evaluation: plain Chinese names and ASCII take a short way with
    the same result (tests/test_fold.py checks it against the long way)."""
    text = str(text)
    if _CJK_ONLY(text):
        return text
    if text.isascii():
        return text.strip().lower().replace("u:", "v").translate(_ASCII_DROP)
    s = unicodedata.normalize("NFKC", text).strip().lower().replace("ü", "v").replace("u:", "v")
    s = unicodedata.normalize("NFKD", s)
    if any(map(unicodedata.combining, s)):
        s = "".join(c for c in s if not unicodedata.combining(c))
    return _FOLD_DROP.sub("", s)


def _latin(s: str) -> bool:
    return bool(s) and all(c.isascii() for c in s)


def _index(bundle: dict) -> dict | None:
    regions = bundle.get("regions")
    if not regions or not regions.get("items"):
        return None
    key = id(regions)
    cached = _INDEX.get("key")
    if cached is not None and cached[0] == key and cached[1] is regions:
        return cached[2]
    by_code = {row["code"]: row for row in regions["items"]}
    # Abolished units (catalog overlay, issue 22): their code and full name lead to the successor, and they
    # are aliases only — never matched or suggested as themselves (祁阳 is 祁阳市, not also 祁阳县).
    successors = {}
    for s in regions.get("successors") or ():
        if s.get("successor") in by_code:
            successors[s["code"]] = s
    rows = [row for row in regions["items"] if row["code"] not in successors]
    # An abolished unit's name leads to its successor unless a unit that exists bears it (三元区 350403 was
    # merged into a new 三元区 350404: "三元区" is the new one; the old code still gets the note).
    live = {_fold(row["name"]) for row in rows}
    for s in regions.get("successors") or ():
        if s["code"] in successors and _fold(s["name"]) not in live:
            successors[_fold(s["name"])] = s
    keys: dict = {}
    for row in rows:
        # The English name too: "Shaanxi" (陕西; plain pinyin would be shanxi, as 山西), "Xi'an".
        for how, value in (("name", row["name"]), ("short", row["short"]), ("pinyin", row["pinyin"]),
                           ("en", row.get("en") or "")):
            if value:
                keys.setdefault(_fold(value), []).append((how, row))
    # An abolished unit the package no longer lists (株洲县 430221) is still named by old licences' addresses:
    # a row for the address reader, under its successor's parent.
    gone = [{"code": s["code"], "name": s["name"], "short": s["name"], "pinyin": "", "en": s["name"],
             "level": "county", "parent": by_code[s["successor"]]["parent"]}
            for s in regions.get("successors") or () if s.get("successor") in by_code and s["code"] not in by_code]
    index = {"by_code": by_code, "keys": keys, "rows": rows, "all": [*regions["items"], *gone],
             "successors": successors}
    _INDEX["key"] = (key, regions, index)
    return index


def _chain(index: dict, row: dict) -> dict:
    """The row with its prefecture and province rows and how it relates to them."""
    prefecture = province = None
    r = row
    while r is not None:
        if r["level"] == "prefecture":
            prefecture = r
        elif r["level"] == "province":
            province = r
        r = index["by_code"].get(r["parent"]) if r["parent"] else None
    return {"prefecture": prefecture, "province": province}


def _candidates(index: dict, text: str) -> list[tuple[str, dict]]:
    code = str(text).strip()
    if re.fullmatch(r"\d{6}", code):
        row = index["by_code"].get(code)
        return [("code", row)] if row else []
    q = _fold(text)
    hits = index["keys"].get(q, [])
    if not hits and _latin(q):
        bare = _LATIN_SUFFIX.sub("", q)
        if bare and bare != q:
            hits = index["keys"].get(bare, [])
    best = {}
    order = {"name": 0, "short": 1, "pinyin": 2, "en": 3}
    for how, row in hits:
        if row["code"] not in best or order[how] < order[best[row["code"]][0]]:
            best[row["code"]] = (how, row)
    return sorted(best.values(), key=lambda hr: (order[hr[0]], _LEVEL_RANK[hr[1]["level"]], hr[1]["code"]))


def _result(index: dict, how: str, row: dict, others: list) -> dict:
    out = dict(row)
    out.update(_chain(index, row))
    out["how"] = how
    out["alternatives"] = [dict(r) for _, r in others]
    return out


def match_place(bundle: dict, text_or_code: str, *, levels=None, within: str | None = None) -> dict | None:
    """The row ``text_or_code`` names, with its ``prefecture`` and ``province`` rows and ``how``
    it matched (``code``, ``name``, ``short``, ``pinyin``), or None.

    ``levels`` limits the rows (e.g. ``("prefecture",)``); ``within`` is the code of a
    province or prefecture the place must lie in. When several rows match equally well the
    first (prefecture before county before province) is returned and the rest are listed in
    ``alternatives``.
    """
    index = _index(bundle)
    if index is None or text_or_code is None or not str(text_or_code).strip():
        return None
    hits = [(how, row) for how, row in _candidates(index, text_or_code)
            if (levels is None or row["level"] in levels) and (within is None or _inside(index, row, within))]
    if not hits:
        return None
    how, row = hits[0]
    same = [(h, r) for h, r in hits[1:] if h == how and r["level"] == row["level"]]
    return _result(index, how, row, same)


def _inside(index: dict, row: dict, code: str) -> bool:
    r = row
    while r is not None:
        if r["code"] == code:
            return True
        r = index["by_code"].get(r["parent"]) if r["parent"] else None
    return False


def suggest_places(bundle: dict, text: str, *, limit: int = 5, levels=None, within: str | None = None) -> list[dict]:
    """The rows whose Chinese name, short name or pinyin are nearest to ``text``."""
    index = _index(bundle)
    if index is None or not str(text or "").strip():
        return []
    q = _fold(text)
    if _latin(q):
        q = _LATIN_SUFFIX.sub("", q) or q
    scored = []
    for row in index["rows"]:
        if (levels is not None and row["level"] not in levels) or (within is not None and not _inside(index, row, within)):
            continue
        keys = (row["pinyin"],) if _latin(q) else (_fold(row["name"]), _fold(row["short"]))
        # Quick filter before the costly ratio: a Chinese name shares a character, pinyin a first letter.
        if _latin(q):
            if not keys[0] or keys[0][0] != q[0]:
                continue
        elif not set(q) & set(keys[0]):
            continue
        score = max(difflib.SequenceMatcher(None, q, k).ratio() for k in keys)
        # People seldom mistype the first character or letter (株州 for 株洲): it weighs more.
        score += 0.3 * any(k[:1] == q[:1] for k in keys)
        scored.append((-score, _LEVEL_RANK[row["level"]], row["code"], row))
    scored.sort(key=lambda s: s[:3])
    return [dict(s[3]) for s in scored[:limit] if -s[0] >= 0.6]


def place_label(row: dict | None, lang: str) -> str:
    if row is None:
        return ""
    return row["name"] if lang == "zh" else row["en"]


def _full(index: dict, row: dict, lang: str) -> str:
    """醴陵市（湖南省株洲市）/ Liling (Zhuzhou, Hunan)."""
    chain = _chain(index, row)
    up = [r for r in (chain["province"], chain["prefecture"]) if r is not None and r is not row]
    if not up:
        return place_label(row, lang)
    if lang == "zh":
        return f"{row['name']}（{''.join(r['name'] for r in up)}）"
    return f"{row['en']} ({', '.join(r['en'] for r in reversed(up))})"


def _err(field: str, zh: str, en: str) -> dict:
    return {"field": field, "message": {"zh": zh, "en": en}}


def _suggestion_text(index, rows) -> tuple[str, str]:
    if not rows:
        return "", ""
    return ("；是否指：" + "、".join(_full(index, r, "zh") for r in rows),
            "; did you mean: " + "; ".join(_full(index, r, "en") for r in rows))


_HOW = {
    "code": ("行政区划代码", "administrative division code"),
    "name": ("全称", "full name"),
    "short": ("不带“市/县/区”等的名称", "name without its suffix"),
    "pinyin": ("拼音/英文名", "pinyin / English name"),
    "en": ("英文名", "English name"),
}


def resolve_place(bundle: dict, flat: dict) -> tuple[dict | None, list[dict]]:
    """Read enterprise.province / city / county / region_code into one place.

    Returns (place, errors). ``place`` has ``county``, ``prefecture``, ``province`` rows
    (county may be None) and ``how`` {zh, en}; errors name the field and suggest the
    nearest names. Without ``bundle["regions"]`` nothing is resolved (the city condition
    stays unknown).
    """
    index = _index(bundle)
    # A blank answer is no answer.
    given = {k: (flat.get(f"enterprise.{k}") or "").strip() or None for k in ("province", "city", "county", "region_code")}
    credit_errors = credit_code_errors(flat)
    if index is None:
        return None, credit_errors
    errors: list[dict] = list(credit_errors)
    notes_zh, notes_en = [], []
    code_from_credit = _credit_division(index, flat.get("enterprise.credit_code"))
    if code_from_credit is not None and not any(v is not None for v in given.values()):
        given["region_code"] = code_from_credit
        notes_zh.append(f"注册地按统一社会信用代码第3–8位（{code_from_credit}）确定")
        notes_en.append(f"place taken from characters 3–8 of the unified social credit code ({code_from_credit})")
    if not any(v is not None for v in given.values()):
        return None, errors
    # Fields rewritten to a code (an abolished unit, an address) already carry their note: no second one.
    rewritten = _historic_and_addresses(index, given, notes_zh, notes_en)

    province = None
    if given["province"] is not None:
        m = match_place(bundle, given["province"], levels=("province",))
        if m is None:
            s_zh, s_en = _suggestion_text(index, suggest_places(bundle, given["province"], levels=("province",)))
            errors.append(_err("enterprise.province", f"未找到省级行政区“{given['province']}”{s_zh}",
                               f"no province called “{given['province']}”{s_en}"))
        else:
            province = m
            # A province name two provinces share in plain pinyin (Shanxi: 山西, and 陕西 Shaanxi) is the one the
            # city or county given lies in.
            place_text = given["city"] or given["county"]
            if place_text is not None:
                others = [r for how, r in _candidates(index, given["province"])
                          if r["level"] == "province" and r["code"] != m["code"]]
                inside = lambda c: match_place(bundle, place_text, levels=("prefecture", "county"), within=c) is not None
                fits = [r for r in others if inside(r["code"])]
                if fits and not inside(m["code"]):
                    province = _result(index, "pinyin", fits[0], [])
                    notes_zh.append(f"“{given['province']}”是{m['name']}与{fits[0]['name']}共同的拼音，按所填地名取"
                                    f"{fits[0]['name']}")
                    notes_en.append(f"“{given['province']}” is the pinyin of both {m['name']} ({m['en']}) and "
                                    f"{fits[0]['name']} ({fits[0]['en']}); the place given lies in {fits[0]['en']}")

    by_code = None
    if given["region_code"] is not None:
        code = str(given["region_code"]).strip()
        by_code = index["by_code"].get(code) if re.fullmatch(r"\d{6}", code) else None
        if by_code is None:
            errors.append(_err("enterprise.region_code", f"“{code}”不是有效的六位行政区划代码（GB/T 2260）",
                               f"“{code}” is not a known six-digit administrative division code (GB/T 2260)"))
        elif "region_code" not in rewritten:
            notes_zh.append(f"代码{code}为{_full(index, by_code, 'zh')}")
            notes_en.append(f"code {code} is {_full(index, by_code, 'en')}")

    within = province["code"] if province else None
    city = None
    if given["city"] is not None:
        text = given["city"]
        # A prefecture (or a municipality, 北京市, which is its own prefecture) first, then a county-level name.
        m = match_place(bundle, text, levels=("prefecture",), within=within)
        # A name several prefectures share (Yichun: 宜春 and 伊春) is the one the division code lies in.
        if m is not None and m.get("alternatives") and by_code is not None:
            fitting = [c for c in (m, *m["alternatives"]) if c["code"] == by_code["code"] or _inside(index, by_code, c["code"])]
            if fitting:
                m = {**fitting[0], "how": m["how"], "alternatives": []}
        # ... or the county-level division given lies in (Suzhou: 苏州 and 宿州; 埇桥区 is in 宿州).
        if m is not None and m.get("alternatives") and given["county"] is not None:
            names = (m, *m["alternatives"])
            fitting = [c for c in names
                       if match_place(bundle, given["county"], levels=("county",), within=c["code"]) is not None]
            if fitting and m not in fitting:
                zh_names = "、".join(c["name"] for c in names)
                en_names = ", ".join(f"{c['name']} ({c['en']})" for c in names)
                notes_zh.append(f"“{text}”为{zh_names}共用的名称，按所填县级行政区取{fitting[0]['name']}")
                notes_en.append(f"“{text}” names {en_names}; the county-level division given lies in {fitting[0]['en']}")
                m = {**fitting[0], "how": m["how"], "alternatives": []}
        if m is None:
            m = match_place(bundle, text, levels=("province",), within=within)
            if m is not None and m["code"][:2] not in _MUNICIPALITIES:
                m = None
        if m is None:
            m = match_place(bundle, text, levels=("county",), within=within)
            if m is not None and m["alternatives"]:
                names = [m, *m["alternatives"]]
                errors.append(_err("enterprise.city",
                                   f"“{text}”有多个同名县级行政区：{'、'.join(_full(index, r, 'zh') for r in names[:6])}；请填写所属地级市或行政区划代码",
                                   f"“{text}” names several county-level divisions: {'; '.join(_full(index, r, 'en') for r in names[:6])}; "
                                   "give the prefecture-level city or the division code"))
                m = None
            elif m is not None and "city" in rewritten:
                pass
            elif m is not None and m["prefecture"] is not None:
                notes_zh.append(f"“{text}”为县级行政区{_full(index, m, 'zh')}，按其所属地级市计")
                notes_en.append(f"“{text}” is the county-level division {_full(index, m, 'en')}, counted under its prefecture")
            elif m is not None:
                up = m["province"] or m
                notes_zh.append(f"“{text}”为{up['name']}直辖的县级行政区，按其自身计")
                notes_en.append(f"“{text}” is a county-level division directly under {up['en']}, counted as itself")
        elif m["how"] != "name" and "city" not in rewritten:
            notes_zh.append(f"“{text}”按{_HOW[m['how']][0]}识别为{m['name']}")
            notes_en.append(f"“{text}” recognized by its {_HOW[m['how']][1]} as {m['name']} ({m['en']})")
        if m is None and province is not None and not any(e["field"] == "enterprise.city" for e in errors):
            elsewhere = match_place(bundle, text, levels=("prefecture", "county"))
            if elsewhere is not None:
                errors.append(_err("enterprise.city", f"{_full(index, elsewhere, 'zh')}不在所填省份{province['name']}内",
                                   f"{_full(index, elsewhere, 'en')} is not in the province given ({province['en']})"))
        if m is None and not any(e["field"] == "enterprise.city" for e in errors):
            s_zh, s_en = _suggestion_text(index, suggest_places(bundle, text, within=within))
            where_zh = f"（在{province['name']}内）" if province else ""
            where_en = f" (in {province['en']})" if province else ""
            errors.append(_err("enterprise.city", f"未找到地名“{text}”{where_zh}{s_zh}",
                               f"no place called “{text}”{where_en}{s_en}"))
        city = m

    county = None
    if given["county"] is not None:
        text = given["county"]
        scope = None
        if by_code is not None:
            scope = by_code["code"] if by_code["level"] != "county" else (by_code["parent"] or by_code["code"])
        elif city is not None:
            scope = (city["prefecture"] or city)["code"] if city["level"] == "county" else city["code"]
        m = match_place(bundle, text, levels=("county",), within=scope or within)
        if m is None and scope is not None and match_place(bundle, text, levels=("county",), within=within) is not None:
            other = match_place(bundle, text, levels=("county",), within=within)
            errors.append(_err("enterprise.county",
                               f"{_full(index, other, 'zh')}不属于{city['name']}",
                               f"{_full(index, other, 'en')} is not in {city['en']}"))
        elif m is None:
            s_zh, s_en = _suggestion_text(index, suggest_places(bundle, text, levels=("county",), within=scope or within))
            errors.append(_err("enterprise.county", f"未找到县级行政区“{text}”{s_zh}",
                               f"no county-level division called “{text}”{s_en}"))
        elif m["alternatives"]:
            names = [m, *m["alternatives"]]
            errors.append(_err("enterprise.county",
                               f"“{text}”有多个同名县级行政区：{'、'.join(_full(index, r, 'zh') for r in names[:6])}；请同时填写所属城市",
                               f"“{text}” names several county-level divisions: {'; '.join(_full(index, r, 'en') for r in names[:6])}; "
                               "also give the city"))
        else:
            county = m
            if m["how"] != "name" and "county" not in rewritten:
                notes_zh.append(f"“{text}”按{_HOW[m['how']][0]}识别为{m['name']}")
                notes_en.append(f"“{text}” recognized by its {_HOW[m['how']][1]} as {m['name']} ({m['en']})")

    # The most specific row wins; every other field must agree with it.
    rows = [r for r in (by_code, county, city, province) if r is not None]
    if errors or not rows:
        return None, errors
    best = rows[0]
    for field, other in (("enterprise.city", city), ("enterprise.province", province)):
        if other is None or other["code"] == best["code"]:
            continue
        if not _inside(index, best, other["code"]):
            errors.append(_err(field, f"{other['name']}与注册地{_full(index, best, 'zh')}不一致",
                               f"{other['en']} does not agree with the place {_full(index, best, 'en')}"))
    if errors:
        return None, errors
    chain = _chain(index, best)
    municipality = (chain["province"] or best)["code"][:2] in _MUNICIPALITIES
    if best["level"] == "prefecture":
        prefecture = best
    elif chain["prefecture"] is not None:
        prefecture = chain["prefecture"]
    elif municipality:
        prefecture = chain["province"] or best  # 北京市 is its own prefecture-level city
    elif best["level"] == "county":
        prefecture = best  # 仙桃市: a county-level city directly under the province
    else:
        prefecture = None  # only a province was given
    place = {"county": best if best["level"] == "county" else None, "prefecture": prefecture,
             "province": chain["province"] or (best if best["level"] == "province" else None)}
    if place["county"] is not None and statistical(place["county"]):
        notes_zh.append(f"{place['county']['name']}（{place['county']['code']}）是统计用区划（开发区、示范区等，县级代码70–79），"
                        "不是行政区，按所属地级市计")
        notes_en.append(f"{place['county']['en']} ({place['county']['code']}) is a statistics-only unit (a development or "
                        "demonstration zone, county digits 70–79), not an administrative division; counted under its prefecture")
    _with_how(place, notes_zh, notes_en)
    return place, []


def _with_how(place, notes_zh, notes_en):
    county, prefecture = place["county"], place["prefecture"]
    if prefecture is None:
        summary_zh, summary_en = "未能确定所属地级市", "the prefecture-level city could not be determined"
    elif county is not None and county["code"] != prefecture["code"]:
        summary_zh = f"{county['name']}属{prefecture['name']}（{prefecture['code']}）"
        summary_en = f"{county['en']} lies in {prefecture['en']} ({prefecture['code']})"
    else:
        summary_zh = f"{prefecture['name']}（{prefecture['code']}）"
        summary_en = f"{prefecture['en']} ({prefecture['code']})"
    place["how"] = {"zh": "；".join([summary_zh, *notes_zh]), "en": "; ".join([summary_en, *notes_en])}


# ---------------------------------------------------------------- issue 22: places as people write them

def statistical(row: dict) -> bool:
    """A statistics-only unit (统计用区划: county digits 70–79, e.g. 云龙示范区 430271)."""
    return row.get("level") == "county" and 70 <= int(row["code"][4:6]) <= 79


def _historic_and_addresses(index: dict, given: dict, notes_zh: list, notes_en: list) -> set:
    """Rewrite the answers in place: an abolished unit (its name or code) becomes its successor's code;
    a full licence address in the city or county field becomes the code of the most specific unit found.
    The fields rewritten (each with its note)."""
    succ = index.get("successors") or {}
    rewritten = set()
    for field in ("region_code", "city", "county"):
        text = given.get(field)
        if text is None:
            continue
        s = succ.get(text.strip()) or succ.get(_fold(text))
        if s is not None:
            new = index["by_code"][s["successor"]]
            given[field] = new["code"]
            rewritten.add(field)
            cite_zh, cite_en = _citation(s)
            notes_zh.append(f"{s['name']}（{s['code']}）已撤销，{str(s['since'])[:4]}年起为{_full(index, new, 'zh')}"
                            f"（{cite_zh}）：按{new['name']}计")
            notes_en.append(f"{s['name']} ({s['code']}) was abolished; since {str(s['since'])[:4]} it is "
                            f"{_full(index, new, 'en')} ({cite_en}): counted as {new['en']}")
            continue
        if field == "region_code" or _exact(index, text):
            continue
        row = find_in_address(index, text)
        if row is not None:
            given[field] = row["code"]
            rewritten.add(field)
            notes_zh.append(f"从地址“{text[:40]}”中识别出{_full(index, row, 'zh')}")
            notes_en.append(f"found {_full(index, row, 'en')} in the address “{text[:40]}”")
            s = succ.get(row["code"])
            if s is not None:  # an old address names an abolished unit: its successor, with the note
                one = {field: row["code"]}
                _historic_and_addresses(index, one, notes_zh, notes_en)
                given[field] = one[field]
    return rewritten


def _citation(entry: dict) -> tuple[str, str]:
    """The overlay entry's approval as published: issuer and title, or that they were not verified."""
    src = entry.get("source") or {}
    issuer, title, number = src.get("issuer"), src.get("title"), src.get("number")
    zh = "".join([issuer["zh"] if issuer else "", f"《{title}》" if title else "", number or ""])
    en = ", ".join([x for x in (issuer["en"] if issuer else "", title or "", number or "") if x])
    if not zh:
        return "批准文件本处未核实", "the approval not verified here"
    return zh, en


def _exact(index: dict, text: str) -> bool:
    code = str(text).strip()
    return bool(re.fullmatch(r"\d{6}", code)) or bool(_candidates(index, text))


def find_in_address(index_or_bundle: dict, text: str) -> dict | None:
    """The most specific unit named at the start of an address, read left to right: province (may be
    left out), prefecture, county — "湖南省株洲市天元区黄河北路…" → 天元区. Full names only (an
    address writes them so); each level must lie in the one before. An abolished unit (株洲县) is found too,
    as its overlay row; the caller reads it as its successor. None when nothing is found."""
    index = index_or_bundle if "by_code" in index_or_bundle else _index(index_or_bundle)
    if index is None or not text:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if len(s) < 4 or _latin(s):
        return None
    by_level: dict = {}
    # Every unit, abolished ones included: an old licence's address (…株洲市株洲县…) names them.
    for row in index.get("all", index["rows"]):
        by_level.setdefault(row["level"], []).append(row)
    found, pos = None, 0
    for level in ("province", "prefecture", "county"):
        best = None
        for row in by_level.get(level, ()):
            if s.startswith(row["name"], pos) and (found is None or row["parent"] == found["code"]
                                                   or _inside(index, row, found["code"])):
                if best is None or len(row["name"]) > len(best["name"]):
                    best = row
        if best is not None:
            found, pos = best, pos + len(best["name"])
    # Nothing but a province is too little to call an address (a province name alone is matched as is).
    if found is None or (found["level"] == "province" and pos == len(s)):
        return None
    return found if pos < len(s) or found["level"] != "province" else None


# GB 32100-2015 统一社会信用代码: 18 characters of 0-9 and the capitals without I, O, Z, S, V.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_credit_code(code) -> str | None:
    """None when ``code`` is a well-formed unified social credit code (check character per GB 32100-2015);
    otherwise why not, as {zh, en} text joined by "|"."""
    s = str(code or "").strip().upper()
    if len(s) != 18:
        return f"应为18位（当前{len(s)}位）|must have 18 characters (got {len(s)})"
    bad = [c for c in s if c not in _CREDIT_CHARS]
    if bad:
        return (f"含有不允许的字符“{bad[0]}”（不使用I、O、Z、S、V）|contains the character “{bad[0]}”, "
                "which the code does not use (no I, O, Z, S or V)")
    if not s[2:8].isdigit():
        return "第3–8位应为行政区划代码（数字）|characters 3–8 must be a division code (digits)"
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(s[:17], _CREDIT_WEIGHTS))
    check = _CREDIT_CHARS[(31 - total % 31) % 31]
    if s[17] != check:
        return f"校验码不符（末位应为{check}）|the check character does not match (it should be {check})"
    return None


def _credit_division(index: dict, code) -> str | None:
    """The division code in a valid credit code, as a code the regions know (a successor for an abolished
    unit), or None."""
    if not code or check_credit_code(code) is not None:
        return None
    div = str(code).strip().upper()[2:8]
    succ = (index.get("successors") or {}).get(div)
    if succ is not None:
        return div  # rewritten to its successor, with the note, by _historic_and_addresses
    return div if div in index["by_code"] else None


def credit_code_errors(flat: dict) -> list[dict]:
    code = flat.get("enterprise.credit_code")
    if not code:
        return []
    why = check_credit_code(code)
    if why is None:
        return []
    zh, en = why.split("|", 1)
    return [_err("enterprise.credit_code", f"统一社会信用代码{zh}", f"the unified social credit code {en}")]


def place_warnings(bundle: dict, flat: dict) -> list[dict]:
    """A credit code whose division (characters 3–8) lies outside the place given: a warning, not an
    error (an enterprise may have moved since it was registered)."""
    index = _index(bundle)
    if index is None:
        return []
    div = _credit_division(index, flat.get("enterprise.credit_code"))
    if div is None:
        return []
    given = {k: flat.get(f"enterprise.{k}") for k in ("province", "city", "county", "region_code")}
    if not any(given.values()):
        return []
    place, errors = resolve_place(bundle, flat)
    if place is None or errors:
        return []
    s = (index.get("successors") or {}).get(div)
    row = index["by_code"].get(s["successor"] if s else div)
    if row is None:
        return []
    here = place["county"] or place["prefecture"] or place["province"]
    if here is None or _inside(index, row, here["code"]) or _inside(index, here, row["code"]):
        return []
    return [{"field": "enterprise.credit_code", "kind": "credit-code-place", "message": {
        "zh": f"统一社会信用代码第3–8位（{div}）为{_full(index, row, 'zh')}，与所填注册地{_full(index, here, 'zh')}不一致。"
              "企业可能已迁址：以营业执照上的住所为准。",
        "en": f"Characters 3–8 of the unified social credit code ({div}) are {_full(index, row, 'en')}, not the place given, "
              f"{_full(index, here, 'en')}. The enterprise may have moved: the address on the business license decides."}}]
