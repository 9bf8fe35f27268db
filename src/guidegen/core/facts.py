"""Derive the facts rules look at: sector, size class, coverage, shares.

Thresholds (size classes, 规模以上 revenue) come from the bundle.
"""

from __future__ import annotations

from decimal import Decimal

from .derivations import key_link_guide
from .places import resolve_place

__all__ = ["derive_facts", "other_process_scenes", "process_type_warnings", "unclaimed_scenes"]

HUNDRED = Decimal(100)


def _coverage(bundle: dict, flat: dict, facts: dict) -> None:
    for gid, links in bundle["guides"].items():
        chosen = flat.get(f"scenes.{gid}")
        if chosen is None:
            continue
        scene_link = {s["number"]: link["number"] for link in links for s in link["scenes"]}
        covered = sorted({scene_link[n] for n in chosen})
        facts[f"coverage.{gid}.scenes"] = len(chosen)
        facts[f"coverage.{gid}.links"] = len(covered)
        facts[f"coverage.{gid}.link_numbers"] = covered
        areas = bundle["guide_info"][gid].get("areas")
        if areas:
            facts[f"coverage.{gid}.areas"] = [a["id"] for a in areas if set(a["links"]) & set(covered)]
    for gid, info in bundle["guide_info"].items():
        cats = info.get("support_elements")
        if cats and "support_elements" in flat:
            held = set(flat["support_elements"])
            for cat in cats:
                facts[f"coverage.{gid}.support.{cat['id']}"] = sum(1 for st in cat["subtypes"] if st["id"] in held)


def other_process_scenes(bundle: dict, flat: dict) -> dict[str, list[int]]:
    """Scenes of the other process type (issue 22): with ``application.factory_type`` given
    (离散型 discrete / 流程型 process), the scenes whose guide marks them ``process_type`` of the
    other type, per guide ({} when the type is not given: nothing is flagged)."""
    kind = flat.get("application.factory_type")
    if kind not in ("discrete", "process"):
        return {}
    out = {}
    for gid, links in bundle["guides"].items():
        other = [s["number"] for link in links for s in link["scenes"]
                 if s.get("process_type") and s["process_type"] != kind]
        if other:
            out[gid] = other
    return out


_PROCESS = {"discrete": {"zh": "离散型", "en": "discrete"}, "process": {"zh": "流程型", "en": "process"}}


def process_type_warnings(bundle: dict, flat: dict) -> list[dict]:
    """Result ``warnings`` (contract 1.2, issue 22) for scenes of the other process type than
    ``application.factory_type``: one per guide and list (``scenes.GUIDE`` ticked or confirmed,
    ``scenes_proposed.GUIDE`` proposed through the crosswalk), naming the scenes. A flagged scene
    still counts once ticked: the warning asks the user to check it, it decides nothing."""
    other = other_process_scenes(bundle, flat)
    if not other:
        return []
    kind = flat["application.factory_type"]
    mine, theirs = _PROCESS[kind], _PROCESS["process" if kind == "discrete" else "discrete"]
    out = []
    for gid, numbers in other.items():
        info = bundle["guide_info"].get(gid) or {}
        title = info.get("title") or {"zh": gid, "en": gid}
        names = {s["number"]: s["name"] for link in bundle["guides"][gid] for s in link["scenes"]}
        for key, zh_list, en_list in (("scenes", "已勾选", "ticked or confirmed"),
                                      ("scenes_proposed", "对照表建议", "proposed through the crosswalk")):
            hit = [n for n in sorted(set(flat.get(f"{key}.{gid}") or ())) if n in numbers]
            if not hit:
                continue
            zh = "、".join(f"{n}“{names[n]['zh']}”" for n in hit)
            en = ", ".join(f"{n} “{names[n]['en']}”" for n in hit)
            if key == "scenes":
                said = {"zh": "请核对，不属实则取消勾选；属实则照常计入。",
                        "en": "Check it: untick it if it does not apply; if it does, it counts as usual."}
            else:
                said = {"zh": "一般不应确认，确认前请核对。",
                        "en": "It would not normally be confirmed: check before confirming."}
            many = len(hit) > 1
            out.append({"field": f"{key}.{gid}", "kind": "other-process-type", "scenes": hit, "message": {
                "zh": f"《{title['zh']}》中{zh_list}的场景{zh}属{theirs['zh']}，而所填智能工厂类型为{mine['zh']}：{said['zh']}",
                "en": f"{title['en']}: scene{'s' if many else ''} {en}, {en_list}, {'are' if many else 'is'} for "
                      f"{theirs['en']} manufacturing, but the factory type given is {mine['en']}. {said['en']}"}})
    return out


