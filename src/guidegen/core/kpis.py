"""KPI values and application-form texts: checks, computed changes, character counts.

A profile may carry the values an application form asks for (``kpis``) and the
text written for its narrative sections (``application.sections``):

    kpis:
      nc-rate: {value: 92}                       # or just  nc-rate: 92
      quality-loss-rate: {before: 3.2, value: 1.1}
      labor-productivity: {value: 85, unit: 万元/人}
    application:
      sections: {company-profile: "……"}
      scene_sections: {scene-pain-points: {"9": "……"}}   # per scene of the form's guide

Indicator ids are those of the KPI lists (an id shared by two lists is the same
indicator, entered once). ``value`` is the current value (after construction),
``before`` the value before it. What a value may be follows the indicator's
``measure``: a share (0–100 %), a count (whole, ≥ 0), an amount (≥ 0) or a
change in percent (≥ −100, may exceed 100). Without ``measure`` it follows the
unit: "%" is a share, 个/家/项 a count, anything else an amount.

Characters are counted as Chinese forms count 字数 (and as WPS/Word report it):
every CJK character and full-width mark counts one, each maximal run of other
non-space characters counts one (a word, a number, "12.5%", "GB/T"), white
space counts none (``count_chars``; ``calculator/pack.js countChars`` is its twin).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["count_chars", "check_kpi_values", "kpi_warnings", "check_section_texts", "indicator_index",
           "kpi_summary", "application_summary"]

MAX_TEXT = 20000          # characters of one section's text: far above any form's limit
MAX_UNIT = 40
_COUNT_UNITS = ("个", "家", "项", "人", "件", "台", "套")
# 字数 as Word and WPS count it (contract 1.2, issue 22): each CJK character or full-width mark is one;
# each maximal run of other non-space characters is one word ("12.5%", "GB/T", "MES/ERP", "5G+": one each).
# The classes are explicit code-point ranges, not a runtime's Unicode tables, so that CPython, Pyodide and
# calculator/pack.js countChars (the same table, tested for equality) agree on every string.
# CJK: radicals, ideographs (BMP and planes 2–3), kana, bopomofo, CJK symbols and punctuation (、。《》「」),
# enclosed and compatibility forms, vertical and small forms, full-width forms (，：；！？（）％ and full-width
# letters and digits), and the marks Chinese sets full-width: — ― … “ ” ·. Hangul is not counted per
# character: Word counts Korean by words.
CJK_RANGES = ((0x00B7, 0x00B7), (0x2014, 0x2015), (0x201C, 0x201D), (0x2026, 0x2026), (0x2E80, 0x2FDF),
              (0x2FF0, 0x2FFF), (0x3001, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x3190, 0x31FF),
              (0x3200, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F),
              (0xFE30, 0xFE6F), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFF))
# Separators (count none, end a word): Unicode Cc (C0, DEL, C1: \t \n \x1c \x85 …), Zs (space, no-break
# space, the en/em spaces, 　 ideographic space …), Zl, Zp, and the zero-width space.
SPACE_RANGES = ((0x0000, 0x0020), (0x007F, 0x00A0), (0x1680, 0x1680), (0x2000, 0x200B), (0x2028, 0x2029),
                (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000))
# Invisible format characters (count none, join): soft hyphen, zero-width (non-)joiners, direction marks
# and embeddings, word joiner and invisible operators, the byte-order mark.
IGNORED_RANGES = ((0x00AD, 0x00AD), (0x200C, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069),
                  (0xFEFF, 0xFEFF))


def _in(cp: int, ranges) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def count_chars(text: str) -> int:
    """字数 of ``text`` as Word and WPS count it: CJK characters and full-width marks one each,
    each run of other non-space characters one, white space and invisible format characters none."""
    if not text:
        return 0
    n, in_word = 0, False
    for ch in text:
        cp = ord(ch)
        if _in(cp, IGNORED_RANGES):
            continue
        if _in(cp, SPACE_RANGES):
            in_word = False
        elif _in(cp, CJK_RANGES):
            n, in_word = n + 1, False
        elif not in_word:
            n, in_word = n + 1, True
    return n


def _err(field: str, zh: str, en: str) -> dict:
    return {"field": field, "message": {"zh": zh, "en": en}}


def _list_indicators(kpi_list: dict) -> list[dict]:
    if "groups" in kpi_list:
        return [i for g in kpi_list["groups"] for i in g["indicators"]]
    return list(kpi_list.get("indicators", []))


def _measure(ind: dict) -> str:
    if ind.get("measure"):
        return ind["measure"]
    unit = ind.get("unit")
    if unit == "%":
        return "share"
    if unit in _COUNT_UNITS:
        return "count"
    return "amount"


def indicator_index(bundle: dict) -> dict[str, dict]:
    """Every indicator id → its definition merged over the lists that name it.

    ``unit``: the first list's non-null unit; ``measure``: stated by a list, else from that unit.
    """
    defs: dict[str, list] = {}
    for lid, kl in bundle.get("kpi_lists", {}).items():
        for ind in _list_indicators(kl):
            defs.setdefault(ind["id"], []).append((lid, ind))
    out = {}
    for iid, items in defs.items():
        unit = next((i.get("unit") for _, i in items if i.get("unit") is not None), None)
        stated = next((i["measure"] for _, i in items if i.get("measure")), None)
        out[iid] = {**items[0][1], "unit": unit, "measure": stated or _measure({"unit": unit}),
                    "bounds": next((i["bounds"] for _, i in items if i.get("bounds")), None),
                    "lists": [lid for lid, _ in items]}
    return out


def _decimal(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return d if d.is_finite() else None


def _check_number(path: str, value, measure: str, errors: list):
    d = _decimal(value)
    if d is None:
        errors.append(_err(path, "应为数值", "must be a number"))
        return None
    if abs(d) > Decimal("1e12"):
        errors.append(_err(path, "数值过大", "is too large"))
        return None
    if measure == "share":
        if d < 0:
            errors.append(_err(path, "比率不能为负数", "a rate must not be negative"))
            return None
        if d > 100:
            errors.append(_err(path, f"比率不能超过100%（当前{d}）", f"a rate must not exceed 100 % (got {d})"))
            return None
    elif measure == "count":
        if d < 0:
            errors.append(_err(path, "数量不能为负数", "a count must not be negative"))
            return None
        if d != d.to_integral_value():
            errors.append(_err(path, "数量应为整数", "a count must be a whole number"))
            return None
    elif measure == "amount":
        if d < 0:
            errors.append(_err(path, "不能为负数", "must not be negative"))
            return None
    elif measure == "change" and d < -100:
        errors.append(_err(path, "变化幅度不能低于-100%", "a change must not be below −100 %"))
        return None
    return d


def _check_bounded(path: str, value, bounds: dict, errors: list, measure: str | None = None, unit: str | None = None):
    """A value against the indicator's stated bounds (catalogs/kpis.yaml ``bounds``, issue 22):
    ``min``/``max`` inclusive, ``gt``/``lt`` exclusive; outside them the value is impossible (an error).
    ``warn_below`` is a fact worth a word, not an error (kpi_warnings)."""
    d = _decimal(value)
    if d is None:
        errors.append(_err(path, "应为数值", "must be a number"))
        return None
    if measure == "count" and d != d.to_integral_value():
        errors.append(_err(path, "数量应为整数", "a count must be a whole number"))
        return None
    show = (lambda x: _pct(x)) if unit == "%" else (lambda x: f"{x.normalize():f}")
    checks = (("min", lambda b: d >= b, "不能小于{b}", "must not be below {b}"),
              ("max", lambda b: d <= b, "不能大于{b}", "must not exceed {b}"),
              ("gt", lambda b: d > b, "应大于{b}", "must be above {b}"),
              ("lt", lambda b: d < b, "应小于{b}", "must be below {b}"))
    for key, ok, zh, en in checks:
        if bounds.get(key) is not None:
            b = Decimal(str(bounds[key]))
            if not ok(b):
                why = bounds.get("why") or {"zh": "", "en": ""}
                errors.append(_err(path, zh.format(b=show(b)) + (f"（{why['zh']}）" if why.get("zh") else "") + f"，当前{show(d)}",
                                   en.format(b=show(b)) + (f" ({why['en']})" if why.get("en") else "") + f"; got {show(d)}"))
                return None
    return d


def _pct(d: Decimal) -> str:
    return f"{d.normalize():f}%"


def kpi_warnings(bundle: dict, flat: dict) -> list[dict]:
    """Values inside an indicator's bounds that still deserve a word: below ``warn_below`` (a
    下降/降低 indicator entered negative: the quantity went up)."""
    out = []
    for iid, ind in indicator_index(bundle).items():
        b = ind.get("bounds") or {}
        if b.get("warn_below") is None:
            continue
        for key in ("value", "before"):
            d = flat.get(f"kpis.{iid}.{key}")
            if d is not None and d < Decimal(str(b["warn_below"])):
                out.append({"field": f"kpis.{iid}.{key}", "kind": "kpi-went-the-other-way", "message": {
                    "zh": f"“{ind['name']['zh']}”填写为{_pct(d)}：负数表示不降反升。请核对；如属实，照实填写。",
                    "en": f"“{ind['name']['en']}” is {_pct(d)}: a negative value means it went up, not down. "
                          "Check it; if true, keep it as it is."}})
    return out


def check_kpi_values(bundle: dict, value, flat: dict, errors: list) -> None:
    """Check the profile's ``kpis`` mapping; put ``kpis.ID.value|before|unit`` into ``flat``."""
    if not isinstance(value, dict):
        errors.append(_err("kpis", "应为“指标编号: 数值或{value, before}”映射",
                           "must map indicator ids to a number or {value, before}"))
        return
    index = indicator_index(bundle)
    for iid, entry in value.items():
        path = f"kpis.{str(iid)[:60]}"
        ind = index.get(iid) if isinstance(iid, str) else None
        if ind is None:
            errors.append(_err(path, f"未知的指标 {str(iid)[:40]!r}", f"unknown indicator {str(iid)[:40]!r}"))
            continue
        if entry is None:
            continue
        if not isinstance(entry, dict):
            entry = {"value": entry}
        for key, item in entry.items():
            sub = f"{path}.{key}"
            if item is None:
                continue
            if key in ("value", "before") and ind.get("bounds"):
                d = _check_bounded(sub, item, ind["bounds"], errors, ind["measure"], ind.get("unit"))
                if d is not None:
                    flat[sub] = d
            elif key in ("value", "before"):
                d = _check_number(sub, item, ind["measure"], errors)
                if d is not None:
                    flat[sub] = d
            elif key == "unit":
                if not isinstance(item, str) or len(item) > MAX_UNIT:
                    errors.append(_err(sub, f"应为不超过{MAX_UNIT}字的文本", f"must be text of at most {MAX_UNIT} characters"))
                elif item.strip():
                    flat[sub] = item.strip()
            else:
                errors.append(_err(sub, "未知字段（可用 value、before、unit）", "unknown field (value, before, unit)"))


