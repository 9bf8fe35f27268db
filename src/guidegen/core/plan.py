"""The shortest plan from a rubric total to the pass mark.

A step raises one rubric item — to a higher band, option or tier, or by more of
one count (and the flat points beside it) — by changing profile fields the
enterprise can act on (core/actions.py). Items read disjoint fields, and more
spend keeps its local shares (see actions), so an item's gain does not depend on
the other steps: the search is exact over these options, a knapsack over items
with at most one option each, the state being the points gained so far (capped
at what is needed). One dependency is kept: a local share of spend there is none
of can be raised only in a plan that adds that spend.

Among plans with the fewest steps the cheaper wins, compared in this order:
1. the least effort, summed over the steps: a band, option or tier climbed
   counts 1 each; a title or award counts its level — municipal 1, provincial 2,
   national 3 (read from the field or option id, else its Chinese label:
   国家 / 省 / 市级) — and anything else 1 (a patent, an event, a partner, a
   scene, a technology, a yes);
2. the fewest points beyond what is needed (the smaller increase);
3. the earlier item in the rubric.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .actions import (CORE, SERVICES, SHARE_TOTAL, actionable, facts_after, fields_of, inputs_of, solve,
                      solve_with_facts)
from .facts import derive_facts
from .questions import item_facts
from .rubric import D, item_points, json_number
from .rules import PASS, Vocabulary, fmt, rule_status

__all__ = ["rubric_plan", "cached_rubric_plan", "item_options", "cached_item_options", "item_gap", "cached_item_gap", "apply_change", "title_rank", "describe_change"]

ZERO = Decimal(0)
PROBE = Decimal(100)
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


def _effort(bundle, vocab, item, flat, change, before, after) -> int:
    """How much an option asks (module docstring, order 1)."""
    sc = item["scoring"]
    if sc["kind"] == "banded":
        return sum(1 for b in sc["bands"] if before < D(b["points"]) <= after)
    if sc["kind"] == "choice":
        return max(1, title_rank(bundle, vocab, sc["fact"], change.get(sc["fact"])))
    effort = 0
    for path, new in change.items():
        old = flat.get(path)
        if isinstance(new, list):
            effort += len(set(new) - set(old or []))
        elif isinstance(new, bool):
            effort += max(1, title_rank(bundle, vocab, path, None))
        elif isinstance(new, int):
            effort += (new - (old or 0)) * max(1, title_rank(bundle, vocab, path, None))
        else:
            effort += 1
    return effort


class Option:
    """One way to raise one item: the rules that make it so, the change they need, the
    points gained, the effort; ``requires``/``provides``: spend paths that must be /
    are made positive (a local share of spend not yet made)."""
    __slots__ = ("item", "index", "rules", "change", "gain", "effort", "requires", "provides")

    def __init__(self, item, index, rules, change, gain, effort, requires=frozenset()):
        self.item, self.index, self.rules, self.change = item, index, rules, change
        self.gain, self.effort, self.requires = gain, effort, requires
        self.provides = frozenset(p for p in (CORE, SERVICES) if change.get(p) and not requires)

    @property
    def cost(self):
        return (self.effort, self.gain)


def _count_moves(bundle, vocab, sc, flat, room):
    """(change, rules) for k more of one count. k more of a count is left out when another
    count gives the same points with less effort (module docstring)."""
    kinds = [(i, c["fact"], int(D(c["rate"]) * 100), max(1, title_rank(bundle, vocab, c["fact"], None)))
             for i, c in enumerate(sc.get("counts", [])) if actionable(bundle, c["fact"])]
    room = int((room * 100).to_integral_value(rounding="ROUND_CEILING"))
    moves = [({}, [])]
    for i, path, rate, weight in kinds:
        now = flat.get(path) or 0
        others = [(j, rate2, weight2) for j, _, rate2, weight2 in kinds if j != i and rate2 > 0]
        for k in range(1, -(-room // rate) + 1 if rate > 0 else 1):
            pts = k * rate
            if any(pts % rate2 == 0 and (pts // rate2 * weight2, j) < (k * weight, i) for j, rate2, weight2 in others):
                continue
            moves.append(({path: now + k}, [{"compare": path, "op": ">=", "value": now + k}]))
    return moves


def item_options(bundle: dict, item: dict, flat: dict, facts: dict, vocab: Vocabulary, index: int = 0) -> list[Option]:
    """Every way found to raise ``item``, the cheapest per number of points gained."""
    before = item_points(item, facts)
    room = D(item["max"]) - before
    if room <= 0:
        return []
    sc = item["scoring"]
    base, requires = flat, frozenset()
    total = SHARE_TOTAL.get(sc.get("fact"))
    if total and not flat.get(total):
        # No spend of that kind yet: options as if there were some, for plans that add it.
        base, requires = {**flat, total: PROBE}, frozenset({total})
        facts = derive_facts(bundle, base)[0]
    tried = []
    if sc["kind"] == "per-count":
        # Counts and flats are plain profile fields (no derivation): changes written directly.
        flats = [({}, [])]
        for f in sc.get("flats", []):
            if rule_status(f["when"], facts) != PASS:
                change = solve(bundle, f["when"], base, facts)
                if change:
                    flats.append((change, [f["when"]]))
        for fc, fr in flats:
            for cc, cr in _count_moves(bundle, vocab, sc, base, room):
                if fr or cr:
                    change = {**fc, **cc}
                    tried.append((change, fr + cr, item_points(item, facts_after(bundle, base, facts, change))))
    else:
        if sc["kind"] == "banded":
            rules = [[{"compare": sc["fact"], "op": ">=", "value": b["min"]}]
                     for b in sc["bands"] if "min" in b and D(b["points"]) > before]
        elif sc["kind"] == "choice":
            rules = [[{"compare": sc["fact"], "op": "==", "value": o["value"]}]
                     for o in sc["options"] if D(o["points"]) > before]
        else:
            rules = [[t["when"]] for t in sc["tiers"] if D(t["points"]) > before]
        for r in rules:
            found = solve_with_facts(bundle, {"all": r}, base, facts)
            if found and found[0]:
                tried.append((found[0], r, item_points(item, found[1])))
    best: dict = {}
    for change, rules, after in tried:
        gain = after - before
        if gain <= 0:
            continue
        o = Option(item, index, rules, change, gain, _effort(bundle, vocab, item, base, change, before, after), requires)
        if gain not in best or o.cost < best[gain].cost:
            best[gain] = o
    # An option that gains less for more effort is never part of a cheapest plan (one that
    # gains less for the same effort may be: it overshoots less).
    kept, least = [], None
    for gain in sorted(best, reverse=True):
        o = best[gain]
        if least is None or o.effort <= least:
            kept.append(o)
            least = o.effort
    return kept


_OPTIONS: dict = {}
_INPUTS: dict = {}


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def cached_item_options(bundle: dict, item: dict, flat: dict, facts: dict, vocab: Vocabulary, index: int = 0):
    """item_options, remembered by the profile fields the item is read from: while someone
    fills in the calculator, one edit changes the options of one or two items only."""
    held = _INPUTS.get(id(item))
    if held is None or held[0] is not item:
        paths = {p for fact in item_facts(item) for p in inputs_of(fact)}
        if any(p.startswith("investment_wan.") for p in paths):  # more spend raises its local part
            paths |= {p for p in fields_of(bundle) if p.startswith("investment_wan.")}
        held = _INPUTS[id(item)] = (item, tuple(sorted(paths)))
    key = (id(item), index, tuple(_frozen(flat.get(p)) for p in held[1]))
    found = _OPTIONS.get(key)
    if found is None or found[0] is not item or found[1] is not bundle:
        if len(_OPTIONS) > 1024:
            _OPTIONS.clear()
        found = _OPTIONS[key] = (item, bundle, item_options(bundle, item, flat, facts, vocab, index))
    return found[2]


def _search(options_per_item: list[list[Option]], need: Decimal):
    """Fewest steps reaching ``need`` points, then the cheapest (module docstring).

    Points are counted in hundredths as integers (fast under Pyodide); a state is the
    points gained so far, capped at ``need``, with the spend paths made positive; a state
    that the remaining items cannot lift to ``need`` is dropped. Items that add spend go
    first so that a local share of that spend can follow."""
    items = [opts for opts in options_per_item if opts]
    items.sort(key=lambda opts: 0 if any(o.provides for o in opts) else 1)
    hundred = Decimal(100)
    goal = int((need * hundred).to_integral_value(rounding="ROUND_CEILING"))
    moves = [[(int(o.gain * hundred), o.effort, o) for o in opts] for opts in items]
    tops = [max(m[0] for m in opts) for opts in moves]
    # The fewest steps: the largest gains first (an upper bound on what any k items give).
    fewest, got = 0, 0
    for top in sorted(tops, reverse=True):
        if got >= goal:
            break
        got, fewest = got + top, fewest + 1
    if got < goal:
        fewest = len(moves)
    # rest[i]: the largest gains of items i.. in decreasing order, summed: fewer steps than
    # it takes them to close a gap cannot close it.
    rest = []
    for i in range(len(moves) + 1):
        acc, sums = 0, [0]
        for top in sorted(tops[i:], reverse=True):
            acc += top
            sums.append(acc)
        rest.append(sums)

    def reachable_within(i, state, steps, limit):
        sums, left = rest[i], limit - steps
        return sums[min(left, len(sums) - 1)] >= goal - state

    def cheapest(limit):
        none = frozenset()
        best = {(0, none): ((0, 0, 0), ())}
        for i, options in enumerate(moves):
            # Not taking this item comes first, so that on equal cost the earlier item stays.
            nxt = {key: held for key, held in best.items()
                   if key[0] >= goal or reachable_within(i + 1, key[0], held[0][0], limit)}
            for (state, made), ((steps, effort, pts), picks) in best.items():
                if state >= goal or steps >= limit:
                    continue
                for gain, o_effort, o in options:
                    if o.requires and not o.requires <= made:
                        continue
                    s2 = state + gain
                    if s2 < goal and not reachable_within(i + 1, s2, steps + 1, limit):
                        continue
                    key = (min(s2, goal), made | o.provides if o.provides else made)
                    c2 = (steps + 1, effort + o_effort, pts + gain)
                    old = nxt.get(key)
                    if old is None or c2 < old[0]:
                        nxt[key] = (c2, picks + (o,))
            best = nxt
        done = [held for (state, _), held in best.items() if state >= goal]
        return min(done, key=lambda held: held[0])[1] if done else None

    # A local share that needs spend may make the bound too low: then one step more.
    for limit in range(fewest, len(moves) + 1):
        picks = cheapest(limit)
        if picks is not None:
            return True, picks
    # Unreachable: every item as high as it goes, each by its cheapest way there.
    picks = [max(opts, key=lambda o: (o.gain, -o.effort)) for opts in items if not opts[0].requires]
    made = frozenset().union(*(o.provides for o in picks))
    picks += [max(opts, key=lambda o: (o.gain, -o.effort)) for opts in items
              if opts[0].requires and opts[0].requires <= made]
    return False, tuple(picks)


def rubric_plan(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal,
                *, options: list[list[Option]] | None = None) -> dict | None:
    """``plan`` for a scheme with a rubric whose total is below the pass mark (else None).
    ``options`` are the items' options (item_options, in rubric order) when already worked out."""
    rubric = scheme["rubric"]
    target = D(rubric["pass_mark"])
    if total >= target:
        return None
    per_item = options if options is not None else \
        [item_options(bundle, item, flat, facts, vocab, i) for i, item in enumerate(rubric["items"])]
    reachable, picks = _search(per_item, target - total)
    # Rubric order; spend first when a local share of it follows. The changes are
    # worked out in this order on the profile as changed so far: apply them in order.
    needs_spend = any(o.requires for o in picks)
    work, work_facts, steps = dict(flat), facts, []
    for o in sorted(picks, key=lambda o: (0 if needs_spend and o.provides else 1, o.index)):
        change = solve(bundle, {"all": o.rules}, work, work_facts)
        if not change:
            continue  # pragma: no cover - solved once already on the same fields
        old = {p: work.get(p) for p in change}
        work_facts = facts_after(bundle, work, work_facts, change)
        work.update(change)
        steps.append(_step(bundle, vocab, o, old, change))
    final = derive_facts(bundle, work)[0]
    total_after = sum((item_points(item, final) for item in rubric["items"]), ZERO)
    return {"target": json_number(target), "reachable": total_after >= target,
            "total_after": json_number(total_after), "steps": steps}