def unclaimed_scenes(flat: dict, guide: str) -> set:
    """Scenes of ``guide`` the user has not claimed (contract 1.2): proposed but not confirmed,
    or declined. No condition, score, plan claim or draft counts them."""
    return set(flat.get(f"scenes_proposed.{guide}") or ()) | set(flat.get(f"scenes_declined.{guide}") or ())


def _share(local, total):
    if local is None or total is None:
        return None
    if total == 0:
        return Decimal(0)  # reading 6 of profile.md: a total of 0 gives 0
    return local / total * HUNDRED


_PLACES: dict = {}


def _resolved_place(bundle: dict, flat: dict):
    """resolve_place, remembered per bundle and answers: the plan search derives the
    facts of one enterprise many times with only its spend or scenes changed."""
    key = (id(bundle), tuple(flat.get(f"enterprise.{k}") for k in ("province", "city", "county", "region_code", "credit_code")))
    held = _PLACES.get(key)
    if held is None or held[0] is not bundle:  # the bundle itself is kept, so its id is not reused
        if len(_PLACES) > 256:
            _PLACES.clear()
        held = _PLACES[key] = (bundle, resolve_place(bundle, flat))
    return held[1]


def _implied_titles(bundle: dict, flat: dict, facts: dict, derived: dict) -> None:
    """One title, two fields (issue 22): a field answered yes (or a count above 0) that the
    question schema says `implies` another counts that other at least `value` times; the
    derived fact says from which answer."""
    for section in bundle["profile"]["sections"]:
        for f in section["fields"]:
            given = flat.get(f["path"])
            if not f.get("implies") or not given or given is None:
                continue
            for imp in f["implies"]:
                target, at_least = imp["path"], Decimal(str(imp["value"]))
                current = facts.get(target)
                if current is not None and not isinstance(current, bool) and Decimal(str(current)) >= at_least:
                    continue
                facts[target] = int(at_least) if at_least == at_least.to_integral_value() else at_least
                derived[target] = {"value": facts[target], "how": {
                    "zh": f"由“{f['label']['zh']}”答“是”推定（同一荣誉）",
                    "en": f"from the answer yes to “{f['label']['en']}” (the same title)"}}


