"""One profile against every scheme: conditions, score, level, gaps."""

from __future__ import annotations

import json
from decimal import Decimal

from .facts import derive_facts
from .profile import ProfileError, check_profile
from .rubric import cite, json_number, score_rubric
from .rules import FAIL, PASS, UNKNOWN, Vocabulary, check_rule

__all__ = ["evaluate", "evaluate_json"]

_VOCAB_CACHE: dict = {}


def _vocab(bundle: dict) -> Vocabulary:
    key = (id(bundle), bundle.get("version"))
    if key not in _VOCAB_CACHE:
        _VOCAB_CACHE.clear()
        _VOCAB_CACHE[key] = Vocabulary(bundle)
    return _VOCAB_CACHE[key]


def _conditions(conds, facts, vocab) -> list[dict]:
    out = []
    for c in conds:
        chk = check_rule(c["rule"], facts, vocab, c.get("message"))
        row = {"id": c["id"], "status": chk["status"], "soft": bool(c.get("soft", False)),
               "title": c["title"], "message": chk["message"], "source": cite(c["source"])}
        if chk["gap"] and chk["status"] != PASS:
            row["gap"] = chk["gap"]
        if c.get("interpretation"):
            row["interpretation"] = c["interpretation"]
        if "declaration" in c["rule"]:
            row["declaration"] = c["rule"]["declaration"]
        out.append(row)
    return out


def _eligibility(conds: list[dict]) -> str:
    hard = [c["status"] for c in conds if not c["soft"]]
    if FAIL in hard:
        return "ineligible"
    if UNKNOWN in hard:
        return "unknown"
    return "eligible"


def _machine_checkable(rule) -> bool:
    """A rule that needs no self-declaration (the level ladder's 'checkable')."""
    if "declaration" in rule:
        return False
    if "compare" in rule:
        return True
    if "not" in rule:
        return _machine_checkable(rule["not"])
    return all(_machine_checkable(p) for p in rule.get("all", rule.get("any", [])))


def _levels(scheme, base_rows, facts, vocab):
    """Highest level whose checkable hard conditions pass and no declaration says no."""
    def reached(rows, conds):
        for row, c in zip(rows, conds):
            if row["soft"]:
                continue
            if row["status"] == FAIL:
                return False
            if row["status"] == UNKNOWN and _machine_checkable(c["rule"]):
                return False
        return True

    base_ok = reached(base_rows, scheme["conditions"])
    ladder, level, nxt = [], None, None
    for lvl in scheme["levels"]:
        rows = _conditions(lvl["conditions"], facts, vocab)
        ok = base_ok and reached(rows, lvl["conditions"])
        ladder.append({"id": lvl["id"], "name": lvl["name"], "reached": ok, "conditions": rows})
        if ok and (nxt is None):
            level = lvl["id"]
        elif nxt is None:
            missing = [r for r in base_rows + rows if r["status"] != PASS and not r["soft"]]
            nxt = {"id": lvl["id"], "name": lvl["name"],
                   "missing": [{"id": r["id"], "status": r["status"], "message": r["message"],
                                **({"gap": r["gap"]} if "gap" in r else {})} for r in missing]}
    return level, ladder, nxt


def _scheme_result(scheme, facts, vocab) -> dict:
    rows = _conditions(scheme["conditions"], facts, vocab)
    result = {"scheme": scheme["id"], "name": scheme["name"], "eligibility": _eligibility(rows),
              "conditions": rows, "score": None, "level": None}
    gaps = [{"condition": r["id"], "soft": r["soft"], "status": r["status"], "zh": r["gap"]["zh"], "en": r["gap"]["en"]}
            for r in rows if "gap" in r]
    if scheme.get("rubric"):
        score, item_gaps = score_rubric(scheme["rubric"], facts, vocab)
        result["score"] = score
        result["score"]["short_of_pass"] = max(score["pass_mark"] - score["total"], 0)
        gaps += item_gaps
    if scheme.get("levels"):
        level, ladder, nxt = _levels(scheme, rows, facts, vocab)
        result["level"] = level
        result["levels"] = ladder
        result["next_level"] = nxt
    # Hard failures first (they decide the verdict), then unknowns, then points by size.
    order = {FAIL: 0, UNKNOWN: 1}
    # One action can close several conditions (ticking scenes settles both the link and
    # the scene count): list it once, where it first appears.
    seen, unique = set(), []
    for g in gaps:
        if (g["zh"], g["en"]) not in seen:
            seen.add((g["zh"], g["en"]))
            unique.append(g)
    gaps = unique
    result["gaps"] = sorted(gaps, key=lambda g: (
        0 if "condition" in g and not g["soft"] else 1 if "condition" in g else 2,
        order.get(g.get("status"), 2), -(g.get("points") or 0)))
    return result


def evaluate(bundle: dict, profile: dict, *, schemes=None) -> dict:
    """Evaluate ``profile`` against the schemes of ``bundle`` (all by default).

    Raises ProfileError (field-level, bilingual) for an invalid profile.
    """
    flat = check_profile(bundle, profile)
    if schemes is not None:
        unknown = [s for s in schemes if s not in bundle["schemes"]]
        if unknown:
            raise ProfileError([{"field": "schemes", "message": {
                "zh": f"未知的申报类别：{', '.join(map(str, unknown))}", "en": f"unknown scheme: {', '.join(map(str, unknown))}"}}])
    facts, derived = derive_facts(bundle, flat)
    vocab = _vocab(bundle)
    chosen = [s for sid, s in bundle["schemes"].items() if schemes is None or sid in schemes]
    return {
        "bundle": bundle.get("version"),
        "derived": {k: {"value": _plain(v["value"]), "how": v["how"]} for k, v in derived.items()},
        "results": [_scheme_result(s, facts, vocab) for s in chosen],
    }


def _plain(value):
    if isinstance(value, Decimal):
        return json_number(value.quantize(Decimal("0.01")))
    return value


def evaluate_json(bundle: dict, profile_json: str, schemes=None) -> str:
    """The browser's entry point: JSON in, JSON out; errors as {"errors": [...]}."""
    try:
        profile = json.loads(profile_json)
        return json.dumps(evaluate(bundle, profile, schemes=schemes), ensure_ascii=False)
    except ProfileError as exc:
        return json.dumps({"errors": exc.errors}, ensure_ascii=False)
    except (ValueError, RecursionError) as exc:
        return json.dumps({"errors": [{"field": "(profile)", "message": {
            "zh": f"无法读取档案：{str(exc)[:200]}", "en": f"cannot read the profile: {str(exc)[:200]}"}}]}, ensure_ascii=False)
