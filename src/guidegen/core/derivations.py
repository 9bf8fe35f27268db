"""Where each fact the rules read comes from: the one derivation table.

``DERIVED_FROM`` maps each fact core/facts.py derives to what it reads directly (profile
fields, or another derived fact); :func:`fact_inputs` adds the coverage facts (from the
ticked scenes, the support elements, the sector); :func:`profile_inputs` follows the
chain down to the questions a person answers. The plan search, the engine's "what is
missing", the edition cutter and the site all read these, never a copy.
"""

from __future__ import annotations

__all__ = ["DERIVED_FROM", "fact_inputs", "profile_inputs", "key_link_guide"]

_SECTOR = ("enterprise.sector", "enterprise.industry_division")
_SIZE = ("enterprise.employees", "enterprise.revenue_wan")
# the place: names or a code, else the division in characters 3-8 of the credit code (core/places.py)
_PLACE = ("enterprise.province", "enterprise.city", "enterprise.county", "enterprise.region_code",
          "enterprise.credit_code")

# derived fact -> what core/facts.py reads to work it out (in the order it reads them)
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "derived.province_code": _PLACE,
    "derived.prefecture_code": _PLACE,
    "derived.county_code": _PLACE,
    "derived.sector": _SECTOR,
    "sector.technologies": ("derived.sector",),
    "sector.modes": ("derived.sector",),
    "derived.size_class": _SIZE,
    "derived.sme": _SIZE,
    # given, or from revenue — never for an enterprise that says it is not manufacturing
    "derived.above_designated_size": ("enterprise.above_designated_size", "enterprise.revenue_wan",
                                      "enterprise.manufacturing"),
    "derived.investment_total_wan": ("investment_wan.core_equipment", "investment_wan.services"),
    "derived.local_equipment_share": ("investment_wan.local_core_equipment", "investment_wan.core_equipment"),
    "derived.local_service_share": ("investment_wan.local_services", "investment_wan.services"),
}


def fact_inputs(path: str) -> tuple[str, ...]:
    """What ``path`` is worked out from, one step down; () for a profile answer.

    ``coverage.GUIDE.*`` comes from ``scenes.GUIDE``; ``coverage.GUIDE.support.*`` from
    ``support_elements``; ``coverage.GUIDE.sector_key_links`` also from the sector."""
    if path in DERIVED_FROM:
        return DERIVED_FROM[path]
    parts = path.split(".")
    if parts[0] == "coverage" and len(parts) > 2:
        if parts[2] == "support":
            return ("support_elements",)
        scenes = (f"scenes.{parts[1]}",)
        return scenes + ("derived.sector",) if parts[2] == "sector_key_links" else scenes
    return ()


def profile_inputs(path: str) -> tuple[str, ...]:
    """The profile questions ``path`` is read from (field paths, ``scenes.GUIDE``,
    ``support_elements``, ``declarations.ID``), in reading order; a profile field is its own."""
    needs = fact_inputs(path)
    if not needs:
        return (path,)
    out: list[str] = []
    for need in needs:
        for leaf in profile_inputs(need):
            if leaf not in out:
                out.append(leaf)
    return tuple(out)


def key_link_guide(guides) -> str | None:
    """The scene guide whose link numbers the sectors' ``key_links`` name (the guide marked
    ``sector_key_links: true`` in its catalog file): ``guides`` is ``bundle["guide_info"]``
    or the catalog's guides, by id. None when no guide is marked."""
    return next((gid for gid, info in guides.items() if info.get("sector_key_links")), None)
