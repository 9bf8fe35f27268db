"""What one edition of the site publishes, and the calculator bundle cut to it.

A bureau publishes some schemes and scene guides (``publish:`` in mkdocs.yml).
``resolve`` works out everything that follows from that choice — the guides the
published schemes read (always published with them), the source documents, KPI
lists, declarations, question fields and derived facts they need, whether the
sector pages and the crosswalk appear — and ``edition_bundle`` compiles the
calculator's bundle with exactly that, so a Changzhou-only edition asks the
Changzhou questions, scores the Changzhou scheme and carries no other region's
text. Both read the compiled bundle (a plain dict), so the pages and the
calculator see the same choice.

Citations of a document that is not published are dropped from what is kept
(a profile field's ``source``, a sector's basis): the document is not on the
edition's sources page and must not be named.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from ..core import DERIVED_FROM, fact_inputs, name_digest

__all__ = ["Edition", "EditionError", "resolve", "edition_bundle", "guides_read", "DERIVED_INPUTS"]

# How the engine derives each fact (profile fields and facts it reads): guidegen.core's
# one table, under the name this module has always exported.
DERIVED_INPUTS = DERIVED_FROM
SECTOR_FACTS = ("derived.sector", "sector.technologies", "sector.modes")
# Bundle tables the engine reads only to plan a rubric (catalogs/plan-costs.yaml), with the
# facts a rubric must read for the table to matter (none: any rubric).
RUBRIC_TABLES = {"plan_costs": (), "maturity_levels": ("maturity.level", "maturity.score")}
SIZE_FACTS = ("derived.size_class", "derived.sme", "derived.above_designated_size")


class EditionError(ValueError):
    """``publish`` names a scheme or guide the catalog does not define."""


@dataclass(frozen=True)
class Edition:
    """The published parts of a catalog. Every tuple is in catalog order."""

    schemes: tuple[str, ...]
    guides: tuple[str, ...]          # listed guides plus those the published schemes read
    sources: frozenset[str]          # documents cited by published schemes and guides
    kpi_lists: tuple[str, ...]
    declarations: tuple[str, ...]
    fields: frozenset[str]           # question fields the calculator asks
    facts: frozenset[str]            # facts the published rules read (with what derives them)
    sectors: bool                    # some published rule reads the sector (sector pages, division question)
    vocabularies: bool               # new technologies / modes are asked or read
    crosswalk: tuple[int, ...]       # indexes of the crosswalk rows between published guides
    complete: bool                   # everything in the catalog is published
    plans: bool = False              # a published scheme has a rubric: plans to its pass mark (the /plans/ page)

    @property
    def has_crosswalk(self) -> bool:
        """The crosswalk is published only between two or more published guides."""
        return len(self.guides) >= 2 and bool(self.crosswalk)


def _walk(value) -> Iterator[Mapping]:
    if isinstance(value, Mapping):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v)


def _reads(scheme: Mapping) -> tuple[set[str], set[str]]:
    """(facts, declarations) a scheme's rules, rubric and levels read."""
    facts, decls = set(), set()
    for m in _walk(scheme):
        if isinstance(m.get("compare"), str):
            facts.add(m["compare"])
        if isinstance(m.get("fact"), str):
            facts.add(m["fact"])
        if isinstance(m.get("declaration"), str):
            decls.add(m["declaration"])
    return facts, decls


def guides_read(scheme: Mapping) -> set[str]:
    """Ids of the scene guides whose scenes a scheme's rules read (coverage.GUIDE.*)."""
    return {p.split(".")[1] for p in _reads(scheme)[0] if p.split(".")[0] in ("coverage", "scenes") and "." in p}


def _closure(facts: set[str]) -> set[str]:
    """The facts with everything they are derived from (profile fields, scenes.GUIDE)."""
    facts = set(facts)
    todo = list(facts)
    while todo:
        path = todo.pop()
        for n in fact_inputs(path):
            if n not in facts:
                facts.add(n)
                todo.append(n)
    return facts


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _citations(value) -> set[str]:
    return {m["doc"] for m in _walk(value) if isinstance(m.get("doc"), str) and "article" in m}


