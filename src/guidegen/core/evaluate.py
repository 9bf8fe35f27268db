"""One profile against every scheme: conditions, score, level, gaps."""

from __future__ import annotations

import datetime as _dt
import json
from decimal import ROUND_DOWN, Decimal

from .facts import derive_facts, process_type_warnings
from .actions import fields_of, solve
from .derivations import DERIVED_FROM, profile_inputs
from .plan import cached_item_gap, cached_item_options, cached_rubric_plans
from .costs import profile_warnings
from .kpis import application_summary, kpi_summary, kpi_warnings
from .verdicts import VERDICT_WORDS
from .places import place_warnings
from .profile import ProfileError, check_profile
from .rubric import D, cite, json_number, score_rubric
from .rules import FAIL, PASS, UNKNOWN, Vocabulary, check_rule, rule_parts, rule_status

__all__ = ["evaluate", "evaluate_json"]

_VOCAB_CACHE: dict = {}


def _vocab(bundle: dict) -> Vocabulary:
    key = (id(bundle), bundle.get("version"))
    if key not in _VOCAB_CACHE:
        _VOCAB_CACHE.clear()
        _VOCAB_CACHE[key] = Vocabulary(bundle)
    return _VOCAB_CACHE[key]


def _ask(ctx, rule, facts, gap):
    """For an unknown fact the engine derives (a total, a share, the size class, the place),
    ask for the profile fields it comes from, not for the derived fact itself."""
    bundle, flat, vocab = ctx
    path = rule.get("compare")
    inputs = profile_inputs(path) if path in DERIVED_FROM and rule_status(rule, facts) == UNKNOWN else None
    fields = fields_of(bundle)
    missing = [p for p in inputs or () if p in fields and flat.get(p) is None][:2]
    if not missing:
        return gap
    return {"zh": "请填写：" + "、".join(vocab.label(p, "zh") for p in missing),
            "en": "fill in: " + "; ".join(vocab.label(p, "en") for p in missing)}


def _fix(ctx, rule, facts):
    """Advice for a rule that does not pass, naming only what the enterprise can act on or
    still has to answer; None when only un-actionable facts (sector, place, size, a
    declaration answered no) would have to change."""
    bundle, flat, vocab = ctx
    status = rule_status(rule, facts)
    if status == PASS:
        return None
    if "compare" in rule:
        if status == UNKNOWN or solve(bundle, rule, flat, facts) is not None:
            return _ask(ctx, rule, facts, check_rule(rule, facts, vocab)["gap"])
        return None
    if "all" in rule:
        parts = [_fix(ctx, p, facts) for p in rule["all"] if rule_status(p, facts) != PASS]
        if not parts or any(p is None for p in parts):
            return None
        return {"zh": "；".join(p["zh"] for p in parts), "en": "; ".join(p["en"] for p in parts)}
    if "any" in rule:
        return next((g for g in (_fix(ctx, p, facts) for p in rule["any"]) if g is not None), None)
    return check_rule(rule, facts, vocab)["gap"] if status == UNKNOWN else None  # a declaration, a negation


def _conditions(conds, facts, vocab, ctx) -> list[dict]:
    out = []
    for c in conds:
        chk = check_rule(c["rule"], facts, vocab, c.get("message"))
        row = {"id": c["id"], "status": chk["status"], "soft": bool(c.get("soft", False)),
               "title": c["title"], "message": chk["message"], "source": cite(c["source"])}
        if chk["status"] != PASS:
            rule = c["rule"]
            if "compare" in rule or "declaration" in rule:  # one check: its own gap, when it can be acted on
                actionable = chk["status"] == UNKNOWN or ("compare" in rule and solve(ctx[0], rule, ctx[1], facts) is not None)
                gap = _ask(ctx, rule, facts, chk["gap"]) if actionable else None
            else:
                gap = _fix(ctx, rule, facts)
            if gap is not None:
                row["gap"] = {"zh": gap["zh"], "en": gap["en"], "actionable": True}
            else:
                row["gap"] = {"zh": "无法通过改进满足（取决于企业基本情况或已作的声明）",
                              "en": "not something to improve: it depends on what the enterprise is or has declared",
                              "actionable": False}
        if c.get("interpretation"):
            row["interpretation"] = c["interpretation"]
        if c.get("informational"):
            row["informational"] = True  # soft, and only informs: labelled so, never "in principle"
        if "declaration" in c["rule"]:
            row["declaration"] = c["rule"]["declaration"]
        if c.get("scope") == "call":
            row["scope"] = "call"  # one bureau's call of the scheme (its city, its list), issue 22
        out.append(row)
    return out