def _narrative_ids(bundle: dict, *, per_scene: bool) -> set[str]:
    return {p["id"] for form in bundle.get("application_forms", {}).values()
            for p in form["parts"] if p["kind"] == "narrative" and bool(p.get("per_scene")) == per_scene}


def _check_text(path: str, text, flat: dict, errors: list) -> None:
    if text is None:
        return
    if not isinstance(text, str):
        errors.append(_err(path, "应为文本", "must be text"))
    elif len(text) > MAX_TEXT:
        errors.append(_err(path, f"文本过长（不超过{MAX_TEXT}字符）", f"is too long (at most {MAX_TEXT} characters)"))
    elif text.strip():
        flat[path] = text


def check_section_texts(bundle: dict, value, flat: dict, errors: list, *, path: str = "application.sections") -> None:
    """Check the texts of a form's sections and put them into ``flat``.

    ``application.sections``: section id → text; ``application.scene_sections``: per-scene
    section id → {scene number: text} (scene numbers of the guide the form's scene part names).
    """
    per_scene = path == "application.scene_sections"
    if not isinstance(value, dict):
        errors.append(_err(path, "应为“段落编号: 文本”映射", "must map section ids to text"))
        return
    known = _narrative_ids(bundle, per_scene=per_scene)
    for sid, item in value.items():
        spath = f"{path}.{str(sid)[:60]}"
        if sid not in known:
            errors.append(_err(spath, f"未知的申报书段落 {str(sid)[:40]!r}", f"unknown application-form section {str(sid)[:40]!r}"))
        elif not per_scene:
            _check_text(spath, item, flat, errors)
        elif item is None:
            continue
        elif not isinstance(item, dict):
            errors.append(_err(spath, "应为“场景编号: 文本”映射", "must map scene numbers to text"))
        else:
            for n, text in item.items():
                if not (isinstance(n, (str, int)) and str(n).isdigit() and 1 <= int(n) <= 200):
                    errors.append(_err(f"{spath}.{str(n)[:20]}", "应为场景编号", "must be a scene number"))
                else:
                    _check_text(f"{spath}.{int(n)}", text, flat, errors)


