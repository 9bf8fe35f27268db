"""The shortest plan from a rubric total to the pass mark.

A step raises one rubric item to a higher band, option, tier or count by
changing profile fields the enterprise can act on (core/actions.py). Items
read disjoint fields (the spend keeps its local shares, see actions), so an
item's gain does not depend on the other steps and the search is exact: a
knapsack over items, at most one option per item, the state being the points
gained so far (capped at what is needed).

Among plans of equal length the cheaper wins, compared in this order:
1. the sum of the title levels the steps ask for (none 0, municipal 1,
   provincial 2, national 3 — read from the field or option id, else its
   Chinese label: 国家 / 省 / 市级);
2. the fewest points beyond what is needed (the smaller increase);
3. the fewest things added (titles, patents, events, scenes, technologies);
4. the earlier item in the rubric.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .actions import actionable, facts_after, fields_of, solve
from .facts import derive_facts
from .rubric import D, item_points, json_number
from .rules import PASS, Vocabulary, fmt, rule_status

__all__ = ["rubric_plan", "item_options", "apply_change", "title_rank"]

ZERO = Decimal(0)
_TOKENS = {"national": 3, "provincial": 2, "municipal": 1}


def apply_change(profile: dict, change: dict) -> dict:
    """A copy of a (nested) profile with ``change`` {dotted path: value} applied."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in profile.items()}
    for path, value in change.items():
        head, _, tail = path.partition(".")
        if tail:
            group = out.get(head)
            out[head] = group = dict(group) if isinstance(group, dict) else {}
            group[tail] = value
        else:
            out[head] = value
    return out


_RANKS: dict = {}


def title_rank(bundle: dict, vocab: Vocabulary, path: str, value) -> int:
    """0 for what is not a title; municipal 1, provincial 2, national 3."""
    key = (id(bundle), path, value if isinstance(value, (str, bool)) else None)
    if key not in _RANKS:
        if len(_RANKS) > 4096:
            _RANKS.clear()
        _RANKS[key] = _title_rank(bundle, vocab, path, value)
    return _RANKS[key]


def _title_rank(bundle, vocab, path, value) -> int:
    f = fields_of(bundle).get(path)
    if f is None or f["type"] not in ("integer", "boolean", "choice"):
        return 0
    ids = re.split(r"[._-]", path) + (re.split(r"[._-]", value) if isinstance(value, str) else [])
    for token, rank in _TOKENS.items():
        if token in ids:
            return rank
    text = vocab.show(value, "zh") if f["type"] == "choice" else vocab.label(path, "zh")
    return 3 if "国家" in text else 2 if "省" in text else 1 if "市级" in text else 0


def _units(old, new) -> int:
    if isinstance(new, list):
        return len(set(new) - set(old or []))
    if isinstance(new, bool):
        return 1
    if isinstance(new, int):
        return new - (old or 0)
    return 0  # money and scores: the points say how large the step is


class Option:
    __slots__ = ("item", "rules", "change", "gain", "cost")

    def __init__(self, item, rules, change, gain, cost):
        self.item, self.rules, self.change, self.gain, self.cost = item, rules, change, gain, cost


def _cost(bundle, vocab, flat, change, gain):
    rank = max((title_rank(bundle, vocab, p, v) for p, v in change.items()), default=0)
    return (rank, gain, sum(_units(flat.get(p), v) for p, v in change.items()))


