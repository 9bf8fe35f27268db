"""Score a rubric: banded, choice, per-count and tiers, in Decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal

from .rules import PASS, Vocabulary, fmt, rule_status

__all__ = ["score_rubric", "item_points", "cite", "json_number"]

ZERO = Decimal(0)
ONE = Decimal(1)


_DECIMALS: dict = {}


def D(x) -> Decimal:
    """A catalog or profile number as Decimal (via its text: 0.1 stays 0.1). Remembered,
    since the plan search scores the same rates and bands many times."""
    try:
        return _DECIMALS[x]
    except KeyError:
        if len(_DECIMALS) > 8192:
            _DECIMALS.clear()
        d = _DECIMALS[x] = Decimal(str(x))
        return d
    except TypeError:  # pragma: no cover - unhashable: never a number
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


def _not_given(lab):
    return {"zh": f"未填写{lab['zh']}，计0分", "en": f"{lab['en']} not given: 0 points"}


def _banded(sc, facts, vocab) -> dict:
    path = sc["fact"]
    value = facts.get(path)
    lab = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
    unit = {lang: vocab.unit(path, lang) for lang in ("zh", "en")}
    if value is None:
        return _not_given(lab)
    value = D(value)
    band = _band_of(sc["bands"], value)
    # Shown with the precision the band needs: 9.996 % beside a ≥ 10 % edge never reads "10 %".
    edges = [band[k] for k in ("min", "max") if k in band]
    return {"zh": f"{lab['zh']}为{fmt(value, edges)}{unit['zh']}：{band['label']['zh']}",
            "en": f"{lab['en']} is {fmt(value, edges)}{unit['en']}: {band['label']['en']}"}


def _choice(sc, facts, vocab) -> dict:
    path = sc["fact"]
    value = facts.get(path)
    lab = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
    if value is None:
        return _not_given(lab)
    opt = next((o for o in sc["options"] if o["value"] == value), None)
    label = opt["label"] if opt else {"zh": vocab.show(value, "zh"), "en": vocab.show(value, "en")}
    return {"zh": f"{lab['zh']}：{label['zh']}", "en": f"{lab['en']}: {label['en']}"}


def _per_count(sc, facts, vocab) -> dict:
    cap = D(sc["cap"])
    raw = ZERO
    parts_zh, parts_en = [], []
    for c in sc.get("counts", []):
        n = facts.get(c["fact"])
        if n:
            once = c.get("once") and D(n) > 1  # an enterprise-level title counts once (plan-costs.yaml)
            n = 1 if once else n
            got = D(n) * D(c["rate"])
            raw += got
            parts_zh.append(f"{c['label']['zh']} {n}×{fmt(D(c['rate']))}={fmt(got)}" + ("（企业级称号只计一次）" if once else ""))
            parts_en.append(f"{c['label']['en']} {n}×{fmt(D(c['rate']))}={fmt(got)}" + (" (an enterprise-level title counts once)" if once else ""))
    groups: dict = {}
    for f in sc.get("flats", []):
        if rule_status(f["when"], facts) == PASS:
            key = f.get("group") or id(f)
            if key not in groups or D(f["points"]) > D(groups[key]["points"]):
                groups[key] = f
    for f in groups.values():
        raw += D(f["points"])
        parts_zh.append(f"{f['label']['zh']} {fmt(D(f['points']))}")
        parts_en.append(f"{f['label']['en']} {fmt(D(f['points']))}")
    capped_zh = f"（累计{fmt(raw)}分，封顶{fmt(cap)}分）" if raw > cap else ""
    capped_en = f" (sum {fmt(raw)}, capped at {fmt(cap)})" if raw > cap else ""
    return {"zh": ("；".join(parts_zh) or "无计分项") + capped_zh,
            "en": ("; ".join(parts_en) or "nothing that counts") + capped_en}


def _tiers(sc, facts, vocab) -> dict:
    chosen = next((t for t in sc["tiers"] if rule_status(t["when"], facts) == PASS), None) \
        or sc.get("else") or {"points": 0, "label": {"zh": "不满足任一档", "en": "no tier met"}}
    return {"zh": chosen["label"]["zh"], "en": chosen["label"]["en"]}


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
        raw = sum(((min(D(facts[c["fact"]]), ONE) if c.get("once") else D(facts[c["fact"]])) * D(c["rate"])
                   for c in sc.get("counts", []) if facts.get(c["fact"])), ZERO)
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


def score_rubric(rubric: dict, facts: dict, vocab: Vocabulary) -> dict:
    """The score: points per item (item_points) with a message, group totals, the pass mark.
    What would add points is the plan module's business (core/plan.py)."""
    items = []
    totals = {g["id"]: ZERO for g in rubric["groups"]}
    for item in rubric["items"]:
        msg = KINDS[item["scoring"]["kind"]](item["scoring"], facts, vocab)
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
    return score
