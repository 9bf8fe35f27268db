"""The questions a set of schemes needs, read off their rules.

Every fact a condition, a rubric item or a level reads is mapped back to the
profile questions it comes from (core/actions.py: a derived fact to the fields
it is worked out from, coverage to the scenes of its guide or the support
elements). Nothing here is a hand-kept list per scheme: a new rule asks a new
question by itself.
"""

from __future__ import annotations

import json

from .actions import fields_of, inputs_of
from .derivations import DERIVED_FROM
from .places import resolve_place
from .profile import ProfileError
from .rules import reads

__all__ = ["questions", "questions_json", "facts_read", "item_facts", "place_codes", "outside_call"]

# The answers the engine reads a place from (core/places.py resolve_place); nothing else of a
# profile is read here.
PLACE_KEYS = ("province", "city", "county", "region_code", "credit_code")


def _rule_facts(rule: dict, out: set) -> None:
    out |= reads(rule)  # the rule vocabulary's one walker (core/rules.py)


def item_facts(item: dict, out: set | None = None) -> set:
    """Every fact path a rubric item's scoring reads."""
    out = set() if out is None else out
    sc = item["scoring"]
    if "fact" in sc:
        out.add(sc["fact"])
    for c in sc.get("counts", []):
        out.add(c["fact"])
    for f in sc.get("flats", []):
        _rule_facts(f["when"], out)
    for t in sc.get("tiers", []):
        _rule_facts(t["when"], out)
    return out


def facts_read(scheme: dict, *, without_call: bool = False) -> set:
    """Every fact path (and ``declarations.ID``) the scheme's rules read; ``without_call``: not
    those only its ``scope: call`` conditions read (an enterprise outside the call's region)."""
    out: set = set()
    for c in scheme.get("conditions", []):
        if without_call and c.get("scope") == "call":
            continue
        _rule_facts(c["rule"], out)
    for lvl in scheme.get("levels", []):
        for c in lvl["conditions"]:
            _rule_facts(c["rule"], out)
    for item in (scheme.get("rubric") or {}).get("items", []):
        item_facts(item, out)
    if (scheme.get("call") or {}).get("region"):
        out.add("derived.prefecture_code")  # issue 22: whether the call's deadline binds depends on the place
    return out


def place_codes(bundle: dict, profile) -> set[str]:
    """The GB/T 2260 codes (county, prefecture, province) of the enterprise's place, resolved as the
    evaluation resolves it (core/places.py, the codes behind ``derived.prefecture_code`` …); empty
    when the profile gives no place or one that does not resolve."""
    enterprise = profile.get("enterprise") if isinstance(profile, dict) else None
    if not isinstance(enterprise, dict):
        return set()
    flat = {f"enterprise.{k}": enterprise[k].strip() for k in PLACE_KEYS if isinstance(enterprise.get(k), str)}
    try:
        place, errors = resolve_place(bundle, flat)
    except (TypeError, ValueError, KeyError):  # a half-typed answer is no place yet
        return set()
    if place is None or any(e.get("field") != "enterprise.credit_code" for e in errors):
        return set()
    return {row["code"] for row in (place.get("county"), place.get("prefecture"), place.get("province")) if row}


def outside_call(scheme: dict, codes: set[str]) -> bool:
    """Whether a place (``place_codes``) lies outside the region of the scheme's call (issue 22):
    the same test the evaluation's call status makes. An unknown place is not outside."""
    region = {str(r) for r in (scheme.get("call") or {}).get("region") or ()}
    if not region or not codes or codes & region:
        return False
    if all(c.endswith("0000") for c in codes):  # only the province is known: outside when the call is in another
        return not any(r[:2] == c[:2] for r in region for c in codes)
    return True


