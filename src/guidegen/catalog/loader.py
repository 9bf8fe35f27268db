"""Load a catalog folder, validate it completely, compile the JSON bundle."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..core import LIST_OPERATORS, rule_kind, rule_parts
from .plan_costs import check_plan_costs, compile_plan_costs
from .regions import RegionsError, read_compiled
from .schema import FILE_KEYS, Problem, Where
from .yamlsource import LocDict, LocList, YamlProblem, load_yaml

__all__ = ["Catalog", "CatalogError", "load_catalog", "compile_bundle", "BUNDLE_FORMAT"]

BUNDLE_FORMAT = 1
DIVISION_CODES = [f"C{n}" for n in range(13, 44)]


class CatalogError(Exception):
    """A catalog with problems; ``problems`` lists each as file:line: key: message."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value):
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Catalog:
    """A validated catalog. Every collection is read-only; ``bundle()`` gives the JSON form."""

    root: str
    sources: Mapping[str, Mapping]
    guides: Mapping[str, Mapping]
    crosswalk: tuple
    technologies: tuple
    modes: tuple
    sectors: Mapping[str, Mapping]
    divisions: Mapping[str, Mapping]
    kpi_lists: Mapping[str, Mapping]
    size_classes: Mapping
    declarations: Mapping[str, Mapping]
    profile_sections: tuple
    facts: Mapping[str, Mapping]
    schemes: Mapping[str, Mapping]
    regions: Mapping | None = None
    glossary: tuple = ()
    # catalogs/forms/*.yaml, by scheme id (issue #16); empty when a catalog has none
    application_forms: Mapping[str, Mapping] = field(default_factory=lambda: MappingProxyType({}))
    # catalogs/plan-costs.yaml (issue #23): the plan cost model and the maturity score ranges
    plan_costs: Mapping | None = None
    maturity_levels: Mapping | None = None

    def counts(self) -> dict:
        return {
            "sources": len(self.sources),
            "guides": len(self.guides),
            "links": sum(len(g["links"]) for g in self.guides.values()),
            "scenes": sum(len(l["scenes"]) for g in self.guides.values() for l in g["links"]),
            "crosswalk rows": len(self.crosswalk),
            "sectors": len(self.sectors),
            "divisions": len(self.divisions),
            "schemes": len(self.schemes),
            "conditions": sum(len(s["conditions"]) + sum(len(l["conditions"]) for l in s.get("levels", ()))
                              for s in self.schemes.values()),
            "rubric items": sum(len(s["rubric"]["items"]) for s in self.schemes.values() if s.get("rubric")),
            "KPI lists": len(self.kpi_lists),
            "declarations": len(self.declarations),
            "profile fields": sum(len(s["fields"]) for s in self.profile_sections),
            "glossary terms": len(self.glossary),
        }

    def bundle(self) -> dict:
        return compile_bundle(self)


# ---------------------------------------------------------------- loading

@dataclass
class _Entry:
    """One list item or object with where it came from."""

    value: Any
    at: Where


def _read_files(root: Path, problems: list[Problem]) -> dict[str, list[_Entry]]:
    merged: dict[str, list[_Entry]] = {key: [] for key in FILE_KEYS}
    files = sorted(p for p in root.rglob("*.yaml") if p.is_file())
    if not files:
        problems.append(Problem(str(root), 1, "(folder)", "no .yaml files found"))
    for path in files:
        rel = path.relative_to(root.parent).as_posix() if root.parent != path else path.name
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            problems.append(Problem(rel, 1, "(file)", f"not UTF-8 text: {exc.reason}"))
            continue
        except YamlProblem as exc:
            problems.append(Problem(rel, exc.line, exc.key or "(file)", exc.message))
            continue
        top = Where(rel, 1, "", problems)
        if data is None:
            top.fail("empty file")
            continue
        if not isinstance(data, LocDict):
            top.fail("a catalog file must be a mapping of top-level keys")
            continue
        for key, value in data.items():
            at = top.child(data, key)
            if key not in FILE_KEYS:
                at.fail(f"unknown top-level key (allowed: {', '.join(FILE_KEYS)})")
                continue
            spec, is_list = FILE_KEYS[key]
            before = len(problems)
            spec.check(value, at)
            if len(problems) != before:
                continue  # shape errors reported; cross-checks would only add noise
            if is_list:
                merged[key].extend(_Entry(item, at.child(value, i)) for i, item in enumerate(value))
            else:
                merged[key].append(_Entry(value, at))
    return merged