def derive_facts(bundle: dict, flat: dict) -> tuple[dict, dict]:
    """Return (facts, derived) — facts is every value rules may read; derived
    lists the facts the engine worked out, with how, for the result."""
    facts = dict(flat)
    derived: dict = {}

    def put(path, value, how_zh, how_en):
        if value is not None:
            facts[path] = value
            derived[path.split(".", 1)[1]] = {"value": value, "how": {"zh": how_zh, "en": how_en}}

    _implied_titles(bundle, flat, facts, derived)

    place, _ = _resolved_place(bundle, flat)
    if place is not None:
        # Rules compare codes (GB/T 2260): any county, district or county-level city counts
        # under its prefecture. The how says what was matched and how.
        if place["prefecture"] is not None:
            put("derived.prefecture_code", place["prefecture"]["code"], place["how"]["zh"], place["how"]["en"])
        for level, zh, en in (("province", "省份", "province"), ("county", "县级行政区", "county-level division")):
            row = place[level]
            if row is not None:
                put(f"derived.{level}_code", row["code"], f"注册地所属{zh}：{row['name']}", f"the {en} of registration: {row['en']}")

    sector = flat.get("enterprise.sector")
    if sector is not None:
        put("derived.sector", sector, "企业填写", "given in the profile")
    elif "enterprise.industry_division" in flat:
        div = bundle["divisions"][flat["enterprise.industry_division"]]
        put("derived.sector", div["sector"], f"由行业大类 {div['code']} {div['name']['zh']} 推定",
            f"derived from division {div['code']} {div['name']['en']}")
    sector = facts.get("derived.sector")
    if sector is not None:
        info = bundle["sectors"][sector]
        facts["sector.technologies"] = list(info.get("technologies", []))
        facts["sector.modes"] = list(info.get("modes", []))
    sc = bundle["size_classes"]
    emp, rev = flat.get("enterprise.employees"), flat.get("enterprise.revenue_wan")
    if emp is not None and rev is not None:
        for cls in sc["classes"]:
            if emp >= Decimal(str(cls["min_employees"])) and rev >= Decimal(str(cls["min_revenue_wan"])):
                put("derived.size_class", cls["id"], f"从业人员{emp}人、营业收入{rev}万元，属{cls['name']['zh']}",
                    f"{emp} employees and revenue {rev} ×10k CNY: {cls['name']['en']}")
                break
        put("derived.sme", facts["derived.size_class"] in sc["sme_classes"], "由企业规模类型推定", "from the size class")
    given = flat.get("enterprise.above_designated_size")
    if given is not None:
        put("derived.above_designated_size", given, "企业填写", "given in the profile")
    elif rev is not None and flat.get("enterprise.manufacturing") is not False:
        # 规模以上 is a class of industrial enterprises: never derived for one that says it is not manufacturing.
        floor = Decimal(str(sc["above_designated_size"]["min_revenue_wan"]))
        put("derived.above_designated_size", rev >= floor,
            f"按营业收入{rev}万元{'≥' if rev >= floor else '<'}{floor}万元推定（以营业收入代替主营业务收入）",
            f"derived from revenue {rev} {'≥' if rev >= floor else '<'} {floor} ×10k CNY "
            "(operating revenue 营业收入 standing in for main-business revenue 主营业务收入)")
    core, services = flat.get("investment_wan.core_equipment"), flat.get("investment_wan.services")
    if core is not None or services is not None:
        put("derived.investment_total_wan", (core or 0) + (services or 0), "核心装备购置费与技术服务费用之和（未填项按0计）",
            "core equipment plus services (a part left empty counts as 0)")
    put("derived.local_equipment_share", _share(flat.get("investment_wan.local_core_equipment"), core),
        "本地产核心装备 ÷ 核心装备投资 × 100%", "local core equipment ÷ core equipment × 100 %")
    put("derived.local_service_share", _share(flat.get("investment_wan.local_services"), services),
        "本地技术服务 ÷ 技术服务费用 × 100%", "local services ÷ services × 100 %")

    # Plain values given by itemized lists (issue #25): the derived fact says which list and how.
    for path, total in (flat.get("itemized.totals") or {}).items():
        derived[path] = {"value": total["value"], "how": total["how"]}

    _coverage(bundle, flat, facts)
    # The sectors' key links are link numbers of one guide (catalog data: sector_key_links: true).
    key_guide = key_link_guide(bundle["guide_info"])
    if sector is not None and f"coverage.{key_guide}.link_numbers" in facts:
        keys = set(bundle["sectors"][sector].get("key_links", []))
        facts[f"coverage.{key_guide}.sector_key_links"] = len(keys & set(facts[f"coverage.{key_guide}.link_numbers"]))
    for path, value in facts.items():
        if path.startswith("coverage."):
            derived[path] = {"value": value, "how": {"zh": "由所选场景计算", "en": "from the selected scenes"}}
    return facts, derived