def _num(d):
    """A Decimal as a JSON number (int when whole), rounded to 4 places."""
    if d is None:
        return None
    q = d.quantize(Decimal("0.0001")).normalize()
    return int(q) if q == q.to_integral_value() else float(q)


def _change(ind: dict, before, value) -> dict | None:
    if before is None or value is None:
        return None
    diff = value - before
    direction = ind.get("direction", "higher")
    better = None if direction == "none" or diff == 0 else (diff > 0) == (direction == "higher")
    # The change in the better direction, as a share of the value before ("降低了30%").
    gain = diff if direction != "lower" else -diff
    relative = None if before == 0 else gain / abs(before) * 100
    return {"difference": _num(diff), "improvement": _num(gain) if direction != "none" else None,
            "improvement_percent": _num(relative) if direction != "none" else None, "better": better}


def _condition_status(result: dict, ref: str):
    rows = {c["id"]: c for c in result.get("conditions", [])}
    for lvl in result.get("levels") or []:
        rows.update({f"{lvl['id']}.{c['id']}": c for c in lvl["conditions"]})
    return rows.get(ref)


def kpi_summary(bundle: dict, scheme: dict, facts: dict, result: dict, *, bundle_schemes=None) -> dict:
    """The worksheet of one scheme: its KPI lists, a row per answered indicator, what is missing.

    ``facts`` holds ``kpis.ID.value|before|unit`` (from the checked profile); ``result``
    is the scheme's result so far (for the status of conditions the lists are tied to).
    """
    form = bundle.get("application_forms", {}).get(scheme["id"])
    in_form = {p["list"] for p in form["parts"] if p["kind"] == "kpis"} if form else set()
    lists, rows, missing = [], [], []
    for lid in scheme.get("kpi_lists", []):
        kl = bundle["kpi_lists"].get(lid)
        if kl is None:
            continue
        mode = kl.get("values", "current")
        ties = []
        for tie in kl.get("ties", []):
            if tie["scheme"] != scheme["id"]:
                continue
            row = _condition_status(result, tie["condition"])
            ties.append({"condition": tie["condition"], "indicators": list(tie.get("indicators", [])),
                         "title": row["title"] if row else None, "status": row["status"] if row else None,
                         "source": row["source"] if row else None})
        lists.append({"id": lid, "name": kl["name"], "values": mode, "in_form": lid in in_form or not form,
                      "ties": ties})
        for ind in _list_indicators(kl):
            iid = ind["id"]
            value = facts.get(f"kpis.{iid}.value")
            before = facts.get(f"kpis.{iid}.before")
            unit = ind.get("unit") or facts.get(f"kpis.{iid}.unit")
            required = bool(ind.get("required")) and (lid in in_form or not form)
            # Rows for answered indicators only (names, units and directions are in the bundle):
            # the result stays small while the worksheet is empty, as it is during the assessment.
            if value is not None or before is not None:
                rows.append({"list": lid, "id": iid, "unit": unit, "required": required, "value": _num(value),
                             "before": _num(before), "change": _change(ind, before, value)})
            if required and value is None and iid not in missing:
                missing.append(iid)
    out = {"lists": lists, "rows": rows, "required_missing": missing}
    if missing:
        n = len(missing)
        out["message"] = {"zh": f"{scheme['name']['zh']}：{n}项必填指标未填写",
                          "en": f"{n} required indicator{'s' if n != 1 else ''} missing for {scheme['name']['en']}"}
    return out