def item_options(bundle: dict, item: dict, flat: dict, facts: dict, vocab: Vocabulary) -> list[Option]:
    """Every way found to raise ``item``, the cheapest per number of points gained."""
    before = item_points(item, facts)
    room = D(item["max"]) - before
    if room <= 0:
        return []
    sc = item["scoring"]
    tries: list[list[dict]] = []
    if sc["kind"] == "banded":
        tries = [[{"compare": sc["fact"], "op": ">=", "value": b["min"]}]
                 for b in sc["bands"] if "min" in b and D(b["points"]) > before]
    elif sc["kind"] == "choice":
        tries = [[{"compare": sc["fact"], "op": "==", "value": o["value"]}]
                 for o in sc["options"] if D(o["points"]) > before]
    elif sc["kind"] == "tiers":
        tries = [[t["when"]] for t in sc["tiers"] if D(t["points"]) > before]
    else:
        # Counts are plain profile fields (no derivation): their changes are written directly.
        flats = [({}, [])]
        for f in sc.get("flats", []):
            if rule_status(f["when"], facts) != PASS:
                change = solve(bundle, f["when"], flat, facts)
                if change:
                    flats.append((change, [f["when"]]))
        counts, seen = [({}, [])], set()
        for c in sc.get("counts", []):
            path = c["fact"]
            key = (D(c["rate"]), title_rank(bundle, vocab, path, None))
            if key in seen or not actionable(bundle, path):
                continue  # same rate and level as an earlier count: the earlier one is named
            seen.add(key)
            now = flat.get(path) or 0
            steps = int((room / D(c["rate"])).to_integral_value(rounding="ROUND_CEILING"))
            counts += [({path: now + k}, [{"compare": path, "op": ">=", "value": now + k}]) for k in range(1, steps + 1)]
        direct = [({**fc, **cc}, fr + cr) for fc, fr in flats for cc, cr in counts if fr or cr]
    best: dict = {}
    if sc["kind"] != "per-count":
        direct = [(solve(bundle, {"all": rules}, flat, facts), rules) for rules in tries]
    for change, rules in direct:
        if not change:
            continue
        gain = item_points(item, facts_after(bundle, flat, facts, change)) - before
        if gain <= 0:
            continue
        cost = _cost(bundle, vocab, flat, change, gain)
        if gain not in best or cost < best[gain].cost:
            best[gain] = Option(item, rules, change, gain, cost)
    # An option that gains less at no lower cost is never part of a cheapest plan.
    kept, cheapest = [], None
    for gain in sorted(best, reverse=True):
        o = best[gain]
        if cheapest is None or o.cost < cheapest:
            kept.append(o)
            cheapest = o.cost if cheapest is None else min(cheapest, o.cost)
    return kept


def _search(options_per_item: list[list[Option]], need: Decimal):
    """Fewest steps reaching ``need`` points, then the cheapest (module docstring).

    Points are counted in hundredths as integers (fast under Pyodide); a state is the
    points gained so far, capped at ``need``; a state that the remaining items cannot
    lift to ``need`` is dropped."""
    items = [opts for opts in options_per_item if opts]
    hundred = Decimal(100)
    goal = int((need * hundred).to_integral_value(rounding="ROUND_CEILING"))
    moves = [[(int(o.gain * hundred), o.cost[0], o.cost[2], o) for o in opts] for opts in items]
    potential = [0] * (len(moves) + 1)
    for i in range(len(moves) - 1, -1, -1):
        potential[i] = potential[i + 1] + max(m[0] for m in moves[i])
    best = {0: ((0, 0, 0, 0), ())}
    for i, options in enumerate(moves):
        rest = potential[i + 1]
        # Not taking this item comes first, so that on equal cost the earlier item stays.
        nxt = {state: held for state, held in best.items() if state + rest >= goal}
        for state, held in best.items():
            if state >= goal:
                continue
            (steps, rank, pts, units), picks = held
            for gain, o_rank, o_units, o in options:
                s2 = state + gain
                if s2 + rest < goal:
                    continue
                if s2 > goal:
                    s2 = goal
                c2 = (steps + 1, rank + o_rank, pts + gain, units + o_units)
                old = nxt.get(s2)
                if old is None or c2 < old[0]:
                    nxt[s2] = (c2, picks + (o,))
        best = nxt
    if goal in best:
        return True, best[goal][1]
    # Unreachable: every item as high as it goes, each by its cheapest way there.
    return False, tuple(max(opts, key=lambda o: (o.gain, tuple(-x for x in o.cost))) for opts in items)


