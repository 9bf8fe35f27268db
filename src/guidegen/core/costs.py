"""What a plan step costs, read from the catalog's cost model (catalogs/plan-costs.yaml).

One cost point is new spend equal to 1 % of the enterprise's own annual revenue; every other
kind of step is priced in that unit (titles by level, counts by number, bands by how many are
climbed), so a route's cost is one number, ``weighted``. Also: the maturity level a score
supports (GB/T 39117-2020 ranges, catalog data) and the warnings a profile earns (a level
above its score, an enterprise-level title entered more than once).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Price", "revenue_of", "spend_limit", "price_change", "level_for_score", "min_score_for_level",
           "profile_warnings", "enterprise_titles"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
LEVEL_NAMES = {1: "municipal", 2: "provincial", 3: "national"}


def _d(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


class Price:
    """The cost of one option or step: new spend (万元), cost points, what kind of thing it asks."""
    __slots__ = ("spend", "weighted", "titles", "counts", "bands", "later_call")

    def __init__(self, spend=ZERO, weighted=ZERO, titles=0, counts=0, bands=0, later_call=False):
        self.spend, self.weighted, self.titles, self.counts = spend, weighted, titles, counts
        self.bands, self.later_call = bands, later_call

    def __add__(self, other: "Price") -> "Price":
        return Price(self.spend + other.spend, self.weighted + other.weighted, self.titles + other.titles,
                     self.counts + other.counts, self.bands + other.bands, self.later_call or other.later_call)

    def as_json(self, revenue: Decimal | None = None) -> dict:
        out = {"spend_wan": _num(self.spend), "titles": self.titles, "counts": self.counts,
               "weighted": _num(self.weighted.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize())}
        if revenue:
            out["spend_share"] = _num((self.spend * HUNDRED / revenue).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        if self.later_call:
            out["later_call"] = True
        return out


def _num(d: Decimal):
    d = d.normalize() if d != 0 else ZERO
    return int(d) if d == d.to_integral_value() else float(d)


def costs_of(bundle: dict) -> dict | None:
    return bundle.get("plan_costs")


def revenue_of(bundle: dict, flat: dict) -> tuple[Decimal, bool]:
    """(the revenue spend is weighed against, whether the enterprise gave it)."""
    given = flat.get("enterprise.revenue_wan")
    if given is not None and _d(given) > 0:
        return _d(given), True
    return _d(costs_of(bundle)["spend"]["assumed_revenue_wan"]), False


def spend_limit(bundle: dict, flat: dict) -> tuple[Decimal, str]:
    """(the most new spend a route may add, why): the enterprise's budget, else the catalog's
    share of revenue."""
    budget = flat.get("constraints.budget_wan")
    if budget is not None:
        return _d(budget), "budget"
    share = _d(costs_of(bundle)["spend"]["max_share_of_revenue"])
    return revenue_of(bundle, flat)[0] * share / HUNDRED, "share"


def _tables(bundle: dict) -> dict:
    c = costs_of(bundle)
    key = id(c)
    held = _TABLES.get(key)
    if held is None or held[0] is not c:
        _TABLES.clear()
        held = _TABLES[key] = (c, {
            "counts": {r["path"]: _d(r["each"]) for r in c["counts"]},
            "bands": {r["fact"]: _d(r["each"]) for r in c["bands"]},
            "spend": set(c["spend"]["paths"]),
            "titles": {rank: _d(c["titles"][name]) for rank, name in LEVEL_NAMES.items()},
        })
    return held[1]


_TABLES: dict = {}


def price_change(bundle: dict, rank, item: dict, base: dict, change: dict, climbed: int, revenue: Decimal) -> Price:
    """The price of ``change`` (applied to ``base``) raising ``item`` by ``climbed`` bands,
    options or tiers. ``rank(path, value)`` is the title level of a field (0: not a title)."""
    c, t = costs_of(bundle), _tables(bundle)
    price = Price()
    spend = sum((_d(v) - _d(base.get(p) or 0) for p, v in change.items() if p in t["spend"]), ZERO)
    if spend > 0:
        price.spend = spend
        price.weighted += spend * HUNDRED / revenue * _d(c["spend"]["per_percent_of_revenue"])
    sc = item["scoring"]
    fact = sc.get("fact")
    if fact in t["bands"]:
        price.weighted += t["bands"][fact] * climbed
        price.bands += climbed
        return price
    for path, new in change.items():
        if path in t["spend"] or path.startswith("investment_wan."):
            continue
        old = base.get(path)
        if path.startswith("scenes."):
            added = len(set(new) - set(old or []))
            price.weighted += _d(c["scenes"]["each"]) * added
            price.bands += added
        elif path in t["counts"]:
            n = int(new) - int(old or 0)
            price.weighted += t["counts"][path] * n
            price.counts += n
        elif rank(path, new if isinstance(new, str) else None):
            level = rank(path, new if isinstance(new, str) else None)
            n = (int(new) - int(old or 0)) if isinstance(new, int) and not isinstance(new, bool) else 1
            price.weighted += t["titles"][level] * n
            price.titles += n
            price.later_call = True
        elif isinstance(new, list):
            added = len(set(new) - set(old or []))
            price.weighted += _d(c["items"]["each"]) * added
            price.counts += added
        elif isinstance(new, bool):
            price.weighted += _d(c["yes_no"]["each"])
            price.bands += 1
        else:
            price.weighted += _d(c["items"]["each"]) * max(climbed, 1)
            price.bands += max(climbed, 1)
    return price


# ---------------------------------------------------------------- maturity and warnings

def _levels(bundle: dict) -> list:
    return (bundle.get("maturity_levels") or {}).get("levels") or []


def level_for_score(bundle: dict, score) -> int:
    """The highest level whose lowest score ``score`` reaches (0 below level 1)."""
    level = 0
    for row in _levels(bundle):
        if _d(score) >= _d(row["min_score"]):
            level = row["level"]
    return level


def min_score_for_level(bundle: dict, level) -> Decimal | None:
    for row in _levels(bundle):
        if row["level"] == level:
            return _d(row["min_score"])
    return None


def enterprise_titles(bundle: dict) -> list:
    c = costs_of(bundle)
    return list(c["enterprise_titles"]["paths"]) if c else []


def profile_warnings(bundle: dict, flat: dict, label) -> list[dict]:
    """A maturity level above what its score supports; an enterprise-level title entered more than
    once. ``label(path, lang)`` names a field. The rubric still scores what was entered (the
    title once)."""
    out = []
    level, score = flat.get("maturity.level"), flat.get("maturity.score")
    if level is not None and score is not None and _levels(bundle):
        supported = level_for_score(bundle, score)
        if int(level) > supported:
            lowest = min_score_for_level(bundle, int(level))
            std = bundle["maturity_levels"]["standard"]
            out.append({"field": "maturity.level", "kind": "maturity-above-score", "message": {
                "zh": f"成熟度自评估得分{_num(_d(score))}分对应{supported}级（{std['zh']}）；所填{level}级要求得分不低于{_num(lowest)}分。"
                      "请核对自评估结果；认定标准仍按所填等级计分。",
                "en": f"A self-assessment score of {_num(_d(score))} is level {supported} ({std['en']}); level {level} needs a score "
                      f"of at least {_num(lowest)}. Check the self-assessment; the rubric still scores the level entered."}})
    for path in enterprise_titles(bundle):
        n = flat.get(path)
        if n is not None and not isinstance(n, bool) and n > 1:
            out.append({"field": path, "kind": "title-once", "message": {
                "zh": f"“{label(path, 'zh')}”是企业级称号，一家企业只会被评定一次：填写的{n}个按1个计分。",
                "en": f"“{label(path, 'en')}” is an enterprise-level title, given to an enterprise once: the {n} entered score as one."}})
    return out