def resolve(bundle: Mapping, *, schemes=(), guides=()) -> Edition:
    """The edition that publishes ``schemes`` and ``guides`` (ids; empty = all)."""
    unknown = [s for s in schemes if s not in bundle["schemes"]] + [g for g in guides if g not in bundle["guides"]]
    if unknown:
        raise EditionError(f"unknown scheme or guide id(s): {', '.join(unknown)} "
                           f"(schemes: {', '.join(bundle['schemes'])}; guides: {', '.join(bundle['guides'])})")
    scheme_ids = [s for s in bundle["schemes"] if not schemes or s in schemes]
    facts: set[str] = set()
    decls: set[str] = set()
    for sid in scheme_ids:
        f, d = _reads(bundle["schemes"][sid])
        facts |= f
        decls |= d
    facts = _closure(facts)
    read_guides = {p.split(".")[1] for p in facts if p.split(".")[0] in ("coverage", "scenes") and "." in p}
    guide_ids = [g for g in bundle["guides"] if not guides or g in guides or g in read_guides]
    all_fields = {f["path"]: f for sec in bundle["profile"]["sections"] for f in sec["fields"]}
    read_anywhere = _closure(set().union(*(_reads(s)[0] for s in bundle["schemes"].values())))
    derived_known = set(DERIVED_INPUTS) | set(SECTOR_FACTS)
    unmapped = [p for p in facts if p not in all_fields and p.split(".")[0] not in ("coverage", "scenes")
                and p not in derived_known]
    if unmapped:
        # A fact the engine derives in a way this module does not know yet: ask every
        # field rather than a form that cannot give the engine what it needs.
        fields = set(all_fields)
    else:
        # Fields a published rule reads, and fields no scheme reads at all (the
        # enterprise's name for the printout); never another scheme's own questions.
        # A field tagged with the schemes that ask it (`schemes:`, e.g. application details)
        # follows those schemes.
        fields = {p for p, f in all_fields.items()
                  if p in facts or (set(f.get("schemes") or ()) & set(scheme_ids))
                  or (p not in read_anywhere and not f.get("schemes"))}
    fields |= {all_fields[p]["max_field"] for p in list(fields) if all_fields[p].get("max_field")}
    # one title, two fields: an answer that implies a published field counts there, so it is asked too
    fields |= {p for p, f in all_fields.items() if any(i.get("path") in fields for i in f.get("implies") or ())}
    # An itemized list (type items) stands for the plain fields its totals write (``into``): it is
    # published with one of them, or when a published scheme's application form reads it; never
    # because no rule reads it directly.
    forms = bundle.get("application_forms") or {}
    read_by_forms = {v for fid, form in forms.items() if isinstance(form, Mapping)
                     and set(form.get("schemes") or (fid,)) & set(scheme_ids)
                     for v in _strings(form) if v in all_fields}
    for p, f in all_fields.items():
        if f.get("type") == "items" and not f.get("schemes"):
            into = {t.get("into") for t in f.get("totals") or ()}
            if into & fields or p in read_by_forms:
                fields.add(p)
            else:
                fields.discard(p)
    sectors = bool(facts & {*SECTOR_FACTS}) or any(p.endswith(".sector_key_links") for p in facts)
    vocabularies = sectors or bool({"new_technologies", "new_modes"} & fields)
    if not sectors:
        fields -= {p for p, f in all_fields.items()
                   if f.get("type") == "division" or f.get("options_from") == "sectors"}
    if not vocabularies:
        fields -= {p for p, f in all_fields.items() if f.get("options_from") in ("technologies", "modes")}
    kpis = [k for k in bundle["kpi_lists"] if any(k in (bundle["schemes"][s].get("kpi_lists") or ()) for s in scheme_ids)]
    sources = set()
    for sid in scheme_ids:
        sources |= _citations(bundle["schemes"][sid])
    for gid in guide_ids:
        sources |= _citations(bundle["guide_info"][gid])
        sources |= _citations(bundle["guides"][gid])
    for k in kpis:
        sources |= _citations(bundle["kpi_lists"][k])
    published = set(guide_ids)
    rows = tuple(i for i, r in enumerate(bundle["crosswalk"])
                 if r["from"]["guide"] in published and all(t["guide"] in published for t in r["to"])
                 and len(published) >= 2)
    complete = len(scheme_ids) == len(bundle["schemes"]) and len(guide_ids) == len(bundle["guides"])
    return Edition(schemes=tuple(scheme_ids), guides=tuple(guide_ids), sources=frozenset(sources),
                   kpi_lists=tuple(kpis), declarations=tuple(d for d in bundle["declarations"] if d in decls),
                   fields=frozenset(fields), facts=frozenset(facts), sectors=sectors, vocabularies=vocabularies,
                   crosswalk=rows, complete=complete,
                   plans=any(bundle["schemes"][s].get("rubric") for s in scheme_ids))


def _drop_foreign_citations(value: Any, sources: frozenset[str]) -> Any:
    """A copy of ``value`` without any citation of a document outside ``sources``."""
    if isinstance(value, Mapping):
        out = {}
        dropped = False
        for k, v in value.items():
            if isinstance(v, Mapping) and isinstance(v.get("doc"), str) and "article" in v and v["doc"] not in sources:
                dropped = True
                continue
            out[k] = _drop_foreign_citations(v, sources)
        if dropped:
            # The reading of a document (its ``interpretation``) is carried beside its citation:
            # without the document it reads nothing the edition publishes.
            out.pop("interpretation", None)
        return out
    if isinstance(value, (list, tuple)):
        return [_drop_foreign_citations(v, sources) for v in value]
    return value