def rubric_plan(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal) -> dict | None:
    """``plan`` for a scheme with a rubric whose total is below the pass mark (else None)."""
    rubric = scheme["rubric"]
    target = D(rubric["pass_mark"])
    if total >= target:
        return None
    per_item = [item_options(bundle, item, flat, facts, vocab) for item in rubric["items"]]
    reachable, picks = _search(per_item, target - total)
    order = {id(item): i for i, item in enumerate(rubric["items"])}
    work, work_facts, steps = dict(flat), facts, []
    for o in sorted(picks, key=lambda o: order[id(o.item)]):
        change = solve(bundle, {"all": o.rules}, work, work_facts)
        if not change:
            continue  # pragma: no cover - solved once already on the same fields
        step_change = {p: v for p, v in change.items()}
        old = {p: work.get(p) for p in change}
        work_facts = facts_after(bundle, work, work_facts, change)
        work.update(change)
        steps.append(_step(bundle, vocab, o, old, step_change))
    final = derive_facts(bundle, work)[0]
    total_after = sum((item_points(item, final) for item in rubric["items"]), ZERO)
    return {"target": json_number(target), "reachable": total_after >= target,
            "total_after": json_number(total_after), "steps": steps}


def _plain(value):
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, list):
        return list(value)
    return value


def _step(bundle, vocab, option, old, change) -> dict:
    item = option.item
    pts = fmt(option.gain)
    descs = [describe_change(bundle, vocab, p, old.get(p), v) for p, v in change.items()]
    return {
        "item": item["id"],
        "points": json_number(option.gain),
        "change": {p: _plain(v) for p, v in change.items()},
        "message": {"zh": f"{item['title']['zh']}（+{pts}分）：" + "；".join(d["zh"] for d in descs),
                    "en": f"{item['title']['en']} (+{pts}): " + "; ".join(d["en"] for d in descs)},
    }


def describe_change(bundle: dict, vocab: Vocabulary, path: str, old, new) -> dict:
    """One changed profile field as plain advice, in both languages."""
    if path.startswith("scenes."):
        gid = path.split(".", 1)[1]
        names = {s["number"]: s["name"] for link in bundle["guides"][gid] for s in link["scenes"]}
        added = sorted(set(new) - set(old or []))
        title = bundle["guide_info"][gid]["title"]
        return {"zh": f"在《{title['zh']}》中增加场景 " + "、".join(f"{n}“{names[n]['zh']}”" for n in added),
                "en": f"add scenes of the {title['en']}: " + ", ".join(f"{n} “{names[n]['en']}”" for n in added)}
    lab = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
    unit = {lang: vocab.unit(path, lang) for lang in ("zh", "en")}
    options = {o["value"]: o["label"] for o in fields_of(bundle).get(path, {}).get("options", [])}
    if options and not isinstance(new, list):  # a choice: its own option labels (ids repeat across fields)
        shown = {lang: (options[old][lang] + " → " if old in options else "") + options[new][lang] for lang in ("zh", "en")}
        return {"zh": f"{lab['zh']}：{shown['zh']}", "en": f"{lab['en']}: {shown['en']}"}
    if isinstance(new, list):
        added = [v for v in new if v not in (old or [])]
        return {"zh": f"{lab['zh']}增加：{vocab.show(added, 'zh')}", "en": f"add to {lab['en']}: {vocab.show(added, 'en')}"}
    if isinstance(new, bool):
        return {"zh": f"{lab['zh']}：{vocab.show(new, 'zh')}", "en": f"{lab['en']}: {vocab.show(new, 'en')}"}
    if old is None:
        return {"zh": f"{lab['zh']}：{vocab.show(new, 'zh')}{unit['zh']}",
                "en": f"{lab['en']}: {vocab.show(new, 'en')}{unit['en']}"}
    return {"zh": f"{lab['zh']}：{vocab.show(old, 'zh')} → {vocab.show(new, 'zh')}{unit['zh']}",
            "en": f"{lab['en']}: {vocab.show(old, 'en')} → {vocab.show(new, 'en')}{unit['en']}"}