def _index(entries: list[_Entry], key: str, kind: str) -> dict[str, _Entry]:
    out: dict[str, _Entry] = {}
    for e in entries:
        ident = e.value[key]
        if ident in out:
            e.at.child(e.value, key).fail(f"{kind} {ident!r} defined twice (first at {out[ident].at.file}:{out[ident].at.line})")
        else:
            out[ident] = e
    return out


def load_catalog(root: str | Path, calls=()) -> Catalog:
    """Read every YAML file below ``root``; raise CatalogError listing every problem.

    ``calls``: paths of bureau call files (catalog/calls.py), each replacing the ``scope: call``
    parts of one scheme before the cross-checks run; their problems name the call file."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise CatalogError([Problem(str(root), 1, "(folder)", "catalog folder not found")])
    merged = _read_files(root, problems)
    if calls:
        from .calls import apply_calls, bilingual
        apply_calls(merged, calls, problems, _Entry, division_codes=lambda: _division_codes(root, merged))
        names = {str(Path(p)) for p in calls}
    catalog = _cross_check(root, merged, problems)
    if problems:
        if calls:  # a bureau's file: its problems in both languages
            problems = [Problem(p.file, p.line, p.key, bilingual(p.message)) if p.file in names else p
                        for p in problems]
        raise CatalogError(problems)
    return catalog


def _division_codes(root: Path, merged) -> set[str] | None:
    """The GB/T 2260 codes the catalog knows (regions.compiled.json), or None without regions."""
    if not merged["regions"]:
        return None
    try:
        return {str(i["code"]) for i in read_compiled(_thaw(merged["regions"][0].value), root)["items"]}
    except (RegionsError, KeyError, TypeError):
        return None  # reported by the cross-checks


def _walk(value, at: Where):
    """Yield (mapping, where) for every mapping in a value, depth first."""
    if isinstance(value, dict):
        yield value, at
        for k, v in value.items():
            yield from _walk(v, at.child(value, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, at.child(value, i))


def _cross_check(root: Path, m: dict[str, list[_Entry]], problems: list[Problem]) -> Catalog | None:
    sources = _index(m["sources"], "id", "source")
    guides = _index(m["guide"], "id", "guide")
    sectors = _index(m["sectors"], "id", "sector")
    divisions = _index(m["divisions"], "code", "division")
    kpis = _index(m["kpi_lists"], "id", "KPI list")
    decls = _index(m["declarations"], "id", "declaration")
    schemes = _index(m["scheme"], "id", "scheme")
    techs = _index(m["technologies"], "id", "technology")
    modes = _index(m["modes"], "id", "mode")
    facts = _index(m["facts"], "path", "fact")
    _index(m["sections"], "id", "profile section")  # only to report a section id used twice
    fields: dict[str, tuple[dict, Where]] = {}
    for sec in m["sections"]:
        for i, f in enumerate(sec.value["fields"]):
            at = sec.at.child(sec.value, "fields").child(sec.value["fields"], i)
            if f["path"] in fields:
                at.child(f, "path").fail(f"profile field {f['path']!r} defined twice")
            fields[f["path"]] = (f, at)

    if len(m["regions"]) > 1:
        m["regions"][1].at.fail("regions defined in more than one file")
    if m["regions"]:
        # The vendored compile (regions.compiled.json, `make regions`) must match the pinned packages.
        try:
            read_compiled(_thaw(m["regions"][0].value), root)
        except RegionsError as exc:
            m["regions"][0].at.fail(str(exc))

    if len(m["size_classes"]) > 1:
        m["size_classes"][1].at.fail("size_classes defined in more than one file")
    if not m["size_classes"] and not problems:
        problems.append(Problem(root.name, 1, "size_classes", "no file defines size_classes"))

    # every citation names a known source
    every = [e for entries in m.values() for e in entries]
    for e in every:
        for mapping, at in _walk(e.value, e.at):
            if "doc" in mapping and "article" in mapping and mapping["doc"] not in sources:
                at.child(mapping, "doc").fail(f"unknown source {mapping['doc']!r}")

    # guides: numbering and stated counts
    scene_numbers: dict[str, set[int]] = {}
    for gid, e in guides.items():
        g, at = e.value, e.at
        links_at = at.child(g, "links")
        # Scene numbers run 1..N without gaps or repeats; they need not follow link
        # order (Changzhou numbers its checklist in table order, links by 附件1).
        seen_scene: dict[int, Where] = {}
        for li, link in enumerate(g["links"]):
            lat = links_at.child(g["links"], li)
            if link["number"] != li + 1:
                lat.child(link, "number").fail(f"link number {link['number']} out of order (expected {li + 1})")
            for si, scene in enumerate(link["scenes"]):
                sat = lat.child(link, "scenes").child(link["scenes"], si).child(scene, "number")
                if scene["number"] in seen_scene:
                    sat.fail(f"scene number {scene['number']} used twice (first at line {seen_scene[scene['number']].line})")
                seen_scene[scene["number"]] = sat
        n_scene = len(seen_scene)
        gaps = sorted(set(range(1, n_scene + 1)) - set(seen_scene))
        if gaps:
            links_at.fail(f"scene numbers skip {gaps[:10]} (numbers must run 1..{n_scene})")
        scene_numbers[gid] = set(seen_scene)
        exp = g["expected"]
        if len(g["links"]) != exp["links"]:
            at.child(g, "links").fail(f"the document states {exp['links']} links, the catalog has {len(g['links'])}")
        if n_scene != exp["scenes"]:
            at.child(g, "links").fail(f"the document states {exp['scenes']} scenes, the catalog has {n_scene}")
        for ai, area in enumerate(g.get("areas", [])):
            aat = at.child(g, "areas").child(g["areas"], ai)
            for n in area["links"]:
                if not 1 <= n <= len(g["links"]):
                    aat.child(area, "links").fail(f"link {n} does not exist in guide {gid}")

    # crosswalk
    seen_rows: dict[tuple, Where] = {}
    for e in m["crosswalk"]:
        row, at = e.value, e.at
        for side, refs in (("from", [row["from"]]), ("to", row["to"])):
            for ref in refs:
                if ref["guide"] not in guides:
                    at.child(row, side).fail(f"unknown guide {ref['guide']!r}")
                elif ref["scene"] not in scene_numbers.get(ref["guide"], ()):
                    at.child(row, side).fail(f"scene {ref['scene']} does not exist in guide {ref['guide']}")
        if (row["relation"] == "none") != (len(row["to"]) == 0):
            at.child(row, "relation").fail("relation 'none' goes with an empty 'to', and only it")
        k = (row["from"]["guide"], row["from"]["scene"])
        if k in seen_rows:
            at.child(row, "from").fail(f"scene {k[1]} of {k[0]} has two crosswalk rows")
        seen_rows[k] = at
    mapped_guides = {g for g, _ in seen_rows}
    for gid in sorted(mapped_guides):
        missing = sorted(scene_numbers.get(gid, set()) - {s for g, s in seen_rows if g == gid})
        if missing:
            first = next(e for e in m["crosswalk"] if e.value["from"]["guide"] == gid)
            first.at.fail(f"crosswalk lacks rows for {gid} scenes {missing[:10]}")

    # sectors and divisions; key_links are link numbers of the guide marked sector_key_links
    marked = [e for e in guides.values() if e.value.get("sector_key_links")]
    for e in marked[1:]:
        e.at.child(e.value, "sector_key_links").fail(
            f"sector_key_links is already set on guide {marked[0].value['id']!r} (one guide at most)")
    key_guide = marked[0].value if marked else None
    for sid, e in sectors.items():
        s, at = e.value, e.at
        if s.get("key_links") and key_guide is None:
            at.child(s, "key_links").fail("key_links need a guide marked sector_key_links: true")
        for n in s.get("key_links", []) if key_guide else ():
            if not 1 <= n <= len(key_guide["links"]):
                at.child(s, "key_links").fail(f"link {n} does not exist in guide {key_guide['id']}")
        for key, vocab in (("technologies", techs), ("modes", modes)):
            for item in s.get(key, []):
                if item not in vocab:
                    at.child(s, key).fail(f"unknown {key[:-1] if key == 'modes' else 'technology'} {item!r}")
    for code, e in divisions.items():
        if e.value["sector"] not in sectors:
            e.at.child(e.value, "sector").fail(f"unknown sector {e.value['sector']!r}")
        if code not in DIVISION_CODES:
            e.at.child(e.value, "code").fail(f"{code} is not a manufacturing division (C13–C43)")
    if divisions:
        missing = [c for c in DIVISION_CODES if c not in divisions]
        if missing:
            e0 = next(iter(divisions.values()))
            e0.at.fail(f"divisions missing: {', '.join(missing)}")

    # size classes
    if m["size_classes"]:
        sc_e = m["size_classes"][0]
        class_ids = {c["id"] for c in sc_e.value["classes"]}
        for c in sc_e.value["sme_classes"]:
            if c not in class_ids:
                sc_e.at.child(sc_e.value, "sme_classes").fail(f"unknown size class {c!r}")

    # profile fields
    for path, (f, at) in fields.items():
        if f["type"] in ("choice", "multi-choice") and "options" not in f and "options_from" not in f:
            at.fail("a choice field needs options or options_from")
        if "max_field" in f and f["max_field"] not in fields:
            at.child(f, "max_field").fail(f"unknown profile field {f['max_field']!r}")
        if "min" in f and "max" in f and f["min"] > f["max"]:
            at.child(f, "min").fail("min is above max")
        # itemized lists (issue #25): columns named, totals into known plain fields
        if f["type"] == "items" and "item" not in f:
            at.fail("an items field needs 'item' (its columns)")
        keys = {c["key"] for c in f.get("item", [])}
        for t in f.get("totals", []):
            if t["into"] not in fields:
                at.child(f, "totals").fail(f"unknown profile field {t['into']!r}")
            for k in [t.get("sum"), t.get("latest"), t.get("window"), *(t.get("where") or {}), *(t.get("unless") or {})]:
                if k is not None and k not in keys:
                    at.child(f, "totals").fail(f"unknown column {k!r}")

    known_facts = set(fields) | set(facts)

    def check_rule(rule, at: Where):
        if "compare" in rule:
            if rule["compare"] not in known_facts:
                at.child(rule, "compare").fail(f"unknown fact {rule['compare']!r} (not in profile.yaml or facts.yaml)")
            v = rule.get("value")
            if isinstance(v, dict) and v.get("fact") not in known_facts:
                at.child(rule, "value").fail(f"unknown fact {v.get('fact')!r}")
            if rule["op"] in LIST_OPERATORS and not isinstance(v, (list, dict)):
                at.child(rule, "value").fail(f"op {rule['op']!r} needs a list value")
        elif "declaration" in rule:
            if rule["declaration"] not in decls:
                at.child(rule, "declaration").fail(f"unknown declaration {rule['declaration']!r}")
        elif "not" in rule:
            check_rule(rule["not"], at.child(rule, "not"))
        else:
            kind = rule_kind(rule)
            for i, part in enumerate(rule_parts(rule)):
                check_rule(part, at.child(rule, kind).child(rule[kind], i))

    def check_conditions(conds, at: Where, seen: dict):
        for i, c in enumerate(conds):
            cat = at.child(conds, i)
            if c["id"] in seen:
                cat.child(c, "id").fail(f"condition id {c['id']!r} used twice in this scheme")
            seen[c["id"]] = cat
            check_rule(c["rule"], cat.child(c, "rule"))
            if c.get("informational") and not c.get("soft"):
                cat.child(c, "informational").fail("an informational condition must also be soft: true")

    for sid, e in schemes.items():
        s, at = e.value, e.at
        seen: dict = {}
        check_conditions(s["conditions"], at.child(s, "conditions"), seen)
        for li, lvl in enumerate(s.get("levels", [])):
            lat = at.child(s, "levels").child(s["levels"], li)
            check_conditions(lvl["conditions"], lat.child(lvl, "conditions"), seen)
        for k in s.get("kpi_lists", []):
            if k not in kpis:
                at.child(s, "kpi_lists").fail(f"unknown KPI list {k!r}")
        if "rubric" in s:
            _check_rubric(s["rubric"], at.child(s, "rubric"), known_facts, check_rule)
        for xi, x in enumerate(s.get("exclusions", [])):
            xat = at.child(s, "exclusions").child(s["exclusions"], xi)
            for other in x.get("schemes", []):
                if other not in schemes:
                    xat.child(x, "schemes").fail(f"unknown scheme {other!r}")
        if "summary_table" in s:
            _check_summary_table(sid, s["summary_table"], at.child(s, "summary_table"), fields, guides)

    # KPI lists: ties name a scheme's condition (LEVEL.CONDITION on the ladder) and the list's indicators
    for kid, e in kpis.items():
        k = e.value
        ids = {i["id"] for i in k.get("indicators", [])} | {i["id"] for g in k.get("groups", []) for i in g["indicators"]}
        for ti, tie in enumerate(k.get("ties", [])):
            tat = e.at.child(k, "ties").child(k["ties"], ti)
            scheme = schemes.get(tie["scheme"])
            if scheme is None:
                tat.child(tie, "scheme").fail(f"unknown scheme {tie['scheme']!r}")
                continue
            s = scheme.value
            names = {c["id"] for c in s["conditions"]} | {f"{l['id']}.{c['id']}" for l in s.get("levels", [])
                                                          for c in l["conditions"]}
            if tie["condition"] not in names:
                tat.child(tie, "condition").fail(f"unknown condition {tie['condition']!r} of {tie['scheme']}")
            for ind in tie.get("indicators", []):
                if ind not in ids:
                    tat.child(tie, "indicators").fail(f"indicator {ind!r} is not in KPI list {kid}")

    forms: dict[str, _Entry] = {}
    for e in m["application_form"]:
        for sid in e.value["schemes"]:
            if sid in forms:
                e.at.child(e.value, "schemes").fail(f"scheme {sid!r} has two application forms (first at {forms[sid].at.file})")
            forms[sid] = e
        _check_form(e.value, e.at, schemes=schemes, kpis=kpis, guides=guides, known_facts=known_facts, decls=decls)
    for path, (f, fat) in fields.items():
        for other in f.get("schemes", []):
            if other not in schemes:
                fat.child(f, "schemes").fail(f"unknown scheme {other!r}")

    check_plan_costs(m["plan_costs"], m["maturity_levels"], fields=fields, facts=facts, sources=sources)
    glossary = _check_glossary(m, problems)
    _check_spelling(m)

    if problems:
        return None

    def plain(entries):
        return [_thaw(e.value) for e in entries]

    return Catalog(
        root=str(root),
        sources=_freeze({k: e.value for k, e in sources.items()}),
        guides=_freeze({k: e.value for k, e in sorted(guides.items())}),
        crosswalk=_freeze(plain(m["crosswalk"])),
        technologies=_freeze(plain(m["technologies"])),
        modes=_freeze(plain(m["modes"])),
        sectors=_freeze({k: e.value for k, e in sectors.items()}),
        divisions=_freeze({k: divisions[k].value for k in DIVISION_CODES if k in divisions}),
        kpi_lists=_freeze({k: e.value for k, e in kpis.items()}),
        size_classes=_freeze(m["size_classes"][0].value),
        declarations=_freeze({k: e.value for k, e in decls.items()}),
        profile_sections=_freeze(plain(m["sections"])),
        facts=_freeze({k: e.value for k, e in facts.items()}),
        schemes=_freeze({k: e.value for k, e in schemes.items()}),
        application_forms=_freeze({k: e.value for k, e in sorted(forms.items())}),
        regions=_freeze(m["regions"][0].value) if m["regions"] else None,
        glossary=_freeze(glossary),
        plan_costs=_freeze(m["plan_costs"][0].value) if m["plan_costs"] else None,
        maturity_levels=_freeze(m["maturity_levels"][0].value) if m["maturity_levels"] else None,
    )


def _check_form(form, at: Where, *, schemes, kpis, guides, known_facts, decls=()) -> None:
    """An application form names a known scheme; its fills, KPI lists and guides exist."""
    unknown = [sid for sid in form["schemes"] if sid not in schemes]
    if unknown:
        at.child(form, "schemes").fail(f"unknown scheme {unknown[0]!r}")
        return
    scheme_kpis = {k for sid in form["schemes"] for k in schemes[sid].value.get("kpi_lists", [])}
    with_attachments = all(schemes[sid].value.get("materials", {}).get("attachments") for sid in form["schemes"])
    seen: dict[str, Where] = {}

    def check_rows(rows, rat):
        for i, row in enumerate(rows):
            fill = row.get("fill")
            # derived facts and profile fields; application.* fields may come from the desk's section
            # issue #25: the scheme the draft is for (draft.scheme), declarations, joined cells; a
            # pending_field row names a field another change adds (left empty until it exists)
            for path in [fill, *row.get("join", []), *row.get("also", [])]:
                if path is None or path in known_facts or path == "draft.scheme" or row.get("pending_field"):
                    continue
                if path.startswith("declarations.") and path.split(".", 1)[1] in decls:
                    continue
                rat.child(rows, i).child(row, "fill").fail(f"unknown fact {path!r} (not in profile.yaml or facts.yaml)")

    if "cover" in form:
        check_rows(form["cover"], at.child(form, "cover"))
    parts = form["parts"]
    for i, part in enumerate(parts):
        pat = at.child(form, "parts").child(parts, i)
        kind = part["kind"]
        needs = {"heading": ("title",), "fields": ("rows",), "narrative": ("id", "title"), "scenes": ("guide",),
                 "kpis": ("list",), "attachments": (), "text": ("text",), "table": ("id", "title", "columns"),
                 "years": ("id", "lines", "years", "year_headers"), "scene-form": ("id", "guide", "cells"),
                 "scene-tables": ("id", "guide", "tables")}[kind]
        for key in needs:
            if key not in part:
                pat.fail(f"a {kind} part needs '{key}'")
        if "id" in part:
            if part["id"] in seen:
                pat.child(part, "id").fail(f"part id {part['id']!r} used twice (first at line {seen[part['id']].line})")
            seen[part["id"]] = pat
        if "rows" in part:
            check_rows(part["rows"], pat.child(part, "rows"))
        if "list" in part:
            if part["list"] not in kpis:
                pat.child(part, "list").fail(f"unknown KPI list {part['list']!r}")
            elif part["list"] not in scheme_kpis:
                pat.child(part, "list").fail(f"KPI list {part['list']!r} is not one of the scheme's kpi_lists")
        if "guide" in part and part["guide"] not in guides:
            pat.child(part, "guide").fail(f"unknown guide {part['guide']!r}")
        if kind == "attachments" and not with_attachments and "items" not in part:
            pat.fail("the scheme lists no materials.attachments")


def _d(x) -> Decimal:
    return Decimal(str(x))


# Which keys each summary-table value kind takes (besides ``kind``); the first group is required.
_SUMMARY_KEYS = {
    "number": ((), ()),
    "field": (("path",), ("format",)),
    "period": (("start", "end"), ("format",)),
    "fixed": (("text",), ()),
    "scene-instances": (("path", "guide"), ()),
    "scenes": (("guide",), ()),
    "remarks": ((), ("flags",)),
}


def _check_summary_table(sid: str, table, at: Where, fields: dict, guides: dict) -> None:
    """Columns read real profile fields; every field a table reads is marked with the scheme."""
    cols_at = at.child(table, "columns")
    for ci, col in enumerate(table["columns"]):
        cat = cols_at.child(table["columns"], ci)
        value = col["value"]
        vat = cat.child(col, "value")
        required, optional = _SUMMARY_KEYS[value["kind"]]
        for key in required:
            if key not in value:
                vat.fail(f"kind {value['kind']!r} needs '{key}'")
        for key in value:
            if key != "kind" and key not in required and key not in optional:
                vat.child(value, key).fail(f"not used by kind {value['kind']!r}")
        paths = [(k, value[k]) for k in ("path", "start", "end") if k in value]
        paths += [("flags", flag["path"]) for flag in value.get("flags", [])]
        for key, path in paths:
            if path not in fields:
                vat.child(value, key).fail(f"unknown profile field {path!r} (not in profile.yaml)")
                continue
            f, _ = fields[path]
            if value["kind"] == "scene-instances" and f["type"] != "scene-instances":
                vat.child(value, key).fail(f"{path!r} is not a scene-instances field")
            if key != "flags" and path.split(".")[0] not in ("enterprise",) and sid not in f.get("schemes", []):
                vat.child(value, key).fail(
                    f"profile field {path!r} is read by this table but does not list {sid!r} in its 'schemes'")
        if "guide" in value and value["guide"] not in guides:
            vat.child(value, "guide").fail(f"unknown guide {value['guide']!r}")


def _check_rubric(r, at: Where, known_facts, check_rule) -> None:
    groups = {g["id"]: g for g in r["groups"]}
    sums = {g: Decimal(0) for g in groups}
    items_at = at.child(r, "items")
    ids = set()
    for i, item in enumerate(r["items"]):
        iat = items_at.child(r["items"], i)
        if item["id"] in ids:
            iat.child(item, "id").fail(f"rubric item {item['id']!r} defined twice")
        ids.add(item["id"])
        if item["group"] not in groups:
            iat.child(item, "group").fail(f"unknown rubric group {item['group']!r}")
        else:
            sums[item["group"]] += _d(item["max"])
        sc = item["scoring"]
        sat = iat.child(item, "scoring")
        kind = sc["kind"]
        if "fact" in sc and sc["fact"] not in known_facts:
            sat.child(sc, "fact").fail(f"unknown fact {sc['fact']!r}")
        if kind == "banded":
            attainable = _check_bands(sc["bands"], sat.child(sc, "bands"))
        elif kind == "choice":
            attainable = max(_d(o["points"]) for o in sc["options"])
        elif kind == "tiers":
            for ti, t in enumerate(sc["tiers"]):
                check_rule(t["when"], sat.child(sc, "tiers").child(sc["tiers"], ti).child(t, "when"))
            attainable = max(_d(t["points"]) for t in sc["tiers"])
        else:
            cap = _d(sc["cap"])
            for ci, c in enumerate(sc.get("counts", [])):
                cat = sat.child(sc, "counts").child(sc["counts"], ci)
                if c["fact"] not in known_facts:
                    cat.child(c, "fact").fail(f"unknown fact {c['fact']!r}")
                if _d(c["rate"]) > cap:
                    cat.child(c, "rate").fail(f"rate {c['rate']} is above the cap {sc['cap']}")
            for fi, f in enumerate(sc.get("flats", [])):
                fat = sat.child(sc, "flats").child(sc["flats"], fi)
                check_rule(f["when"], fat.child(f, "when"))
                if _d(f["points"]) > cap:
                    fat.child(f, "points").fail(f"points {f['points']} are above the cap {sc['cap']}")
            attainable = cap
        if attainable is not None and attainable != _d(item["max"]):
            iat.child(item, "max").fail(f"max is {item['max']} but the scoring can give at most {attainable}")
    for gid, g in groups.items():
        if sums[gid] != _d(g["max"]):
            gi = r["groups"].index(g)
            at.child(r, "groups").child(r["groups"], gi).child(g, "max").fail(
                f"group max is {g['max']} but its items add up to {sums[gid]}")


def _check_bands(bands, at: Where):
    """Bands must tile the number line: sorted by min, each max equal to the next min."""
    def lo(b):
        return _d(b["min"]) if "min" in b else Decimal("-Infinity")

    order = sorted(range(len(bands)), key=lambda i: lo(bands[i]))
    ok = True
    for i, b in enumerate(bands):
        if "min" in b and "max" in b and _d(b["min"]) >= _d(b["max"]):
            at.child(bands, i).fail(f"band min {b['min']} is not below its max {b['max']}")
            ok = False
    if not ok:
        return None
    first = bands[order[0]]
    if "min" in first:
        at.child(bands, order[0]).fail(f"gap: no band covers values below {first['min']}")
    for a, b in zip(order, order[1:]):
        top = bands[a].get("max")
        nxt = bands[b].get("min")
        if top is None:
            at.child(bands, b).fail(f"overlap: band starting at {nxt} lies inside an open-ended band")
        elif _d(top) < _d(nxt):
            at.child(bands, b).fail(f"gap: no band covers [{top}, {nxt})")
        elif _d(top) > _d(nxt):
            at.child(bands, b).fail(f"overlap: bands overlap on [{nxt}, {top})")
    last = bands[order[-1]]
    if "max" in last:
        at.child(bands, order[-1]).fail(f"gap: no band covers values from {last['max']} up")
    return max(_d(b["points"]) for b in bands)


# ---------------------------------------------------------------- bundle

def compile_bundle(catalog: Catalog) -> dict:
    """The JSON document the engine and the browser read (shape in README)."""
    c = _thaw
    guides = {gid: c(g["links"]) for gid, g in catalog.guides.items()}
    guide_info = {gid: {k: c(v) for k, v in g.items() if k != "links"} for gid, g in catalog.guides.items()}
    body = {
        "format": BUNDLE_FORMAT,
        "sources": c(catalog.sources),
        "guides": guides,
        "guide_info": guide_info,
        "crosswalk": c(catalog.crosswalk),
        "technologies": c(catalog.technologies),
        "modes": c(catalog.modes),
        "sectors": c(catalog.sectors),
        "divisions": c(catalog.divisions),
        "kpi_lists": c(catalog.kpi_lists),
        "size_classes": c(catalog.size_classes),
        "declarations": c(catalog.declarations),
        "profile": {"sections": c(catalog.profile_sections)},
        "facts": c(catalog.facts),
        "schemes": c(catalog.schemes),
        "application_forms": c(catalog.application_forms),
    }
    compile_plan_costs(body, c(catalog.plan_costs), c(catalog.maturity_levels))  # issue #23
    if catalog.regions is not None:
        # GB/T 2260 divisions compiled from the pinned npm packages (catalogs/regions.yaml) and
        # vendored as catalogs/regions.compiled.json (`make regions`); key "regions".
        body["regions"] = read_compiled(c(catalog.regions), Path(catalog.root))
    digest = hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]
    return {"format": BUNDLE_FORMAT, "version": digest, **{k: v for k, v in body.items() if k != "format"}}


# ---------------------------------------------------------------- English: glossary and spelling

def _texts(m: dict[str, list[_Entry]]):
    """Yield (text mapping, where) for every bilingual text in the catalog except the glossary."""
    for key, entries in m.items():
        if key == "glossary":
            continue
        for e in entries:
            for mapping, at in _walk(e.value, e.at):
                if isinstance(mapping.get("zh"), str) and isinstance(mapping.get("en"), str):
                    yield mapping, at


def _check_glossary(m: dict[str, list[_Entry]], problems: list[Problem]) -> list[dict]:
    """Every official term in a Chinese text has its one English rendering in the English twin.

    A term inside a longer glossary term at the same place (先进级 in 先进级智能工厂) is
    checked as the longer term only.
    """
    terms = []
    seen: dict[str, Where] = {}
    for e in m["glossary"]:
        t = e.value
        if t["zh"] in seen:
            e.at.child(t, "zh").fail(f"glossary term {t['zh']!r} defined twice (first at line {seen[t['zh']].line})")
            continue
        seen[t["zh"]] = e.at
        terms.append(_thaw(t))
    by_length = sorted(terms, key=lambda t: len(t["zh"]), reverse=True)
    for text, at in _texts(m):
        zh, en = text["zh"], text["en"].casefold()
        covered: list[tuple[int, int]] = []
        for t in by_length:
            start = zh.find(t["zh"])
            needed = False
            while start != -1:
                end = start + len(t["zh"])
                if not any(a <= start and end <= b for a, b in covered):
                    covered.append((start, end))
                    needed = True
                start = zh.find(t["zh"], start + 1)
            if needed and not any(r.casefold() in en for r in [t["en"], *t.get("variants", [])]):
                at.child(text, "en").fail(f"the Chinese has the glossary term {t['zh']!r}; the English must render "
                                          f"it as {t['en']!r} (catalogs/glossary.yaml)")
    return terms


# British spellings and their US forms (the catalogs write US English, -ize).
_BRITISH = {
    r"\b(organ|recogn|optim|util|standard|special|summar|industrial|informat|custom|digit|intelligent|modern"
    r"|visual|normal|categor|local|central|character|author|real|prior|minim|maxim|stabil|synchron|harmon"
    r"|personal|capital|symbol|formal|emphas|mobil|commercial|digital|energ|familiar|moderni|subsid)is(e|es|ed|ing"
    r"|ation|ations|ational|ationally|er|ers)\b": "-iz-",
    r"\b(hon|lab|col|behavi|fav|harb|neighb)our(s|ed|ing|able)?\b": "-or",
    r"\b(cent|met|fib|theat)re(s|d)?\b": "-er",
    r"\blicence(s|d)?\b": "license",
    r"\bcatalogue(s|d)?\b": "catalog",
    r"\banalys(e|es|ed|ing)\b": "analyz-",
    r"\b(model|label|travel|cancel|fuel|signal)l(ed|ing|er|ers)\b": "single l",
    r"\bdefence\b": "defense",
    r"\bprogramme(s)?\b": "program",
    r"\bpractis(e|es|ed|ing)\b": "practic-",
}
_BRITISH_RE = [(re.compile(p, re.IGNORECASE), hint) for p, hint in _BRITISH.items()]


def _check_spelling(m: dict[str, list[_Entry]]) -> None:
    for text, at in _texts(m):
        for rx, hint in _BRITISH_RE:
            hit = rx.search(text["en"])
            if hit:
                at.child(text, "en").fail(f"British spelling {hit.group(0)!r}: the catalogs write US English ({hint})")
                break