_PLACE_FACTS = ("derived.prefecture_code", "derived.province_code", "derived.county_code")


def _place_rule(rule) -> bool:
    if "compare" in rule:
        return rule["compare"] in _PLACE_FACTS
    return any(_place_rule(p) for p in rule.get("all", rule.get("any", [])))


def _own_bureau(facts, vocab) -> dict:
    """The enterprise's own prefecture (or province) by name, for "apply through …"."""
    for key in ("derived.prefecture_code", "derived.province_code"):
        code = facts.get(key)
        if code is not None and str(code) in vocab.ids:
            return vocab.ids[str(code)]
    return {"zh": "所在地", "en": "its own region"}


def _edition(bundle, scheme) -> dict | None:
    """Which edition of which document the result applies, and its date (issue 22: sources.yaml), so a
    reader can tell when a newer notice governs."""
    doc = (scheme.get("source") or {}).get("doc")
    src = (bundle.get("sources") or {}).get(doc)
    if not src:
        return None
    out = {"doc": doc, "title": src["title"], "issuer": src["issuer"], "number": src.get("number"),
           "date": src.get("date")}
    for key in ("edition", "later"):
        if src.get(key):
            out[key] = src[key]
    return out


def _elsewhere(scheme, rows, result, facts, vocab):
    """Issue 22 (contract 1.2): when a call-scoped place condition fails, the verdict on every other
    condition, for an enterprise that applies through its own bureau's call of the same scheme."""
    call_ids = {c["id"] for c in scheme["conditions"] if c.get("scope") == "call"}
    failed = [c for c in scheme["conditions"] if c["id"] in call_ids and _place_rule(c["rule"])
              and next(r for r in rows if r["id"] == c["id"])["status"] == FAIL]
    if not failed:
        return None
    others = [r for r in rows if r["id"] not in call_ids]
    verdict = _verdict({**result, "eligibility": _eligibility(others), "conditions": others})
    info = scheme.get("call") or {}
    issuer = info.get("issuer") or {"zh": "本通知的发文机关", "en": "the issuing bureau"}
    region = info.get("region_name") or {"zh": "其辖区", "en": "its area"}
    own = _own_bureau(facts, vocab)
    titles = [r["title"] for r in rows if r["id"] in call_ids]
    words = VERDICT_WORDS.get(verdict, {"zh": verdict, "en": verdict})
    word = (words["zh"], words["en"])
    return {"verdict": verdict, "left_out": [r["id"] for r in rows if r["id"] in call_ids], "note": {
        "zh": f"本方案依据{issuer['zh']}的申报通知，只受理{region['zh']}的企业；本企业在{own['zh']}。"
              f"除该通知自己的条件（{'、'.join(t['zh'] for t in titles)}）外，其余条件的结论为“{word[0]}”。"
              f"请通过{own['zh']}工业和信息化主管部门的申报通知申报，其通知可能另有名单、截止日期和报送要求。",
        "en": f"This scheme is encoded from the call of the {issuer['en']}, which takes enterprises in {region['en']} only; "
              f"this enterprise is in {own['en']}. On every condition except that call's own "
              f"({'; '.join(t['en'] for t in titles)}) the verdict is: {word[1]}. Apply through the industry and "
              f"information-technology bureau of {own['en']}, whose call may add its own list, deadline and way of submission."}}


def _eligibility(conds: list[dict]) -> str:
    hard = [c["status"] for c in conds if not c["soft"]]
    if FAIL in hard:
        return "ineligible"
    if UNKNOWN in hard:
        return "unknown"
    return "eligible"


def _machine_checkable(rule) -> bool:
    """A rule that needs no self-declaration (the level ladder's 'checkable')."""
    return "declaration" not in rule and all(_machine_checkable(p) for p in rule_parts(rule))