def _foreign_names(regions: Mapping | None, kept: Mapping | None):
    """A pattern matching the names of provinces and prefectures (and counties' full names)
    outside the edition's divisions, or None."""
    if not regions or not kept:
        return None
    inside = {r["code"] for r in kept["items"]}
    names = set()
    for r in regions["items"]:
        if r.get("code") in inside:
            continue
        if r.get("level") in ("province", "prefecture"):
            names.update(n for n in (r.get("name"), r.get("short"), r.get("en")) if n and len(n) >= 2)
        elif r.get("name") and len(r["name"]) >= 3:  # a county's full name (溧阳市), never a bare 城区
            names.add(r["name"])
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True)))) if names else None


def _names(pattern, value) -> bool:
    return bool(pattern) and any(pattern.search(t) for t in _strings(value))


def _drop_foreign_columns(profile: Mapping, pattern) -> dict:
    """An itemized list's columns and options whose label names a region outside the edition
    (another scheme's city: "④本市产（株洲本地）", "（湖南附1-2）") are cut: they belong to a
    scheme the edition does not publish."""
    if not pattern:
        return dict(profile)

    def column(c):
        if c.get("options"):
            return {**c, "options": [o for o in c["options"] if not _names(pattern, o.get("label"))]}
        return c

    def clean(field):
        if field.get("type") != "items" or not isinstance(field.get("item"), list):
            return field
        cols = [column(c) for c in field["item"] if not _names(pattern, c.get("label"))]
        return {**field, "item": cols}

    return {**profile, "sections": [{**sec, "fields": [clean(f) for f in sec["fields"]]} for sec in profile["sections"]]}


def _cut_scheme_lists(value: Any, known: set[str], published: set[str]) -> Any:
    """A copy of ``value`` whose ``schemes: [ids]`` lists name only published schemes."""
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if k == "schemes" and isinstance(v, list) and v and all(isinstance(x, str) for x in v) and set(v) <= known:
                out[k] = [x for x in v if x in published]
            else:
                out[k] = _cut_scheme_lists(v, known, published)
        return out
    if isinstance(value, list):
        return [_cut_scheme_lists(v, known, published) for v in value]
    return value


def _drop_foreign_help(profile: Mapping, regions: Mapping | None, kept: Mapping | None) -> dict:
    """Question help whose examples name a province or prefecture outside the edition's
    divisions is left out (the label stays): the edition names no other region."""
    pattern = _foreign_names(regions, kept)
    if pattern is None:
        return dict(profile)

    def clean(field):
        help_text = field.get("help")
        if pattern and isinstance(help_text, Mapping) and any(pattern.search(t) for t in help_text.values()
                                                                if isinstance(t, str)):
            return {k: v for k, v in field.items() if k != "help"}
        return field

    return {**profile, "sections": [{**sec, "fields": [clean(f) for f in sec["fields"]]} for sec in profile["sections"]]}


def _regions(regions: Mapping, schemes: list) -> dict:
    """The divisions of the provinces a published rule names (by code or name).

    The places matter only to the rules' "registered in our city" tests; a place in
    another province fails them all the same, and keeping every province would name
    every other region in the edition.
    """
    names = set()
    for s in schemes:
        for m in _walk(s):
            if "compare" in m:
                vals = m.get("value")
                for v in (vals if isinstance(vals, (list, tuple)) else [vals]):
                    if isinstance(v, (str, int)) and not isinstance(v, bool):
                        names.add(str(v))
    rows = regions["items"]
    hit = [r for r in rows if {str(r.get("code")), r.get("name"), r.get("short")} & names]
    provinces = {str(r.get("code"))[:2] for r in hit}
    out = {**regions, "items": [r for r in rows if str(r.get("code"))[:2] in provinces]}
    if isinstance(regions.get("successors"), list):
        out["successors"] = [r for r in regions["successors"] if str(r.get("code"))[:2] in provinces]
    return out


