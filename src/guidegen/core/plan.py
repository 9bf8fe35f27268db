"""Routes from a rubric total to the pass mark (issue #23): `claim`, `least-cost`, `fewest-steps`.

A step raises one rubric item — to a higher band, option or tier, or by more of one count (and the
flat points beside it) — by changing profile fields the enterprise can act on (core/actions.py).
Items read disjoint fields, and more spend keeps its local shares (see actions), so an item's gain
does not depend on the other steps: each search is exact over these options, a knapsack over
items with at most one option each, the state being the points gained so far (capped at what is
needed). Two dependencies are kept: a local share of spend there is none of can be raised only in
a route that adds that spend; the maturity level and score (two items, GB/T 39117-2020 ranges in
catalogs/plan-costs.yaml) are one group whose options keep the level within what the score
supports — level and score rise together, the score first. Enterprise-level titles count at
most once (the rubric counts carry `once`), so no option asks for a second.

Every option is priced by the catalog's cost model (core/costs.py): cost points, new spend,
titles (won only at a later call), counts. No route adds spend above the enterprise's budget
(`constraints.budget_wan`); without one, above the catalog's share of revenue unless no route
within it reaches the mark (then the route says so).

- `fewest-steps`: the fewest steps; among those the least effort, summed over the steps: a band,
  option or tier climbed counts 1 each; a title or award counts its level — municipal 1,
  provincial 2, national 3 (read from the field or option id, else its Chinese label: 国家 / 省 /
  市级) — and anything else 1 (a patent, an event, a partner, a scene, a technology, a yes);
  then the fewest points beyond what is needed; then the earlier item in the rubric.
- `least-cost`: the fewest cost points (claims cost none), then as `fewest-steps`.
- `claim`: only what may already be true — an unanswered yes/no title, or a scene of a `same` /
  `renamed` crosswalk row whose other scene is ticked under the other guide (never a declined
  scene): the fewest claims. It changes a profile only when the user confirms.

`plan` is the first reachable of the three (else the best `fewest-steps` reaches).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal

from .actions import (CORE, SERVICES, SHARE_TOTAL, actionable, facts_after, fields_of, inputs_of, solve,
                      solve_with_facts)
from .costs import Price, costs_of, level_for_score, min_score_for_level, price_change, revenue_of, spend_limit
from .facts import derive_facts
from .itemized import itemized_change
from .questions import item_facts
from .rubric import D, item_points, json_number
from .rules import PASS, Vocabulary, fmt, rule_status

__all__ = ["rubric_plan", "rubric_plans", "cached_rubric_plans", "ROUTES", "cached_rubric_plan", "item_options", "cached_item_options", "item_gap", "cached_item_gap", "apply_change", "title_rank", "describe_change"]

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


ROUTES = ("claim", "least-cost", "fewest-steps")
LEVEL_PATH, SCORE_PATH = "maturity.level", "maturity.score"
CLAIM_RELATIONS = ("same", "renamed")


class Option:
    """One way to raise one item (or the maturity group): the rules that make it so, the change
    they need, the points gained, the effort, the price (core/costs.py); ``requires``/``provides``:
    spend paths that must be / are made positive (a local share of spend not yet made);
    ``nsteps``: the steps it takes (2 when level and score both rise), ``parts`` those steps'
    options; ``claim``: a claim (``confirm``: what the user confirms)."""
    __slots__ = ("item", "index", "rules", "change", "gain", "effort", "requires", "provides", "price", "nsteps",
                 "parts", "claim", "confirm")

    def __init__(self, item, index, rules, change, gain, effort, requires=frozenset(), price=None, nsteps=1,
                 parts=None, claim=False, confirm=None):
        self.item, self.index, self.rules, self.change = item, index, rules, change
        self.gain, self.effort, self.requires = gain, effort, requires
        self.provides = frozenset(p for p in (CORE, SERVICES) if change.get(p) and not requires)
        self.price = price if price is not None else Price(weighted=Decimal(effort))
        self.nsteps, self.parts, self.claim, self.confirm = nsteps, parts, claim, confirm

    @property
    def cost(self):
        return (self.effort, self.gain)


class Options(list):
    """An item's options pruned by effort (gaps and the old single plan), with ``all``: every
    candidate found, priced (the routes prune them under their own objective and spend limit)."""
    __slots__ = ("all",)


def _climbed(sc, before, after) -> int:
    if sc["kind"] == "banded":
        return sum(1 for b in sc["bands"] if before < D(b["points"]) <= after)
    if sc["kind"] == "choice":
        return sum(1 for o in sc["options"] if before < D(o["points"]) <= after)
    if sc["kind"] == "tiers":
        return sum(1 for t in sc["tiers"] if before < D(t["points"]) <= after) or 1
    return 0


def _count_moves(bundle, vocab, sc, flat, room, revenue):
    """(change, rules) for k more of one count. k more of a count is left out when another count
    gives the same points with no more effort and no higher price. An enterprise-level title
    (``once``) is never asked for above one."""
    kinds = []
    for i, c in enumerate(sc.get("counts", [])):
        if not actionable(bundle, c["fact"]):
            continue
        now = flat.get(c["fact"]) or 0
        most = max(0, 1 - now) if c.get("once") else None
        unit = _unit_price(bundle, vocab, c["fact"], revenue)
        kinds.append((i, c["fact"], int(D(c["rate"]) * 100), max(1, title_rank(bundle, vocab, c["fact"], None)), unit,
                      most, now))
    room = int((room * 100).to_integral_value(rounding="ROUND_CEILING"))
    moves = [({}, [])]
    for i, path, rate, weight, unit, most, now in kinds:
        others = [(j, rate2, weight2, unit2, most2) for j, _, rate2, weight2, unit2, most2, _ in kinds if j != i and rate2 > 0]
        top = -(-room // rate) if rate > 0 else 0
        if most is not None:
            top = min(top, most)
        for k in range(1, top + 1):
            pts = k * rate
            if any(pts % rate2 == 0 and (most2 is None or pts // rate2 <= most2)
                   and (pts // rate2 * weight2, j) < (k * weight, i) and pts // rate2 * unit2 <= k * unit
                   for j, rate2, weight2, unit2, most2 in others):
                continue
            moves.append(({path: now + k}, [{"compare": path, "op": ">=", "value": now + k}]))
    return moves


def _unit_price(bundle, vocab, path, revenue) -> Decimal:
    if not costs_of(bundle):
        return Decimal(max(1, title_rank(bundle, vocab, path, None)))
    fake = {"scoring": {"kind": "per-count"}}
    return price_change(bundle, lambda p, v: title_rank(bundle, vocab, p, v), fake, {}, {path: 1}, 0, revenue).weighted


def _price(bundle, vocab, item, base, change, before, after, revenue) -> Price | None:
    if not costs_of(bundle):
        return None
    return price_change(bundle, lambda p, v: title_rank(bundle, vocab, p, v), item, base, change,
                        _climbed(item["scoring"], before, after), revenue)


def item_options(bundle: dict, item: dict, flat: dict, facts: dict, vocab: Vocabulary, index: int = 0) -> Options:
    """Every way found to raise ``item`` (``.all``), and the cheapest in effort per number of
    points gained (the list itself)."""
    before = item_points(item, facts)
    room = D(item["max"]) - before
    out = Options()
    out.all = []
    if room <= 0:
        return out
    revenue = revenue_of(bundle, flat)[0] if costs_of(bundle) else None
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
            for cc, cr in _count_moves(bundle, vocab, sc, base, room, revenue):
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
        o = Option(item, index, rules, change, gain, _effort(bundle, vocab, item, base, change, before, after), requires,
                   _price(bundle, vocab, item, base, change, before, after, revenue))
        out.all.append(o)
        if gain not in best or o.cost < best[gain].cost:
            best[gain] = o
    # An option that gains less for more effort is never part of a cheapest plan (one that
    # gains less for the same effort may be: it overshoots less).
    least = None
    for gain in sorted(best, reverse=True):
        o = best[gain]
        if least is None or o.effort <= least:
            out.append(o)
            least = o.effort
    return out


_OPTIONS: dict = {}
_INPUTS: dict = {}


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def cached_item_options(bundle: dict, item: dict, flat: dict, facts: dict, vocab: Vocabulary, index: int = 0):
    """item_options, remembered by the profile fields the item is read from (and the revenue
    that prices spend): while someone fills in the calculator, one edit changes the options of
    one or two items only."""
    held = _INPUTS.get(id(item))
    if held is None or held[0] is not item:
        paths = {p for fact in item_facts(item) for p in inputs_of(fact)}
        if any(p.startswith("investment_wan.") for p in paths):  # more spend raises its local part
            paths |= {p for p in fields_of(bundle) if p.startswith("investment_wan.")}
        paths.add("enterprise.revenue_wan")
        if paths & {LEVEL_PATH, SCORE_PATH}:  # level and score move together: each item's options, gap and plan read both
            paths |= {LEVEL_PATH, SCORE_PATH}
        # one title, two fields (facts._implied_titles): an answer that implies a field read here is read too
        paths |= {p for p, f in fields_of(bundle).items() if any(i.get("path") in paths for i in f.get("implies") or ())}
        held = _INPUTS[id(item)] = (item, tuple(sorted(paths)))
    key = (id(item), index, tuple(_frozen(flat.get(p)) for p in held[1]))
    found = _OPTIONS.get(key)
    if found is None or found[0] is not item or found[1] is not bundle:
        if len(_OPTIONS) > 1024:
            _OPTIONS.clear()
        found = _OPTIONS[key] = (item, bundle, item_options(bundle, item, flat, facts, vocab, index))
    return found[2]


# ---------------------------------------------------------------- maturity: level and score together

def _maturity_items(rubric) -> tuple:
    """(index of the level item, index of the score item), or None when the rubric has not both."""
    li = next((i for i, it in enumerate(rubric["items"]) if it["scoring"].get("fact") == LEVEL_PATH
               and it["scoring"]["kind"] == "banded"), None)
    si = next((i for i, it in enumerate(rubric["items"]) if it["scoring"].get("fact") == SCORE_PATH
               and it["scoring"]["kind"] == "banded"), None)
    return None if li is None or si is None else (li, si)


def _maturity_group(bundle, vocab, rubric, pair, lopts, sopts, flat, facts) -> list[Option]:
    """The options of the maturity group: the score alone; the level alone where the score held
    already supports it; or both (two steps, the score first) with a score that supports the level."""
    li, si = pair
    s_item = rubric["items"][si]
    score0 = flat.get(SCORE_PATH)
    out = list(sopts)
    held_level = level_for_score(bundle, score0) if score0 is not None else 0
    for lo in lopts:
        level = lo.change.get(LEVEL_PATH)
        if level is None:
            continue
        if held_level >= level:
            out.append(lo)
            continue
        scores = [so for so in sopts if level_for_score(bundle, so.change[SCORE_PATH]) >= level]
        lowest = min_score_for_level(bundle, level)
        if lowest is not None and not any(D(so.change[SCORE_PATH]) == lowest for so in sopts):
            extra = _score_at(bundle, vocab, s_item, si, flat, facts, lowest)
            if extra is not None:
                scores.append(extra)
        for so in scores:
            out.append(Option(lo.item, lo.index, so.rules + lo.rules, {**so.change, **lo.change}, so.gain + lo.gain,
                              so.effort + lo.effort, frozenset(), so.price + lo.price, 2, (so, lo)))
    return out


def _score_at(bundle, vocab, item, index, flat, facts, score) -> Option | None:
    rule = [{"compare": SCORE_PATH, "op": ">=", "value": score}]
    found = solve_with_facts(bundle, {"all": rule}, flat, facts)
    if not found or not found[0]:
        return None
    before, after = item_points(item, facts), item_points(item, found[1])
    revenue = revenue_of(bundle, flat)[0] if costs_of(bundle) else None
    price = _price(bundle, vocab, item, flat, found[0], before, after, revenue)
    if price is not None and price.bands == 0:  # within one band: still a new self-assessment
        price = price + Price(weighted=D(next(r["each"] for r in costs_of(bundle)["bands"] if r["fact"] == SCORE_PATH)), bands=1)
    return Option(item, index, rule, found[0], after - before, max(1, _climbed(item["scoring"], before, after)),
                  frozenset(), price)


# ---------------------------------------------------------------- claims

def _declined(flat: dict, gid: str) -> set:
    held = flat.get(f"scenes_declined.{gid}")
    if held is None and isinstance(flat.get("scenes_declined"), dict):
        held = flat["scenes_declined"].get(gid)
    return set(held or [])


def crosswalk_claims(bundle: dict, flat: dict, gid: str) -> dict:
    """Scenes of guide ``gid`` that may already be true: each the other side of a `same` or
    `renamed` crosswalk row whose scene is ticked under the other guide, not ticked here and
    not declined (`scenes_declined.GUIDE`). {scene: (other guide, other scene)}."""
    ticked = set(flat.get(f"scenes.{gid}") or [])
    declined = _declined(flat, gid)
    out: dict = {}
    for row in bundle.get("crosswalk") or []:
        if row["relation"] not in CLAIM_RELATIONS or len(row["to"]) != 1 or row.get("flagged"):
            continue
        a = (row["from"]["guide"], row["from"]["scene"])
        b = (row["to"][0]["guide"], row["to"][0]["scene"])
        for (g1, n1), (g2, n2) in ((a, b), (b, a)):
            if g1 == gid and n1 not in ticked and n1 not in declined and n2 in set(flat.get(f"scenes.{g2}") or []):
                out.setdefault(n1, (g2, n2))
    return out


def _claim_options(bundle, vocab, rubric, flat, facts) -> dict:
    """{item index: the claim option}: the most points claims give the item, with the fewest
    claims found (a claim that adds nothing is dropped)."""
    out = {}
    fields = fields_of(bundle)
    for index, item in enumerate(rubric["items"]):
        before = item_points(item, facts)
        if before >= D(item["max"]):
            continue
        sc = item["scoring"]
        if sc["kind"] == "per-count":
            for f in sc.get("flats", []):
                for leaf in _leaves(f["when"]):
                    path = leaf.get("compare")
                    fld = fields.get(path)
                    if (fld is None or fld["type"] != "boolean" or leaf.get("op") != "==" or leaf.get("value") is not True
                            or flat.get(path) is not None or not title_rank(bundle, vocab, path, None)):
                        continue
                    change = {path: True}
                    gain = item_points(item, facts_after(bundle, flat, facts, change)) - before
                    if gain > 0 and (index not in out or gain > out[index].gain):
                        out[index] = Option(item, index, [], change, gain, 0, frozenset(), Price(), claim=True,
                                            confirm={path: True})
            continue
        guides = sorted({f.split(".")[1] for f in item_facts(item) if f.startswith("coverage.")})
        for gid in guides:
            claims = crosswalk_claims(bundle, flat, gid)
            if not claims:
                continue
            path = f"scenes.{gid}"
            held = list(flat.get(path) or [])

            def points(extra):
                return item_points(item, facts_after(bundle, flat, facts, {path: sorted(set(held) | set(extra))}))
            chosen = sorted(claims)
            top = points(chosen)
            if top <= before:
                continue
            for n in list(reversed(chosen)):
                trial = [m for m in chosen if m != n]
                if points(trial) >= top:
                    chosen = trial
            change = {path: sorted(set(held) | set(chosen))}
            out[index] = Option(item, index, [], change, top - before, 0, frozenset(), Price(), claim=True,
                                confirm={path: chosen})
    return out


def _leaves(rule):
    if "compare" in rule:
        yield rule
    for part in rule.get("all", rule.get("any", [])):
        yield from _leaves(part)


# ---------------------------------------------------------------- the searches

def _prune(options: list[Option], key) -> list[Option]:
    """Per number of steps and points gained the cheapest under ``key``; then, per number of
    steps, an option that gains less for a higher first key is dropped."""
    best: dict = {}
    for o in options:
        k = (o.nsteps, o.gain, o.requires)
        if k not in best or key(o) < key(best[k]):
            best[k] = o
    kept = []
    for n, req in sorted({(k[0], k[2]) for k in best}, key=lambda x: (x[0], sorted(x[1]))):
        least = None
        for gain in sorted((k[1] for k in best if k[0] == n and k[2] == req), reverse=True):
            o = best[(n, gain, req)]
            if least is None or key(o)[0] <= least:
                kept.append(o)
                least = key(o)[0]
    return kept


def _tops(opts) -> list[int]:
    """Upper bounds on what one, two … steps of this item give (in hundredths)."""
    one = max((int(o.gain * 100) for o in opts if o.nsteps == 1), default=0)
    two = max((int(o.gain * 100) for o in opts if o.nsteps == 2), default=None)
    return [one] if two is None else [one, max(two - one, 0)]


def _search(options_per_item: list[list[Option]], need: Decimal, objective: str = "steps"):
    """The route reaching ``need`` points: the fewest steps (then the least effort, the fewest
    points, the earliest items), or with objective "price" the fewest cost points first.

    Points are counted in hundredths as integers (fast under Pyodide); a state is the points
    gained so far, capped at ``need``, with the spend paths made positive. Items that add spend
    go first so that a local share of that spend can follow."""
    items = [opts for opts in options_per_item if opts]
    items.sort(key=lambda opts: 0 if any(o.provides for o in opts) else 1)
    hundred = Decimal(100)
    goal = int((need * hundred).to_integral_value(rounding="ROUND_CEILING"))
    moves = [[(int(o.gain * hundred), o) for o in opts] for opts in items]
    tops = [_tops(opts) for opts in items]
    rest = []
    for i in range(len(moves) + 1):
        acc, sums = 0, [0]
        for top in sorted((t for ts in tops[i:] for t in ts), reverse=True):
            acc += top
            sums.append(acc)
        rest.append(sums)

    def reachable_within(i, state, steps, limit):
        if limit is None:
            return rest[i][-1] >= goal - state
        left = limit - steps
        if left < 0:
            return False
        sums = rest[i]
        return sums[min(left, len(sums) - 1)] >= goal - state

    def best_route(limit):
        none = frozenset()
        zero = (Decimal(0), 0, 0, 0) if objective == "price" else (0, 0, 0)
        best = {(0, none): (zero, ())}
        for i, options in enumerate(moves):
            # Not taking this item comes first, so that on equal cost the earlier item stays.
            nxt = {key: held for key, held in best.items()
                   if key[0] >= goal or reachable_within(i + 1, key[0], held[0][-3], limit)}
            for (state, made), (cost, picks) in best.items():
                if state >= goal:
                    continue
                steps = cost[-3]
                for gain, o in options:
                    if o.requires and not o.requires <= made:
                        continue
                    if limit is not None and steps + o.nsteps > limit:
                        continue
                    s2 = state + gain
                    if s2 < goal and not reachable_within(i + 1, s2, steps + o.nsteps, limit):
                        continue
                    key = (min(s2, goal), made | o.provides if o.provides else made)
                    tail = (steps + o.nsteps, cost[-2] + o.effort, cost[-1] + gain)
                    c2 = (cost[0] + o.price.weighted,) + tail if objective == "price" else tail
                    old = nxt.get(key)
                    if old is None or c2 < old[0]:
                        nxt[key] = (c2, picks + (o,))
            best = _pareto(nxt)
        done = [held for (state, _), held in best.items() if state >= goal]
        return min(done, key=lambda held: held[0])[1] if done else None

    if objective == "price":
        picks = best_route(None)
        if picks is not None:
            return True, picks
    else:
        fewest, got = 0, 0
        for top in sorted((t for ts in tops for t in ts), reverse=True):
            if got >= goal:
                break
            got, fewest = got + top, fewest + 1
        # A local share that needs spend may make the bound too low: then one step more.
        for limit in range(fewest, sum(len(t) for t in tops) + 1):
            picks = best_route(limit)
            if picks is not None:
                return True, picks
    # Unreachable: every item as high as it goes, each by its cheapest way there.
    pick = (lambda o: (o.gain, -o.price.weighted, -o.effort)) if objective == "price" else (lambda o: (o.gain, -o.effort))
    picks = [max((o for o in opts if not o.requires), key=pick) for opts in items if any(not o.requires for o in opts)]
    made = frozenset().union(*(o.provides for o in picks))
    picks += [max((o for o in opts if o.requires), key=pick) for opts in items
              if not any(not o.requires for o in opts) and any(o.requires <= made for o in opts)]
    return False, tuple(picks)


def _pareto(states: dict) -> dict:
    """Drop a state another beats: as many points or more, the same spend made, a cost no higher
    (costs are tuples compared in order; adding the same steps keeps their order, so it can
    never end cheaper)."""
    out, least = {}, {}
    for key in sorted(states, key=lambda k: -k[0]):
        held = states[key]
        low = least.get(key[1])
        if low is not None and not held[0] < low:
            continue
        out[key] = held
        least[key[1]] = held[0] if low is None or held[0] < low else low
    return out


def _route(bundle, vocab, rubric, flat, facts, picks, target, revenue, known) -> dict:
    """Steps in rubric order (spend first when a local share of it follows; the maturity score
    before its level), worked out on the profile as changed so far: apply them in order."""
    needs_spend = any(o.requires for o in picks)
    work, work_facts, steps = dict(flat), facts, []
    for o in sorted(picks, key=lambda o: (0 if needs_spend and o.provides else 1, o.index)):
        for part in (o.parts or (o,)):
            if part.claim or not part.rules:
                change = part.change
            else:
                change = solve(bundle, {"all": part.rules}, work, work_facts)
            if not change:
                continue  # pragma: no cover - solved once already on the same fields
            shown = _itemized(bundle, work, change)
            old = {p: work.get(p) for p in {**change, **shown}}
            work_facts = facts_after(bundle, work, work_facts, change)
            work.update(change)
            work.update({p: v for p, v in shown.items() if p not in change})
            steps.append(_step(bundle, vocab, part, old, shown, revenue if known else None))
    final = derive_facts(bundle, work)[0]
    total_after = sum((item_points(item, final) for item in rubric["items"]), ZERO)
    return {"target": json_number(target), "reachable": total_after >= target,
            "total_after": json_number(total_after), "steps": steps}


def _items_fields(bundle) -> dict:
    return {p: f for p, f in fields_of(bundle).items() if f.get("type") == "items"}


def _itemized(bundle, work, change) -> dict:
    """The change as the profile takes it: where the enterprise itemizes spend or counts
    (issue #25), a step adds list entries instead of setting the plain value beside the list."""
    fields = _items_fields(bundle)
    given = {p: work[p] for p in fields if isinstance(work.get(p), list)}
    if not given:
        return change
    nested: dict = {}
    for p, v in given.items():
        group, _, key = p.partition(".")
        nested.setdefault(group, {})[key] = v
    return itemized_change(fields, nested, change, totals=work)


def _route_cost(steps, revenue) -> dict:
    total = Price()
    for s in steps:
        c = s["cost"]
        total = total + Price(D(c["spend_wan"]), D(c["weighted"]), c["titles"], c["counts"], 0, bool(c.get("later_call")))
    out = total.as_json(revenue)
    out["claims"] = sum(1 for s in steps if s["kind"] == "claim")
    out["steps"] = len(steps)
    return out


_PREPARED: dict = {}


def _prepared(bundle, vocab, scheme, per_item, flat, facts):
    """(every item's candidate options, the maturity items as one group; the claim options),
    remembered like the plans (the same options lists and claimable answers give the same), so
    a new budget re-runs the searches on the same option objects."""
    key = (id(scheme), tuple(map(id, per_item)), _claim_key(flat))
    held = _PREPARED.get(key)
    if held is not None and held[0] is scheme and all(a is b for a, b in zip(held[1], per_item)):
        return held[2], held[3], held[4], held[5]
    rubric = scheme["rubric"]
    cands = [list(getattr(opts, "all", opts)) for opts in per_item]
    pair = _maturity_items(rubric) if bundle.get("maturity_levels") else None
    if pair:
        li, si = pair
        cands[li] = _maturity_group(bundle, vocab, rubric, pair, cands[li], cands[si], flat, facts)
        cands[si] = []
    claims = _claim_options(bundle, vocab, rubric, flat, facts)
    if len(_PREPARED) > 256:
        _PREPARED.clear()
    # The searches' answers, by objective and by how many of the distinct spends a limit admits
    # (a budget typed 3, then 30, admits the same options: the same answer).
    spends = sorted({o.price.spend for opts in cands for o in opts})
    memo: dict = {}
    _PREPARED[key] = (scheme, tuple(per_item), cands, claims, spends, memo)
    return cands, claims, spends, memo


def rubric_plans(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal,
                 *, options: list | None = None) -> dict | None:
    """{"plans": [routes], "plan": the recommended route} for a scheme with a rubric whose total
    is below the pass mark (else None). ``options``: the items' options (item_options, in rubric
    order) when already worked out."""
    rubric = scheme["rubric"]
    target = D(rubric["pass_mark"])
    if total >= target:
        return None
    per_item = options if options is not None else \
        [item_options(bundle, item, flat, facts, vocab, i) for i, item in enumerate(rubric["items"])]
    cands, claims, spends, memo = _prepared(bundle, vocab, scheme, per_item, flat, facts)
    priced = bool(costs_of(bundle))
    revenue, known = revenue_of(bundle, flat) if priced else (None, False)
    limit, why = spend_limit(bundle, flat) if priced else (None, None)
    need = target - total

    def within(lim):
        return [[o for o in opts if lim is None or o.price.spend <= lim] for opts in cands]

    def admits(lim):
        return len(spends) if lim is None else bisect_right(spends, lim)

    def cheapest(lim):
        key = ("price", admits(lim), need)
        if key not in memo:
            lists = within(lim)
            for i, o in claims.items():
                lists[i] = lists[i] + [o]
            memo[key] = _search([_prune(opts, lambda o: (o.price.weighted, o.effort)) for opts in lists], need, "price")
        return memo[key]

    over = False
    least = cheapest(limit)
    if not least[0] and why == "share":
        wider = cheapest(None)
        if wider[0]:
            least, limit, over = wider, None, True
    key = ("steps", admits(limit), need)
    if key not in memo:
        memo[key] = _search([_prune(opts, lambda o: (o.effort,)) for opts in within(limit)], need, "steps")
    fewest = memo[key]
    routes = []
    if claims:
        if ("claim", need) not in memo:
            claim_lists = [[claims[i]] if i in claims else [] for i in range(len(cands))]
            memo[("claim", need)] = _search(claim_lists, need, "steps")
        routes.append(("claim", memo[("claim", need)]))
    routes += [("least-cost", least), ("fewest-steps", fewest)]
    plans = []
    held = (id(scheme), tuple(map(id, per_item)), _claim_key(flat))
    for rid, (reachable, picks) in routes:
        # The same options picked on the same profile give the same steps: a new budget often
        # changes the searches' answer for one route only (the options lists are remembered).
        key = held + (tuple(map(id, picks)), revenue, known)
        route = _ROUTES.get(key)
        if route is None or route[0] is not scheme or any(a is not b for a, b in zip(route[1], per_item)):
            if len(_ROUTES) > 512:
                _ROUTES.clear()
            route = _ROUTES[key] = (scheme, tuple(per_item), tuple(picks),
                                    _route(bundle, vocab, rubric, flat, facts, picks, target, revenue, known))
        route = route[3]
        if not route["steps"] and rid == "claim":
            continue  # nothing to confirm; an empty work route stays: nothing can rise (reachable false)
        sig = [(s["item"], s["kind"], s["change"]) for s in route["steps"]]  # a claim is not the same ask as work
        same = next((p for p in plans if [(s["item"], s["kind"], s["change"]) for s in p["steps"]] == sig), None)
        if same is not None:
            same.setdefault("also", []).append(rid)
            continue
        route = {"id": rid, **route}
        if priced:
            route["cost"] = _route_cost(route["steps"], revenue)
            note = _note(bundle, rid, route, over, why, limit, revenue, known, flat)
            if note:
                route["note"] = note
        plans.append(route)
    order = {rid: i for i, rid in enumerate(ROUTES)}
    recommended = next((p for p in sorted(plans, key=lambda p: order[p["id"]]) if p["reachable"]), None)
    if recommended is None:
        recommended = next((p for p in plans if p["id"] == "fewest-steps" or "fewest-steps" in p.get("also", [])),
                           plans[-1] if plans else None)
    return {"plans": plans, "plan": recommended}


def _note(bundle, rid, route, over, why, limit, revenue, known, flat) -> dict | None:
    parts_zh, parts_en = [], []
    spend = D(route["cost"]["spend_wan"])
    share = costs_of(bundle)["spend"]["max_share_of_revenue"]
    if rid == "claim":
        parts_zh.append("以下只是确认可能已经属实的情况；确认后才计入。" + ("" if route["reachable"] else "仅靠确认达不到分数线。"))
        parts_en.append("These only confirm what may already be true; they count once confirmed."
                        + ("" if route["reachable"] else " Confirmations alone do not reach the mark."))
    if over and spend > 0:
        parts_zh.append(f"新增投入不超过全年营业收入{share}%的路线都达不到分数线；此路线新增投入{fmt(spend)}万元，"
                        f"占营业收入的{route['cost']['spend_share']}%。")
        parts_en.append(f"No route with new spend within {share} % of a year's revenue reaches the mark; this one adds "
                        f"{fmt(spend)} (×10,000 CNY), {route['cost']['spend_share']} % of revenue.")
    if why == "budget" and not route["reachable"] and rid != "claim":
        parts_zh.append(f"在“最多再投入{fmt(D(flat['constraints.budget_wan']))}万元”之内达不到分数线。")
        parts_en.append(f"Within “spend at most {fmt(D(flat['constraints.budget_wan']))} more” the mark is out of reach.")
    if spend > 0 and not known:
        parts_zh.append(f"未填营业收入，投入按营业收入{fmt(revenue)}万元折算。")
        parts_en.append(f"Revenue not given: spend is weighed against a revenue of {fmt(revenue)} (×10,000 CNY).")
    if route["cost"].get("later_call"):
        parts_zh.append("荣誉称号只能在以后的批次中评得。")
        parts_en.append("A title can only be won in a later round.")
    if not parts_zh:
        return None
    return {"zh": "".join(parts_zh), "en": " ".join(parts_en)}


def rubric_plan(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal,
                *, options: list | None = None) -> dict | None:
    """The recommended route (``plan``) alone."""
    plans = rubric_plans(bundle, scheme, flat, facts, vocab, total, options=options)
    return None if plans is None else plans["plan"]


_PLANS: dict = {}
_ROUTES: dict = {}


def _claim_key(flat: dict) -> tuple:
    return tuple(sorted((p, repr(v) if p.startswith("itemized.") else _frozen(v)) for p, v in flat.items()
                        if p.startswith(("scenes.", "scenes_declined", "honors.", "itemized."))
                        or p == "constraints.budget_wan"))


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def cached_rubric_plans(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal,
                        *, options: list) -> dict | None:
    """rubric_plans, remembered by its items' options (remembered lists: the same lists read the
    same profile values), the claimable answers and the budget — an edit elsewhere reuses it."""
    key = (id(scheme), tuple(map(id, options)), _claim_key(flat))
    held = _PLANS.get(key)
    if held is None or held[0] is not scheme or any(a is not b for a, b in zip(held[1], options)):
        if len(_PLANS) > 256:
            _PLANS.clear()
        held = _PLANS[key] = (scheme, tuple(options), rubric_plans(bundle, scheme, flat, facts, vocab, total,
                                                                   options=options))
    if held[2] is None:
        return None
    plans = _copy(held[2]["plans"])
    rec = held[2]["plan"]
    return {"plans": plans, "plan": next(p for p in plans if p["id"] == rec["id"]) if rec else None}


def cached_rubric_plan(bundle: dict, scheme: dict, flat: dict, facts: dict, vocab: Vocabulary, total: Decimal,
                       *, options: list) -> dict | None:
    plans = cached_rubric_plans(bundle, scheme, flat, facts, vocab, total, options=options)
    return None if plans is None else plans["plan"]


def item_gap(bundle: dict, vocab: Vocabulary, options: list[Option], flat: dict) -> dict | None:
    """The cheapest way to add points to one item (the least effort, then the smallest
    gain), as a gap: {item, points, change, zh, en}. None when the item cannot rise on
    its own (a local share of spend there is none of: the spend's gap says that)."""
    options = [o for o in options if not o.requires]
    if bundle.get("maturity_levels"):  # a level its score does not support: the score's gap comes first
        held = level_for_score(bundle, flat[SCORE_PATH]) if flat.get(SCORE_PATH) is not None else 0
        options = [o for o in options if o.change.get(LEVEL_PATH) is None or o.change[LEVEL_PATH] <= held]
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
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # an itemized entry
        return {k: _plain(v) for k, v in value.items()}
    return value


def _kind(option) -> str:
    if option.claim:
        return "claim"
    p = option.price
    if p.spend > 0:
        return "spend"
    if p.titles:
        return "title"
    if p.counts and option.item["scoring"]["kind"] == "per-count":
        return "count"
    return "band"


def _step(bundle, vocab, option, old, change, revenue=None) -> dict:
    item = option.item
    pts = fmt(option.gain)
    kind = _kind(option)
    title = item["title"]
    if option.claim:
        descs = [_claim_text(bundle, vocab, p, old.get(p), v) for p, v in change.items()]
        message = {"zh": f"{title['zh']}（+{pts}分）：" + "；".join(d["zh"] for d in descs),
                   "en": f"{title['en']} (+{pts}): " + "; ".join(d["en"] for d in descs)}
    else:
        descs = [describe_change(bundle, vocab, p, old.get(p), v) for p, v in change.items()]
        later = kind == "title"
        message = {"zh": f"{title['zh']}（+{pts}分）：" + "；".join(d["zh"] for d in descs) + ("（须在以后的批次中评得）" if later else ""),
                   "en": f"{title['en']} (+{pts}): " + "; ".join(d["en"] for d in descs) + (" (to be won in a later round)" if later else "")}
    step = {
        "item": item["id"],
        "points": json_number(option.gain),
        "change": {p: _plain(v) for p, v in change.items()},
        "kind": kind,
        "cost": option.price.as_json(revenue),
        "message": message,
    }
    if option.claim:
        step["confirm"] = {p: _plain(v) for p, v in option.confirm.items()}
    return step


def _claim_text(bundle, vocab, path, old, new) -> dict:
    """A claim in the words the user answers: 确认已实施 / Confirm you have; 如已获得…请勾选 / if you hold …, say so."""
    if path.startswith("scenes."):
        gid = path.split(".", 1)[1]
        names = {s["number"]: s["name"] for link in bundle["guides"][gid] for s in link["scenes"]}
        title = bundle["guide_info"][gid]["title"]
        added = sorted(set(new) - set(old or []))
        return {"zh": f"确认已实施：《{title['zh']}》场景 " + "、".join(f"{n}“{names[n]['zh']}”" for n in added),
                "en": f"Confirm you have: scenes of the {title['en']} " + ", ".join(f"{n} “{names[n]['en']}”" for n in added)}
    return {"zh": f"如已获得“{vocab.label(path, 'zh')}”，请勾选", "en": f"if you hold “{vocab.label(path, 'en')}”, say so"}


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
    if fields_of(bundle).get(path, {}).get("type") == "items":  # an itemized list: the entries added
        added = list(new)[len(old or []):]
        nums = [v for e in added for k, v in e.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        what = {"zh": f"，合计{vocab.show(sum(nums), 'zh')}" if nums else "", "en": f", {vocab.show(sum(nums), 'en')} in all" if nums else ""}
        return {"zh": f"{lab['zh']}增加{len(added)}项（名称待填写{what['zh']}）",
                "en": f"add {len(added)} to {lab['en']} (names to fill in{what['en']})"}
    options = {o["value"]: o["label"] for o in fields_of(bundle).get(path, {}).get("options", [])}
    if options and not isinstance(new, list):  # a choice: its own option labels (ids repeat across fields)
        shown = {lang: (options[old][lang] + " → " if old in options else "") + options[new][lang] for lang in ("zh", "en")}
        return {"zh": f"{lab['zh']}：{shown['zh']}", "en": f"{lab['en']}: {shown['en']}"}
    if isinstance(new, list):
        added = [v for v in new if v not in (old or [])]
        return {"zh": f"{lab['zh']}增加：{vocab.show(added, 'zh')}", "en": f"add to {lab['en']}: {vocab.show(added, 'en')}"}
    if isinstance(new, bool):
        return {"zh": f"{lab['zh']}：{vocab.show(new, 'zh')}", "en": f"{lab['en']}: {vocab.show(new, 'en')}"}
    unit["en"] = vocab.unit(path, "en", new)  # "1 award", "2 awards"
    if old is None:
        return {"zh": f"{lab['zh']}：{vocab.show(new, 'zh')}{unit['zh']}",
                "en": f"{lab['en']}: {vocab.show(new, 'en')}{unit['en']}"}
    return {"zh": f"{lab['zh']}：{vocab.show(old, 'zh')} → {vocab.show(new, 'zh')}{unit['zh']}",
            "en": f"{lab['en']}: {vocab.show(old, 'en')} → {vocab.show(new, 'en')}{unit['en']}"}