def _levels(scheme, base_rows, facts, vocab, ctx):
    """The ladder: ``level`` is the highest level confirmed (every hard condition of it and
    of the levels below passes, declarations included); ``reachable_level`` the highest
    whose checkable hard conditions pass while declarations may still be unanswered."""
    def confirmed(rows):
        return all(r["status"] == PASS for r in rows if not r["soft"])

    def reachable(rows, conds):
        for row, c in zip(rows, conds):
            if row["soft"]:
                continue
            if row["status"] == FAIL or (row["status"] == UNKNOWN and _machine_checkable(c["rule"])):
                return False
        return True

    sure, can = confirmed(base_rows), reachable(base_rows, scheme["conditions"])
    ladder, level, reachable_level, nxt = [], None, None, None
    for lvl in scheme["levels"]:
        rows = _conditions(lvl["conditions"], facts, vocab, ctx)
        sure = sure and confirmed(rows)
        can = can and reachable(rows, lvl["conditions"])
        ladder.append({"id": lvl["id"], "name": lvl["name"], "reached": sure, "reachable": can, "conditions": rows})
        if sure:
            level = lvl["id"]
        if can:
            reachable_level = lvl["id"]
        if not sure and nxt is None:
            missing = [r for r in base_rows + rows if r["status"] != PASS and not r["soft"]]
            nxt = {"id": lvl["id"], "name": lvl["name"],
                   "missing": [{"id": r["id"], "status": r["status"], "message": r["message"],
                                **({"gap": r["gap"]} if "gap" in r else {})} for r in missing]}
    return level, reachable_level, ladder, nxt


def _verdict(result: dict) -> str:
    """Eligibility and score in one word (profile.md 1.1). For the level ladder, qualifying
    means a confirmed level; a reachable but unconfirmed one is pending."""
    if result["eligibility"] == "ineligible":
        return "not-eligible"
    if "levels" in result:
        if result["level"] is not None:
            return "qualifies" if result["eligibility"] == "eligible" else "pending"
        first = result["levels"][0]["conditions"] if result["levels"] else []
        if any(c["status"] == FAIL and not c["soft"] for c in first):
            return "not-eligible"
        return "pending"
    if result["eligibility"] == "unknown":
        return "pending"
    if result["score"] and not result["score"]["passed"]:
        return "short-of-pass-mark"
    return "qualifies"


def _call(scheme: dict, today: _dt.date, facts: dict | None = None, vocab=None) -> dict:
    """The enterprise deadline of the scheme's call and whether it is open on ``today``; with the
    catalog's ``call`` (issue 22): who issued it, ``opens`` (``not-yet-open`` before it), and
    ``unknown`` for an enterprise outside the call's region (its own region's notice governs)."""
    call = _call_dates(scheme, today)
    info = scheme.get("call")
    if not info:
        return call
    call["issuer"] = info["issuer"]
    call["opens"] = str(info["opens"])
    codes = {str(facts.get(k)) for k in _PLACE_FACTS if facts and facts.get(k) is not None}
    region = info.get("region")
    if region and codes and not codes & {str(r) for r in region}:
        own = _own_bureau(facts, vocab) if vocab is not None else {"zh": "所在地区", "en": "its own region"}
        name = info.get("region_name") or info["issuer"]
        deadline = f"（{call['deadline']}）" if call.get("deadline") else ""
        deadline_en = f" ({call['deadline']})" if call.get("deadline") else ""
        call["status"] = "unknown"
        call["note"] = {
            "zh": f"本期的截止日期{deadline}和报送方式是{info['issuer']['zh']}的通知规定的，只约束{name['zh']}的企业；"
                  f"本企业在{own['zh']}，请以{own['zh']}主管部门发布或转发的申报通知为准。",
            "en": f"This call's deadline{deadline_en} and way of submission are set by the {info['issuer']['en']} and bind "
                  f"enterprises in {name['en']} only; this enterprise is in {own['en']}: follow the notice its own "
                  "authority publishes or forwards."}
        return call
    if today.isoformat() < call["opens"]:
        call["status"] = "not-yet-open"
        call["note"] = {
            "zh": f"本期申报通知于{call['opens']}发布（{info['issuer']['zh']}），此前没有本期申报；结果按该通知的条件评估。",
            "en": f"This call was published on {call['opens']} by the {info['issuer']['en']}; before that there is no call. "
                  "The result applies that notice's rules."}
    return call