def questions(bundle: dict, schemes=None, profile=None) -> list[dict]:
    """The questions the chosen schemes (all when None) read, in form order: the fields
    of the question schema section by section, then the scene guides, then the declarations.

    Each is {"kind": "field", "path", "section", "schemes"}, {"kind": "support_elements",
    "schemes"}, {"kind": "scenes", "guide", "schemes"} or {"kind": "declaration", "id",
    "schemes"}; ``schemes`` lists the chosen schemes that read it, in bundle order.

    ``profile`` (optional; only its place is read): when the enterprise's place resolves outside
    the region of a scheme's call, what only that call's ``scope: call`` conditions read (株洲's
    list for an enterprise in 湘潭) is not asked for that scheme. An unknown place asks everything.
    """
    if schemes is not None:
        unknown = [s for s in schemes if s not in bundle["schemes"]]
        if unknown:
            raise ProfileError([{"field": "schemes", "message": {
                "zh": f"未知的申报类别：{', '.join(map(str, unknown))}",
                "en": f"unknown scheme: {', '.join(map(str, unknown))}"}}])
    known = set(fields_of(bundle)) | {f"scenes.{g}" for g in bundle["guides"]} | \
        {f"declarations.{d}" for d in bundle["declarations"]}
    needed: dict[str, list] = {}
    codes = place_codes(bundle, profile) if profile is not None else set()
    for sid, scheme in bundle["schemes"].items():
        if schemes is not None and sid not in schemes:
            continue
        for fact in sorted(facts_read(scheme, without_call=outside_call(scheme, codes))):
            for key in inputs_of(fact):
                if key not in known and fact in DERIVED_FROM:
                    continue  # an alternative input this question schema does not ask
                users = needed.setdefault(key, [])
                if sid not in users:
                    users.append(sid)
    # One title, two fields: an answer whose `implies` names a field read here is read too
    # (core/facts.py counts it as that field), so it is asked with the same schemes.
    for path, f in fields_of(bundle).items():
        for target in (i.get("path") for i in f.get("implies") or ()):
            for sid in needed.get(target, ()):
                users = needed.setdefault(path, [])
                if sid not in users:
                    users.append(sid)
    # Fields no rule reads but a bureau's summary table does (project name, contact person):
    # the question schema marks them with those schemes, checked against the tables (#17).
    for section in bundle["profile"]["sections"]:
        for f in section["fields"]:
            users = [sid for sid in bundle["schemes"] if sid in f.get("schemes", ()) and (schemes is None or sid in schemes)]
            if users:
                needed[f["path"]] = [sid for sid in bundle["schemes"] if sid in users or sid in needed.get(f["path"], ())]
    out = []
    for section in bundle["profile"]["sections"]:
        for f in section["fields"]:
            if f["path"] not in needed:
                continue
            if f["path"] == "support_elements":
                out.append({"kind": "support_elements", "schemes": needed[f["path"]]})
            else:
                out.append({"kind": "field", "path": f["path"], "section": section["id"], "schemes": needed[f["path"]]})
    for gid in bundle["guides"]:
        if f"scenes.{gid}" in needed:
            out.append({"kind": "scenes", "guide": gid, "schemes": needed[f"scenes.{gid}"]})
    for did in bundle["declarations"]:
        if f"declarations.{did}" in needed:
            out.append({"kind": "declaration", "id": did, "schemes": needed[f"declarations.{did}"]})
    stray = sorted(set(needed) - known)
    if stray:  # a rule reads a fact no question supplies: a catalog or engine defect, never silent
        raise ValueError(f"facts without a question: {', '.join(stray)}")
    return out


def questions_json(bundle: dict, schemes_json: str | None = None, profile_json: str | None = None) -> str:
    """The browser's entry point: a JSON list of questions, or {"errors": [...]}. ``profile_json``
    (optional): the answers so far, of which only the place is read (see ``questions``); a profile
    that cannot be read is no place (everything is asked), never an error."""
    try:
        schemes = None if schemes_json is None else json.loads(schemes_json)
        if schemes is not None and not (isinstance(schemes, list) and all(isinstance(s, str) for s in schemes)):
            raise ProfileError([{"field": "schemes", "message": {
                "zh": "申报类别应为编号列表", "en": "schemes must be a list of scheme ids"}}])
        profile = None
        if isinstance(profile_json, str) and len(profile_json) <= 1_000_000:
            try:
                profile = json.loads(profile_json)
            except (ValueError, RecursionError):
                profile = None
        return json.dumps(questions(bundle, schemes, profile), ensure_ascii=False)
    except ProfileError as exc:
        return json.dumps({"errors": exc.errors}, ensure_ascii=False)
    except ValueError as exc:
        return json.dumps({"errors": [{"field": "schemes", "message": {
            "zh": f"无法读取申报类别：{str(exc)[:200]}", "en": f"cannot read the schemes: {str(exc)[:200]}"}}]},
            ensure_ascii=False)
