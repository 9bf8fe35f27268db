"""Score a rubric: banded, choice, per-count and tiers, in Decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal

from .rules import PASS, Vocabulary, check_rule, fmt, rule_status

__all__ = ["score_rubric", "item_points", "cite", "json_number"]

ZERO = Decimal(0)


def D(x) -> Decimal:
    return Decimal(str(x))


def cite(source: dict) -> str:
    return f"{source['doc']} {source['article']}"


def _band_of(bands, value):
    for b in bands:
        lo = D(b["min"]) if "min" in b else None
        hi = D(b["max"]) if "max" in b else None
        if (lo is None or value >= lo) and (hi is None or value < hi):
            return b
    return None  # pragma: no cover - bands tile the line (validated)


def _banded(sc, facts, vocab):
    path = sc["fact"]
    value = facts.get(path)
    lab = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
    unit = {lang: vocab.unit(path, lang) for lang in ("zh", "en")}
    if value is None:
        best = max(sc["bands"], key=lambda b: D(b["points"]))
        return ZERO, {"zh": f"未填写{lab['zh']}，计0分", "en": f"{lab['en']} not given: 0 points"}, \
            _gap_missing(lab, D(best["points"]))
    value = D(value)
    band = _band_of(sc["bands"], value)
    pts = D(band["points"])
    msg = {"zh": f"{lab['zh']}为{fmt(value)}{unit['zh']}：{band['label']['zh']}",
           "en": f"{lab['en']} is {fmt(value)}{unit['en']}: {band['label']['en']}"}
    better = sorted((b for b in sc["bands"] if D(b["points"]) > pts and "min" in b and D(b["min"]) > value),
                    key=lambda b: D(b["min"]))
    gap = None
    if better:
        nxt = better[0]
        gain = D(nxt["points"]) - pts
        need = D(nxt["min"]) - value
        gap = {"zh": f"{lab['zh']}达到{fmt(D(nxt['min']))}{unit['zh']}（还差{fmt(need)}{unit['zh']}）可加{fmt(gain)}分",
               "en": f"reach {fmt(D(nxt['min']))}{unit['en']} in {lab['en']} ({fmt(need)}{unit['en']} more) for +{fmt(gain)}",
               "points": gain}
    return pts, msg, gap


def _gap_missing(lab, points):
    return {"zh": f"填写{lab['zh']}（最多可得{fmt(points)}分）", "en": f"fill in {lab['en']} (up to {fmt(points)} points)",
            "points": points}


def _choice(sc, facts, vocab):
    path = sc["fact"]
    value = facts.get(path)
    lab = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
    best = max(sc["options"], key=lambda o: D(o["points"]))
    if value is None:
        return ZERO, {"zh": f"未填写{lab['zh']}，计0分", "en": f"{lab['en']} not given: 0 points"}, \
            _gap_missing(lab, D(best["points"]))
    opt = next((o for o in sc["options"] if o["value"] == value), None)
    pts = D(opt["points"]) if opt else ZERO
    label = opt["label"] if opt else {"zh": vocab.show(value, "zh"), "en": vocab.show(value, "en")}
    msg = {"zh": f"{lab['zh']}：{label['zh']}", "en": f"{lab['en']}: {label['en']}"}
    gap = None
    higher = sorted((o for o in sc["options"] if D(o["points"]) > pts), key=lambda o: D(o["points"]))
    if higher:
        nxt = higher[0]
        gain = D(nxt["points"]) - pts
        gap = {"zh": f"达到“{nxt['label']['zh']}”可加{fmt(gain)}分", "en": f"“{nxt['label']['en']}” would add {fmt(gain)}",
               "points": gain}
    return pts, msg, gap


def _per_count(sc, facts, vocab):
    cap = D(sc["cap"])
    raw = ZERO
    parts_zh, parts_en = [], []
    for c in sc.get("counts", []):
        n = facts.get(c["fact"])
        if n:
            got = D(n) * D(c["rate"])
            raw += got
            parts_zh.append(f"{c['label']['zh']} {n}×{fmt(D(c['rate']))}={fmt(got)}")
            parts_en.append(f"{c['label']['en']} {n}×{fmt(D(c['rate']))}={fmt(got)}")
    groups: dict = {}
    for f in sc.get("flats", []):
        if check_rule(f["when"], facts, vocab)["status"] == PASS:
            key = f.get("group") or id(f)
            if key not in groups or D(f["points"]) > D(groups[key]["points"]):
                groups[key] = f
    for f in groups.values():
        raw += D(f["points"])
        parts_zh.append(f"{f['label']['zh']} {fmt(D(f['points']))}")
        parts_en.append(f"{f['label']['en']} {fmt(D(f['points']))}")
    pts = min(raw, cap)
    capped_zh = f"（累计{fmt(raw)}分，封顶{fmt(cap)}分）" if raw > cap else ""
    capped_en = f" (sum {fmt(raw)}, capped at {fmt(cap)})" if raw > cap else ""
    msg = {"zh": ("；".join(parts_zh) or "无计分项") + capped_zh,
           "en": ("; ".join(parts_en) or "nothing that counts") + capped_en}
    gap = None
    if pts < cap and sc.get("counts"):
        best = max(sc["counts"], key=lambda c: D(c["rate"]))
        gain = min(D(best["rate"]), cap - pts)
        gap = {"zh": f"每增加1项“{best['label']['zh']}”加{fmt(D(best['rate']))}分（距封顶还差{fmt(cap - pts)}分）",
               "en": f"each more “{best['label']['en']}” adds {fmt(D(best['rate']))} ({fmt(cap - pts)} below the cap)",
               "points": gain}
    return pts, msg, gap


def _tiers(sc, facts, vocab):
    checks = [check_rule(t["when"], facts, vocab) for t in sc["tiers"]]
    for t, chk in zip(sc["tiers"], checks):
        if chk["status"] == PASS:
            chosen, pts = t, D(t["points"])
            break
    else:
        chosen = sc.get("else") or {"points": 0, "label": {"zh": "不满足任一档", "en": "no tier met"}}
        pts = D(chosen["points"])
    msg = {"zh": chosen["label"]["zh"], "en": chosen["label"]["en"]}
    gap = None
    higher = [(t, c) for t, c in zip(sc["tiers"], checks) if D(t["points"]) > pts]
    if higher:
        t, chk = min(higher, key=lambda tc: D(tc[0]["points"]))
        gain = D(t["points"]) - pts
        how = chk["gap"] or chk["message"]
        gap = {"zh": f"达到“{t['label']['zh']}”可加{fmt(gain)}分：{how['zh']}",
               "en": f"“{t['label']['en']}” would add {fmt(gain)}: {how['en']}", "points": gain}
    return pts, msg, gap


def item_points(item: dict, facts: dict) -> Decimal:
    """An item's points, capped at its max: the arithmetic alone (no messages), so the
    plan search can try many changes cheaply. score_rubric reports these points."""
    sc = item["scoring"]
    kind = sc["kind"]
    if kind == "banded":
        value = facts.get(sc["fact"])
        pts = ZERO if value is None else D(_band_of(sc["bands"], D(value))["points"])
    elif kind == "choice":
        value = facts.get(sc["fact"])
        pts = next((D(o["points"]) for o in sc["options"] if value is not None and o["value"] == value), ZERO)
    elif kind == "per-count":
        raw = sum((D(facts[c["fact"]]) * D(c["rate"]) for c in sc.get("counts", []) if facts.get(c["fact"])), ZERO)
        groups: dict = {}
        for f in sc.get("flats", []):
            if rule_status(f["when"], facts) == PASS:
                key = f.get("group") or id(f)
                groups[key] = max(groups.get(key, ZERO), D(f["points"]))
        pts = min(raw + sum(groups.values(), ZERO), D(sc["cap"]))
    else:
        pts = next((D(t["points"]) for t in sc["tiers"] if rule_status(t["when"], facts) == PASS),
                   D((sc.get("else") or {"points": 0})["points"]))
    return min(pts, D(item["max"]))


KINDS = {"banded": _banded, "choice": _choice, "per-count": _per_count, "tiers": _tiers}


def json_number(d: Decimal):
    """Points as JSON numbers: whole numbers as int, halves as float."""
    return int(d) if d == d.to_integral_value() else float(d)


def score_rubric(rubric: dict, facts: dict, vocab: Vocabulary) -> tuple[dict, list]:
    items, gaps = [], []
    totals = {g["id"]: ZERO for g in rubric["groups"]}
    for item in rubric["items"]:
        _, msg, gap = KINDS[item["scoring"]["kind"]](item["scoring"], facts, vocab)
        pts = item_points(item, facts)
        totals[item["group"]] += pts
        out = {"id": item["id"], "group": item["group"], "points": json_number(pts), "max": json_number(D(item["max"])),
               "title": item["title"], "message": msg, "source": cite(item["source"])}
        if item.get("review"):
            out["review"] = True
            out["message"] = {"zh": msg["zh"] + "（须经专家评审及现场核查）",
                              "en": msg["en"] + " (subject to expert review and on-site check)"}
        if item.get("interpretation"):
            out["interpretation"] = item["interpretation"]
        if gap:
            gain = min(gap["points"], D(item["max"]) - pts)
            out["gap"] = {"zh": gap["zh"], "en": gap["en"], "points": json_number(gain)}
            gaps.append({"item": item["id"], "points": json_number(gain), "zh": gap["zh"], "en": gap["en"]})
        items.append(out)
    total = sum(totals.values(), ZERO)
    score = {g: json_number(v) for g, v in totals.items()}
    score.update({
        "total": json_number(total),
        "max": json_number(sum((D(g["max"]) for g in rubric["groups"]), ZERO)),
        "pass_mark": json_number(D(rubric["pass_mark"])),
        "passed": total >= D(rubric["pass_mark"]),
        "items": items,
    })
    gaps.sort(key=lambda g: (-g["points"], g["item"]))
    return score, gaps