def application_summary(bundle: dict, scheme: dict, facts: dict) -> dict | None:
    """The scheme's application form, if the catalog has one: each narrative section's count against its limit."""
    form = bundle.get("application_forms", {}).get(scheme["id"])
    if not form:
        return None
    sections = []
    parts = form["parts"]
    for i, part in enumerate(parts):
        if part["kind"] != "narrative" or part.get("per_scene"):
            continue
        text = facts.get(f"application.sections.{part['id']}")
        chars = count_chars(text or "")
        limit, floor = part.get("word_limit"), part.get("min_words")
        row = {"id": part["id"], "chars": chars, "written": bool(text),
               "word_limit": limit, "min_words": floor, "required": bool(part.get("required", True)),
               "over": bool(limit) and chars > limit, "under": bool(text) and bool(floor) and chars < floor}
        if floor:
            # A minimum ("三、……（1000字以上）") is for the whole part: this text and the outline's texts
            # under it (to the next level-1 heading), per-scene texts included (issue 22).
            total, written = _part_chars(parts, i, facts)
            row.update({"part_chars": total, "under": written and total < floor})
        sections.append(row)
    scenes_part = next((p for p in form["parts"] if p["kind"] == "scenes"), None)
    for part in form["parts"]:
        if part["kind"] != "narrative" or not part.get("per_scene"):
            continue
        prefix = f"application.scene_sections.{part['id']}."
        for key in sorted((k for k in facts if k.startswith(prefix)), key=lambda k: int(k[len(prefix):])):
            chars = count_chars(facts[key])
            limit = part.get("word_limit")
            sections.append({"id": f"{part['id']}:{key[len(prefix):]}", "section": part["id"], "scene": int(key[len(prefix):]),
                             "guide": scenes_part["guide"] if scenes_part else None,
                             "chars": chars, "written": True, "word_limit": limit, "min_words": None,
                             "required": bool(part.get("required", True)), "over": bool(limit) and chars > limit, "under": False})
    over = [s["id"] for s in sections if s["over"]]
    under = [s["id"] for s in sections if s["under"]]
    out = {"sections": sections, "over_limit": over, "under_min": under}
    said = []
    if over:
        said.append((f"{len(over)}个段落超过申报书字数限制", f"{len(over)} section(s) over the form's word limit"))
    if under:
        said.append((f"{len(under)}个部分未达申报书要求的最少字数", f"{len(under)} part(s) below the form's minimum length"))
    if said:
        out["message"] = {"zh": "；".join(z for z, _ in said), "en": "; ".join(e for _, e in said)}
    return out


def _part_chars(parts: list, start: int, facts: dict) -> tuple[int, bool]:
    """字数 of the narrative at ``start`` and of every narrative after it up to the next level-1
    heading (per-scene texts included); and whether any of them is written."""
    total, written = 0, False
    for j in range(start, len(parts)):
        p = parts[j]
        if j > start and p["kind"] == "heading" and p.get("level", 1) == 1:
            break
        if p["kind"] != "narrative":
            continue
        if p.get("per_scene"):
            prefix = f"application.scene_sections.{p['id']}."
            texts = [v for k, v in facts.items() if k.startswith(prefix)]
        else:
            texts = [facts.get(f"application.sections.{p['id']}")]
        for text in texts:
            if text:
                total, written = total + count_chars(text), True
    return total, written