_PLANS: dict = {}


def cached_rubric_plan(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal,
                       *, options: list[list[Option]]) -> dict | None:
    """rubric_plan, remembered by its items' options (remembered lists: the same lists read
    the same profile values, so the same plan follows) — an edit elsewhere reuses it."""
    key = (id(scheme), tuple(map(id, options)))
    held = _PLANS.get(key)
    if held is None or held[0] is not scheme or any(a is not b for a, b in zip(held[1], options)):
        if len(_PLANS) > 256:
            _PLANS.clear()
        held = _PLANS[key] = (scheme, tuple(options), rubric_plan(bundle, scheme, flat, facts, vocab, total,
                                                                  options=options))
    plan = held[2]
    if plan is None:
        return None
    return {**plan, "steps": [{**step, "change": {p: (list(v) if isinstance(v, list) else v)
                                                  for p, v in step["change"].items()},
                               "message": dict(step["message"])} for step in plan["steps"]]}


def item_gap(bundle: dict, vocab: Vocabulary, options: list[Option], flat: dict) -> dict | None:
    """The cheapest way to add points to one item (the least effort, then the smallest
    gain), as a gap: {item, points, change, zh, en}. None when the item cannot rise on
    its own (a local share of spend there is none of: the spend's gap says that)."""
    options = [o for o in options if not o.requires]
    if not options:
        return None
    o = min(options, key=lambda o: o.cost)
    step = _step(bundle, vocab, o, {p: flat.get(p) for p in o.change}, o.change)
    return {"item": step["item"], "points": step["points"], "change": step["change"], **step["message"]}


_GAPS: dict = {}


def cached_item_gap(bundle: dict, vocab: Vocabulary, options: list[Option], flat: dict) -> dict | None:
    """item_gap, remembered with the options it comes from (the same options read the same
    profile values)."""
    key = id(options)
    held = _GAPS.get(key)
    if held is None or held[0] is not options:
        if len(_GAPS) > 2048:
            _GAPS.clear()
        held = _GAPS[key] = (options, item_gap(bundle, vocab, options, flat))
    gap = held[1]
    return None if gap is None else {**gap, "change": dict(gap["change"])}


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