def edition_bundle(bundle: Mapping, edition: Edition) -> dict:
    """The calculator bundle of an edition: only what its schemes and guides need.

    Same shape as the full bundle (the engine and the browser read it unchanged);
    ``version`` is recomputed from the content.
    """
    if edition.complete:
        return dict(bundle)
    e = edition
    sections = []
    def cut(field):
        """A field whose options name schemes (e.g. "schemes applied for") offers the published ones."""
        options = field.get("options")
        if not options or not any(o.get("value") in bundle["schemes"] for o in options):
            return field
        return {**field, "options": [o for o in options
                                     if o.get("value") not in bundle["schemes"] or o.get("value") in e.schemes]}

    for sec in bundle["profile"]["sections"]:
        fields = [cut(f) for f in sec["fields"] if f["path"] in e.fields]
        if fields:
            sections.append({**sec, "fields": fields})
    facts = {p: f for p, f in bundle["facts"].items()
             if p in e.facts or (p.split(".")[0] == "coverage" and p.split(".")[1] in e.guides)}
    size_classes = dict(bundle["size_classes"])
    if not (e.facts & {*SIZE_FACTS}):
        # The engine reads the table's shape; without a size question it never uses the rows.
        size_classes = {"classes": [], "sme_classes": [],
                        "above_designated_size": {"min_revenue_wan": size_classes["above_designated_size"]["min_revenue_wan"]}}
    body = {
        "format": bundle["format"],
        "sources": {k: v for k, v in bundle["sources"].items() if k in e.sources},
        "guides": {g: bundle["guides"][g] for g in e.guides},
        "guide_info": {g: bundle["guide_info"][g] for g in e.guides},
        "crosswalk": [bundle["crosswalk"][i] for i in e.crosswalk] if e.has_crosswalk else [],
        "technologies": list(bundle["technologies"]) if e.vocabularies else [],
        "modes": list(bundle["modes"]) if e.vocabularies else [],
        "sectors": dict(bundle["sectors"]) if e.sectors else {},
        "divisions": dict(bundle["divisions"]) if e.sectors else {},
        "kpi_lists": {k: bundle["kpi_lists"][k] for k in e.kpi_lists},
        "size_classes": size_classes,
        "declarations": {d: bundle["declarations"][d] for d in e.declarations},
        # What the full catalog asks that this edition does not publish (issue 24): a profile from
        # the full site keeps it, the engine ignores it and says so once — never an error.
        # Digests (guidegen.core.profile.name_digest), so the edition names nothing it does not publish.
        "profile": {**bundle["profile"], "sections": sections, "unpublished": {
            "fields": sorted(map(name_digest, {f["path"] for sec in bundle["profile"]["sections"] for f in sec["fields"]} - set(e.fields))),
            "declarations": sorted(map(name_digest, set(bundle["declarations"]) - set(e.declarations))),
            "guides": sorted(map(name_digest, set(bundle["guides"]) - set(e.guides)))}},
        "facts": facts,
        "schemes": {s: bundle["schemes"][s] for s in e.schemes},
    }
    # Keys other work adds to the bundle: tables by scheme id are cut to the published
    # schemes, the administrative divisions to the provinces the published rules name.
    for key, value in bundle.items():
        if key in body or key == "version":
            continue
        if key == "regions" and isinstance(value, Mapping) and isinstance(value.get("items"), list):
            value = _regions(value, [bundle["schemes"][s] for s in e.schemes])
        elif isinstance(value, Mapping) and value and set(value) <= set(bundle["schemes"]):
            value = {k: v for k, v in value.items() if k in e.schemes}
        elif key in RUBRIC_TABLES:
            # The engine reads them only to plan a published rubric (and the maturity ranges only
            # for a rubric scoring the maturity level or score): otherwise not published.
            rubrics = [bundle["schemes"][s]["rubric"] for s in e.schemes if bundle["schemes"][s].get("rubric")]
            read = set().union(*(_reads(r)[0] for r in rubrics)) if rubrics else set()
            if not e.plans or (RUBRIC_TABLES[key] and not read & set(RUBRIC_TABLES[key])):
                continue
        body[key] = value
    body = _drop_foreign_citations(body, e.sources)
    body = _cut_scheme_lists(body, set(bundle["schemes"]), set(e.schemes))
    body["profile"] = _drop_foreign_help(body["profile"], bundle.get("regions"), body.get("regions"))
    body["profile"] = _drop_foreign_columns(body["profile"], _foreign_names(bundle.get("regions"), body.get("regions")))
    # The provinces cut out of the divisions: a place in one of them is elsewhere, not a typo.
    full, kept = bundle.get("regions"), body.get("regions")
    if isinstance(full, Mapping) and isinstance(kept, Mapping) and isinstance(full.get("items"), list):
        have = {r.get("code") for r in kept.get("items") or []}
        body["profile"]["unpublished"]["provinces"] = sorted({name_digest(n) for r in full["items"] if r.get("level") == "province"
                                                              and r.get("code") not in have for n in (r.get("name"), r.get("short")) if n})
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]
    return {"format": body["format"], "version": digest, **{k: v for k, v in body.items() if k != "format"}}