def _call_dates(scheme: dict, today: _dt.date) -> dict:
    deadline = scheme.get("deadline")
    if not deadline:
        return {"deadline": None, "status": "unknown", "note": {
            "zh": "文件未规定申报截止日期，以当年申报通知为准。",
            "en": "The document sets no deadline; each year's call for applications sets it."}}
    deadline = str(deadline)
    call = {"deadline": deadline, "status": "open" if today.isoformat() <= deadline else "closed"}
    step = next((p for p in scheme.get("procedure", []) if str(p.get("deadline")) == deadline), {})
    if step.get("source"):
        call["source"] = cite(step["source"])
    if call["status"] == "closed":
        call["note"] = {
            "zh": f"本期申报已于{deadline}截止。结果按本期文件的条件评估，可用于预判下一期申报（以届时通知为准）。",
            "en": f"This call closed on {deadline}. The result applies this call's rules and predicts the next "
                  "call (check the new notice)."}
    if step.get("note"):
        # Whose date it is (a forwarding region's, beside the national one): the catalog says so.
        before = call.get("note")
        call["note"] = {lang: (before[lang] + sep if before else "") + step["note"][lang]
                        for lang, sep in (("zh", ""), ("en", " "))}
    return call


def _gap_list(rows, item_gaps) -> list[dict]:
    """Every gap names its condition or rubric item. Hard conditions first (they decide the
    verdict), then soft ones, then points by size. One action that settles several
    conditions (ticking scenes settles both the link and the scene count) is listed once,
    naming them all."""
    merged: dict = {}
    # A gap that only joins other rows' gaps (the one-guide pair: links and scenes on one edition)
    # is said by those rows already (issue 22); it stands alone only when they pass.
    others = {r["gap"]["zh"] for r in rows if "gap" in r}
    for r in rows:
        if "gap" not in r:
            continue
        parts = r["gap"]["zh"].split("；")
        if len(parts) > 1 and all(p in others and p != r["gap"]["zh"] for p in parts):
            continue
        key = (r["gap"]["zh"], r["gap"]["en"])
        if key in merged:
            merged[key]["titles"].append(r["title"])
            continue
        merged[key] = {"condition": r["id"], "soft": r["soft"], **({"informational": True} if r.get("informational") else {}),
                       "status": r["status"],
                       "actionable": r["gap"]["actionable"], "titles": [r["title"]], "gap": r["gap"]}
    gaps = []
    for g in merged.values():
        titles, gap = g.pop("titles"), g.pop("gap")
        g["zh"] = "、".join(f"「{t['zh']}」" for t in titles) + "：" + gap["zh"]
        g["en"] = "; ".join(t["en"] for t in titles) + ": " + gap["en"]
        gaps.append(g)
    order = {FAIL: 0, UNKNOWN: 1}
    return sorted(gaps, key=lambda g: (0 if not g["soft"] else 1, order.get(g["status"], 2))) + \
        sorted(item_gaps, key=lambda g: -g["points"])


def _scheme_result(bundle, scheme, flat, facts, vocab, today) -> dict:
    ctx = (bundle, flat, vocab)
    rows = _conditions(scheme["conditions"], facts, vocab, ctx)
    result = {"scheme": scheme["id"], "name": scheme["name"], "verdict": None, "call": _call(scheme, today, facts, vocab),
              "eligibility": _eligibility(rows), "conditions": rows, "score": None, "plan": None, "plans": [], "level": None}
    item_gaps = []
    if scheme.get("rubric"):
        score = score_rubric(scheme["rubric"], facts, vocab)
        score["short_of_pass"] = max(score["pass_mark"] - score["total"], 0)
        result["score"] = score
        options = [cached_item_options(bundle, item, flat, facts, vocab, i)
                   for i, item in enumerate(scheme["rubric"]["items"])]
        # Routes to the pass mark and the recommended one (issue #23, core/plan.py).
        routes = cached_rubric_plans(bundle, scheme, flat, facts, vocab, D(score["total"]), options=options)
        result["plans"] = routes["plans"] if routes else []
        result["plan"] = routes["plan"] if routes else None
        for row, opts in zip(score["items"], options):
            gap = cached_item_gap(bundle, vocab, opts, flat)
            if gap is not None:
                row["gap"] = {"zh": gap["zh"], "en": gap["en"], "points": gap["points"]}
                item_gaps.append(gap)
    if scheme.get("levels"):
        level, reachable_level, ladder, nxt = _levels(scheme, rows, facts, vocab, ctx)
        result["level"] = level
        result["reachable_level"] = reachable_level
        result["levels"] = ladder
        result["next_level"] = nxt
    result["verdict"] = _verdict(result)
    result["edition"] = _edition(bundle, scheme)
    elsewhere = _elsewhere(scheme, rows, result, facts, vocab)
    if elsewhere is not None:
        result["elsewhere"] = elsewhere
        for r in rows:  # the call's own place row: not "nothing to improve" but where to apply
            if r.get("scope") == "call" and r["status"] == FAIL and "gap" in r:
                r["gap"] = {"zh": "本条属本通知的申报范围：" + elsewhere["note"]["zh"],
                            "en": "This row is the call's own reach: " + elsewhere["note"]["en"], "actionable": False}
    result["gaps"] = _gap_list(rows, item_gaps)
    return result


