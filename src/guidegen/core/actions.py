"""What an enterprise can act on, where each fact comes from, and the smallest
change of the profile that makes a rule pass.

The enterprise section of the question schema (industry, sector, size, place,
registration date, legal status) and the declarations say what the enterprise
*is*: advice never changes them. Everything else — spend, maturity, scenes,
titles, patents, activities, team, technologies — it can act on.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from .derivations import DERIVED_FROM, profile_inputs
from .facts import derive_facts
from .profile import field_index, option_values
from .rules import PASS, rule_status, _resolve

__all__ = ["FIXED_SECTIONS", "inputs_of", "actionable", "derivation_input", "fields_of", "solve", "solve_with_facts", "facts_after",
           "SHARE_TOTAL"]

FIXED_SECTIONS = frozenset({"enterprise", "constraints"})  # constraints: what the enterprise sets for plans
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

CORE, LOCAL_CORE = "investment_wan.core_equipment", "investment_wan.local_core_equipment"
SERVICES, LOCAL_SERVICES = "investment_wan.services", "investment_wan.local_services"

# The derived facts and what each is worked out from: core/derivations.py (DERIVED_FROM).


# A local share needs spend of its kind first: the plan may add that spend in another step.
SHARE_TOTAL = {"derived.local_equipment_share": CORE, "derived.local_service_share": SERVICES}


def inputs_of(path: str) -> tuple:
    """The profile questions a fact is read from: field paths, ``scenes.GUIDE``,
    ``support_elements``, ``declarations.ID``. A profile field is its own input."""
    return profile_inputs(path)


def derivation_input(path: str) -> bool:
    """True when changing ``path`` changes a derived fact (so facts must be derived again)."""
    return path.startswith(("scenes.", "enterprise.", "investment_wan.")) or path == "support_elements"


def actionable(bundle: dict, path: str) -> bool:
    """May advice change this profile path? Never the enterprise section or a declaration."""
    if path.startswith("scenes.") or path == "support_elements":
        return True
    if path.startswith("declarations."):
        return False
    sections = _sections(bundle)
    return path in sections and sections[path] not in FIXED_SECTIONS


_CACHE: dict = {}


def _schema(bundle: dict) -> tuple[dict, dict]:
    """(field by path, section id by path), built once per bundle."""
    key = (id(bundle), bundle.get("version"))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = (field_index(bundle),
                       {f["path"]: s["id"] for s in bundle["profile"]["sections"] for f in s["fields"]})
    return _CACHE[key]


def fields_of(bundle: dict) -> dict:
    return _schema(bundle)[0]


def _sections(bundle: dict) -> dict:
    return _schema(bundle)[1]


class Overlay:
    """Facts with a few changed values on top, read without copying the rest."""
    __slots__ = ("top", "base")

    def __init__(self, top: dict, base):
        self.top, self.base = top, base

    def get(self, key, default=None):
        return self.top[key] if key in self.top else self.base.get(key, default)

    def __getitem__(self, key):
        return self.top[key] if key in self.top else self.base[key]

    def __contains__(self, key):
        return key in self.top or key in self.base


def facts_after(bundle: dict, flat: dict, facts, change: dict):
    """The facts once ``change`` is applied; derived again only when a derivation input
    changed, else the changed values laid over the facts."""
    if any(derivation_input(p) for p in change):
        return derive_facts(bundle, {**flat, **change})[0]
    return Overlay(change, facts)


def solve(bundle: dict, rule: dict, flat: dict, facts: dict | None = None) -> dict | None:
    """The smallest change {profile path: new value} found that makes ``rule`` pass
    by changing only what the enterprise can act on; {} when it already passes;
    None when no such change exists (a declaration, the sector, the place, …)."""
    found = solve_with_facts(bundle, rule, flat, facts)
    return None if found is None else found[0]


def solve_with_facts(bundle: dict, rule: dict, flat: dict, facts: dict | None = None):
    """solve(), with the facts once the change is made: (change, facts) or None."""
    work = dict(flat)
    facts = facts if facts is not None else derive_facts(bundle, work)[0]
    ok, facts = _make_pass(bundle, rule, work, facts)
    if not ok or rule_status(rule, facts) != PASS:
        return None
    return {p: v for p, v in work.items() if flat.get(p) != v}, facts


def _make_pass(bundle, rule, work, facts):
    if rule_status(rule, facts) == PASS:
        return True, facts
    if "all" in rule:
        for part in rule["all"]:
            ok, facts = _make_pass(bundle, part, work, facts)
            if not ok:
                return False, facts
        return True, facts
    if "any" in rule:
        for part in rule["any"]:
            trial = dict(work)
            ok, new_facts = _make_pass(bundle, part, trial, facts)
            if ok:
                work.clear()
                work.update(trial)
                return True, new_facts
        return False, facts
    if "compare" not in rule:  # a declaration or a negation: nothing to act on
        return False, facts
    before = dict(work)
    if not _set_compare(bundle, rule, work, facts):
        return False, facts
    changed = {p: v for p, v in work.items() if before.get(p) != v}
    return True, facts_after(bundle, before, facts, changed)


def _set_compare(bundle, rule, work, facts) -> bool:
    path, op = rule["compare"], rule["op"]
    expected = _resolve(rule.get("value"), facts)
    fields = fields_of(bundle)
    if path in fields:
        return actionable(bundle, path) and _set_field(bundle, fields[path], op, expected, work, facts or {})
    if path == "derived.investment_total_wan" and op in (">=", ">"):
        return _raise_spend(work, Decimal(str(expected)) + (CENT if op == ">" else 0) - (facts.get(path) or 0))
    if path == "derived.local_equipment_share" and op in (">=", ">"):
        return _raise_share(work, CORE, LOCAL_CORE, Decimal(str(expected)), op == ">")
    if path == "derived.local_service_share" and op in (">=", ">"):
        return _raise_share(work, SERVICES, LOCAL_SERVICES, Decimal(str(expected)), op == ">")
    if path.startswith("coverage."):
        return _cover(bundle, path, op, expected, work, facts)
    return False


def _set_field(bundle, f, op, expected, work, facts=None) -> bool:
    path, kind, current = f["path"], f["type"], work.get(f["path"])
    if kind in ("integer", "number") and op in (">=", ">", "=="):
        new = Decimal(str(expected))
        if op == ">":
            new += 1 if kind == "integer" else CENT
        if kind == "integer":
            new = new.to_integral_value(rounding=ROUND_CEILING)
        if ("max" in f and new > Decimal(str(f["max"]))) or ("min" in f and new < Decimal(str(f["min"]))):
            return False
        if op != "==" and current is not None and current >= new:
            return True
        work[path] = int(new) if kind == "integer" else new
        return True
    if kind == "boolean" and op in ("==", "!=") and isinstance(expected, bool):
        work[path] = expected if op == "==" else not expected
        return True
    allowed = option_values(bundle, f)
    if kind == "choice" and op == "==" and expected in allowed:
        work[path] = expected
        return True
    if kind == "choice" and op == "in":
        pick = next((v for v in expected if v in allowed), None)
        if pick is None:
            return False
        work[path] = pick
        return True
    if kind == "multi-choice":
        held = list(current or [])
        if op == "non-empty":
            # Any item will do: one of the sector's own list when it has one (advice an
            # enterprise of that industry would recognise), else the first.
            listed = [v for key, vals in _sector_lists(facts) for v in vals if v in allowed and v not in held]
            wanted = (listed or [v for v in allowed if v not in held])[:1]
        elif op == "intersects":
            wanted = [v for v in (expected or []) if v in allowed][:1]
        elif op == "includes-all":
            wanted = [v for v in (expected or []) if v not in held]
            if any(v not in allowed for v in wanted):
                return False
        else:
            return False
        if not wanted and op != "includes-all":
            return False
        work[path] = held + [v for v in wanted if v not in held]
        return True
    return False


def _sector_lists(facts):
    return [(key, facts.get(key) or []) for key in ("sector.technologies", "sector.modes")]


def _raise_spend(work, delta) -> bool:
    """Add ``delta`` to the spend: to core equipment (services when only those are given),
    raising the local part in proportion so that no local share falls."""
    if delta <= 0:
        return True
    total, local = (CORE, LOCAL_CORE) if work.get(CORE) is not None or work.get(SERVICES) is None \
        else (SERVICES, LOCAL_SERVICES)
    old = work.get(total) or Decimal(0)
    new = old + delta
    work[total] = new
    if work.get(local) is not None and old > 0:
        work[local] = min(new, (work[local] * new / old).quantize(CENT, rounding=ROUND_CEILING))
    return True


def _raise_share(work, total_path, local_path, percent, strict) -> bool:
    """Raise the local part so that local ÷ total × 100 reaches ``percent`` (the spend stays)."""
    total = work.get(total_path)
    if not total:
        return False  # no spend of that kind: a share needs spend first
    need = (percent * total / HUNDRED).quantize(CENT, rounding=ROUND_CEILING)
    if strict and need * HUNDRED <= percent * total:
        need += CENT
    if need > total:
        return False
    work[local_path] = max(need, work.get(local_path) or Decimal(0))
    return True


def _links(bundle, gid):
    return bundle["guides"][gid]


def _cover(bundle, path, op, expected, work, facts) -> bool:
    """Tick scenes (or support elements) until a coverage fact reaches what the rule asks."""
    parts = path.split(".")
    gid = parts[1]
    if len(parts) > 3 and parts[2] == "support":
        if op not in (">=", ">"):
            return False
        cats = {c["id"]: c for c in bundle["guide_info"][gid].get("support_elements", [])}
        held = list(work.get("support_elements") or [])
        need = int(Decimal(str(expected))) + (1 if op == ">" else 0) - (facts.get(path) or 0)
        extra = [st["id"] for st in cats[parts[3]]["subtypes"] if st["id"] not in held][:max(need, 0)]
        if len(extra) < need:
            return False
        work["support_elements"] = held + extra
        return True
    if gid not in bundle["guides"]:
        return False
    links = _links(bundle, gid)
    chosen = set(work.get(f"scenes.{gid}") or [])
    covered = {link["number"] for link in links for s in link["scenes"] if s["number"] in chosen}

    def add_link(number):
        link = next(l for l in links if l["number"] == number)
        chosen.add(link["scenes"][0]["number"])
        covered.add(number)

    what = parts[2]
    count = (int(Decimal(str(expected))) + (1 if op == ">" else 0)) if op in (">=", ">") else None
    if what == "scenes" and count is not None:
        # New scenes from links not yet covered first: they widen coverage at no extra cost.
        fresh = [l["scenes"][0]["number"] for l in links if l["number"] not in covered]
        rest = [s["number"] for l in links for s in l["scenes"]]
        for n in fresh + rest:
            if len(chosen) >= count:
                break
            chosen.add(n)
        ok = len(chosen) >= count
    elif what == "links" and count is not None:
        for link in links:
            if len(covered) >= count:
                break
            if link["number"] not in covered:
                add_link(link["number"])
        ok = len(covered) >= count
    elif what == "link_numbers" and op in ("includes-all", "intersects"):
        wanted = [n for n in expected if n not in covered]
        for n in (wanted if op == "includes-all" else wanted[:1]):
            add_link(n)
        ok = True
    elif what == "areas" and op in ("includes-all", "intersects"):
        areas = {a["id"]: a for a in bundle["guide_info"][gid].get("areas", [])}
        wanted = [a for a in expected if a in areas and not set(areas[a]["links"]) & covered]
        for a in (wanted if op == "includes-all" else wanted[:1]):
            add_link(areas[a]["links"][0])
        ok = all(a in areas for a in expected)
    elif what == "sector_key_links" and count is not None:
        sector = facts.get("derived.sector")
        keys = bundle["sectors"][sector].get("key_links") or [] if sector else []
        for n in keys:
            if len(set(keys) & covered) >= count:
                break
            if n not in covered:
                add_link(n)
        ok = len(set(keys) & covered) >= count
    else:
        ok = False
    if ok:
        work[f"scenes.{gid}"] = sorted(chosen)
    return ok