def _date(today) -> _dt.date:
    if today is None:
        return _dt.date.today()
    if isinstance(today, _dt.date):
        return today
    try:
        if isinstance(today, str) and len(today) == 10:
            return _dt.date.fromisoformat(today)
    except ValueError:
        pass
    raise ProfileError([{"field": "today", "message": {
        "zh": "评估日期应为 YYYY-MM-DD 格式的日期", "en": "the evaluation date must be a date as YYYY-MM-DD"}}])


def evaluate(bundle: dict, profile: dict, *, schemes=None, today=None) -> dict:
    """Evaluate ``profile`` against the schemes of ``bundle`` (all by default).

    ``today`` (a date or "YYYY-MM-DD"; default the current date) decides whether each
    scheme's call is open. Raises ProfileError (field-level, bilingual) for an invalid
    profile or date.
    """
    day = _date(today)
    ignored: list = []
    flat = check_profile(bundle, profile, today=day, ignored=ignored)
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
        "today": day.isoformat(),
        "warnings": unpublished_warning(ignored) + profile_warnings(bundle, flat, vocab.label) + kpi_warnings(bundle, flat) + place_warnings(bundle, flat)
                    + process_type_warnings(bundle, flat),  # issue #23: maturity above score, a title twice
        "results": [_with_application(bundle, s, flat, _scheme_result(bundle, s, flat, facts, vocab, day))
                    for s in chosen],
    }


def _with_application(bundle: dict, scheme: dict, flat: dict, result: dict) -> dict:
    """Add the KPI worksheet (``kpis``) and, where a form is catalogued, ``application`` (issue #16)."""
    result["kpis"] = kpi_summary(bundle, scheme, flat, result)
    application = application_summary(bundle, scheme, flat)
    if application is not None:
        result["application"] = application
    return result


def unpublished_warning(ignored: list) -> list[dict]:
    """One warning for everything a profile holds that this edition does not publish (issue 24)."""
    if not ignored:
        return []
    n = len(ignored)
    return [{"kind": "unpublished", "fields": list(ignored), "message": {
        "zh": f"档案中有{n}项回答属于本版本未发布的申报类别，已保留在档案中，不参与本版本的计算。",
        "en": f"The profile holds {n} {'answer' if n == 1 else 'answers'} for schemes this edition does not publish: "
              f"{'it is' if n == 1 else 'they are'} kept in the profile and not used here."}}]


def _plain(value):
    if isinstance(value, Decimal):
        # Exact up to four decimals (9.996 stays 9.996 beside a failed ≥ 10 band); a longer
        # computed share to two, never rounded up onto a whole number it lies below.
        if value == value.quantize(Decimal("0.0001")):
            return json_number(value.normalize())
        q = value.quantize(Decimal("0.01"))
        if q == q.to_integral_value() and q > value:
            q = value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        return json_number(q)
    return value


def evaluate_json(bundle: dict, profile_json: str, schemes=None, today=None) -> str:
    """The browser's entry point: JSON in, JSON out; errors as {"errors": [...]}."""
    try:
        profile = json.loads(profile_json)
        return json.dumps(evaluate(bundle, profile, schemes=schemes, today=today), ensure_ascii=False)
    except ProfileError as exc:
        return json.dumps({"errors": exc.errors}, ensure_ascii=False)
    except (ValueError, RecursionError) as exc:
        return json.dumps({"errors": [{"field": "(profile)", "message": {
            "zh": f"无法读取档案：{str(exc)[:200]}", "en": f"cannot read the profile: {str(exc)[:200]}"}}]}, ensure_ascii=False)
