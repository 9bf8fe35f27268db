"""The shape of every catalog file, checked with exact file:line:key locations.

A spec is a small object with ``check(value, at)``; ``at`` is a Where that
knows the file, the line and the dotted key, and collects problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core import OPERATORS, RULE_KINDS
from .yamlsource import LocDict, LocList

__all__ = ["Problem", "Where", "FILE_KEYS", "RULE_OPS"]

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RULE_OPS = OPERATORS  # the engine's operators (guidegen.core), not a copy


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


@dataclass
class Where:
    file: str
    line: int
    key: str
    problems: list = field(default_factory=list)

    def child(self, parent, name) -> "Where":
        if isinstance(parent, LocDict):
            line = parent.line_of(name)
        elif isinstance(parent, LocList):
            line = parent.line_of(name)
        else:
            line = self.line
        part = f"[{name}]" if isinstance(name, int) else (f".{name}" if self.key else str(name))
        # A row a bureau's call file put into a scheme (catalog/calls.py) names that file, its line and key.
        try:
            origin = getattr(parent[name], "origin_file", None)
        except (KeyError, IndexError, TypeError):
            origin = None
        if origin is not None and origin != self.file:
            value = parent[name]
            return Where(origin, value.line, value.origin_key, self.problems)
        return Where(self.file, line, self.key + part, self.problems)

    def fail(self, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, self.key or "(file)", message))


class Spec:
    def check(self, value, at: Where) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class _Scalar(Spec):
    def __init__(self, name, test):
        self.name, self.test = name, test

    def check(self, value, at):
        if not self.test(value):
            at.fail(f"expected {self.name}, got {_describe(value)}")


def _describe(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and v not in (float("inf"), float("-inf"))


STR = _Scalar("a non-empty string", lambda v: isinstance(v, str) and v.strip() != "")
INT = _Scalar("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool))
POS = _Scalar("a whole number ≥ 1", lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1)
NUM = _Scalar("a number", _is_num)
NONNEG = _Scalar("a number ≥ 0", lambda v: _is_num(v) and v >= 0)
BOOL = _Scalar("true or false", lambda v: isinstance(v, bool))
ID = _Scalar("an id in lowercase kebab-case", lambda v: isinstance(v, str) and bool(ID_RE.match(v)))
DATE = _Scalar("an ISO date YYYY-MM-DD", lambda v: isinstance(v, str) and bool(DATE_RE.match(v)))
ANY = _Scalar("a value", lambda v: True)


class Nullable(Spec):
    def __init__(self, inner):
        self.inner = inner

    def check(self, value, at):
        if value is not None:
            self.inner.check(value, at)


class Enum(Spec):
    def __init__(self, *values):
        self.values = values

    def check(self, value, at):
        if value not in self.values:
            at.fail(f"expected one of {', '.join(map(str, self.values))}, got {_describe(value)}")


class Text(Spec):
    """A bilingual text: {zh, en}, both non-empty strings."""

    def check(self, value, at):
        if not isinstance(value, dict):
            at.fail(f"expected a bilingual text {{zh, en}}, got {_describe(value)}")
            return
        for lang in ("zh", "en"):
            if lang not in value:
                at.fail(f"missing translation '{lang}'")
            elif not (isinstance(value[lang], str) and value[lang].strip()):
                at.child(value, lang).fail(f"translation '{lang}' must be a non-empty string")
        for extra in value:
            if extra not in ("zh", "en"):
                at.child(value, extra).fail("unknown key (a text has only zh and en)")


TEXT = Text()


class Obj(Spec):
    def __init__(self, required: dict, optional: dict | None = None):
        self.required, self.optional = required, optional or {}

    def check(self, value, at):
        if not isinstance(value, dict):
            at.fail(f"expected a mapping, got {_describe(value)}")
            return
        for name, spec in self.required.items():
            if name not in value:
                at.fail(f"missing required key '{name}'")
            else:
                spec.check(value[name], at.child(value, name))
        for name, item in value.items():
            if name in self.required:
                continue
            if name in self.optional:
                self.optional[name].check(item, at.child(value, name))
            else:
                allowed = ", ".join(sorted([*self.required, *self.optional]))
                at.child(value, name).fail(f"unknown key (allowed: {allowed})")


class ListOf(Spec):
    def __init__(self, inner, min_items: int = 0):
        self.inner, self.min_items = inner, min_items

    def check(self, value, at):
        if not isinstance(value, list):
            at.fail(f"expected a list, got {_describe(value)}")
            return
        if len(value) < self.min_items:
            at.fail(f"expected at least {self.min_items} item(s)")
        for i, item in enumerate(value):
            self.inner.check(item, at.child(value, i))


class Lazy(Spec):
    def __init__(self, make):
        self.make, self._spec = make, None

    def check(self, value, at):
        if self._spec is None:
            self._spec = self.make()
        self._spec.check(value, at)


CITATION = Obj({"doc": ID, "article": STR}, {"quote": STR})


class Rule(Spec):
    """The rule vocabulary: compare, declaration, all, any, not."""

    def check(self, value, at):
        if not isinstance(value, dict):
            at.fail(f"expected a rule mapping, got {_describe(value)}")
            return
        kinds = [k for k in RULE_KINDS if k in value]
        if len(kinds) != 1:
            at.fail(f"a rule needs exactly one of {', '.join(RULE_KINDS)}")
            return
        kind = kinds[0]
        if kind == "compare":
            Obj({"compare": STR, "op": Enum(*RULE_OPS)}, {"value": ANY}).check(value, at)
            if value.get("op") != "non-empty" and "value" not in value:
                at.fail("missing required key 'value'")
            v = value.get("value")
            if isinstance(v, dict):
                Obj({"fact": STR}).check(v, at.child(value, "value"))
        elif kind == "declaration":
            Obj({"declaration": ID}).check(value, at)
        elif kind in ("all", "any"):
            Obj({kind: ListOf(self, min_items=1)}).check(value, at)
        else:
            Obj({"not": self}).check(value, at)


RULE = Rule()

CONDITION = Obj(
    {"id": ID, "title": TEXT, "source": CITATION, "rule": RULE},
    {"soft": BOOL, "interpretation": TEXT, "message": TEXT, "note": TEXT,
     # an informational row (soft too): shown as "for information", not "in principle"
     "informational": BOOL,
     # issue 22: the condition belongs to one bureau's call of the scheme (its city, list, deadline)
     "scope": Enum("call")},
)

BAND = Obj({"points": NONNEG, "label": TEXT}, {"min": NUM, "max": NUM, "interpretation": TEXT})
LABELLED_POINTS = Obj({"points": NONNEG, "label": TEXT})


class Scoring(Spec):
    def check(self, value, at):
        kind = value.get("kind") if isinstance(value, dict) else None
        spec = {
            "banded": Obj({"kind": STR, "fact": STR, "bands": ListOf(BAND, 1)}),
            "choice": Obj({"kind": STR, "fact": STR,
                           "options": ListOf(Obj({"value": ANY, "points": NONNEG, "label": TEXT}), 1)}),
            "per-count": Obj({"kind": STR, "cap": NONNEG},
                             {"counts": ListOf(Obj({"fact": STR, "rate": NONNEG, "label": TEXT})),
                              "flats": ListOf(Obj({"when": RULE, "points": NONNEG, "label": TEXT}, {"group": ID}))}),
            "tiers": Obj({"kind": STR, "tiers": ListOf(Obj({"points": NONNEG, "label": TEXT, "when": RULE}), 1)},
                         {"else": LABELLED_POINTS}),
        }.get(kind)
        if spec is None:
            where = at.child(value, "kind") if isinstance(value, dict) and "kind" in value else at
            where.fail(f"unknown scoring kind {kind!r} (banded, choice, per-count, tiers)")
            return
        spec.check(value, at)


RUBRIC_ITEM = Obj(
    {"id": ID, "group": ID, "title": TEXT, "max": NONNEG, "source": CITATION, "scoring": Scoring()},
    {"category": TEXT, "interpretation": TEXT, "review": BOOL, "note": TEXT},
)
RUBRIC = Obj(
    {"pass_mark": NONNEG, "source": CITATION,
     "groups": ListOf(Obj({"id": ID, "name": TEXT, "max": NONNEG}), 1),
     "items": ListOf(RUBRIC_ITEM, 1)},
    {"interpretation": TEXT, "note": TEXT},
)
LEVEL = Obj({"id": ID, "name": TEXT, "conditions": ListOf(CONDITION)}, {"summary": TEXT, "source": CITATION})
TEXT_WITH_SOURCE = Obj({"text": TEXT}, {"source": CITATION})

# The bureau's 推荐汇总表 (summary table) of a scheme, as its notice lays it out (desk, issue #17).
SUMMARY_KINDS = ("number", "field", "period", "fixed", "scene-instances", "scenes", "remarks")
SUMMARY_VALUE = Obj({"kind": Enum(*SUMMARY_KINDS)},
                    {"path": STR, "start": STR, "end": STR, "format": Enum("year-month"), "guide": ID,
                     "text": TEXT, "flags": ListOf(Obj({"path": STR, "held": TEXT}, {"not_held": TEXT}))})
SUMMARY_TABLE = Obj(
    {"title": TEXT, "source": CITATION,
     "columns": ListOf(Obj({"header": TEXT, "value": SUMMARY_VALUE},
                           {"group": TEXT, "source": CITATION, "interpretation": TEXT}), 1)},
    {"unit_line": TEXT, "notes": ListOf(TEXT), "interpretation": TEXT},
)

# What recognition brings (issue #27): each benefit in plain words, the conditions attached
# to it, and the document's own sentence (a quote is required: it is shown as the law).
# An empty list: the document states no benefit (the page says so).
BENEFIT = Obj({"what": TEXT, "source": Obj({"doc": ID, "article": STR, "quote": STR})},
              {"conditions": TEXT, "interpretation": TEXT})

SCHEME = Obj(
    {"id": ID, "name": TEXT, "tier": Enum("national", "provincial", "municipal"), "region": TEXT,
     "year": INT, "issuer": TEXT, "source": CITATION, "conditions": ListOf(CONDITION)},
    {"applicant": TEXT, "headline": TEXT, "deadline": Nullable(DATE), "summary": TEXT,
     "interpretation": TEXT, "rubric": RUBRIC, "levels": ListOf(LEVEL),
     "procedure": ListOf(Obj({"step": TEXT}, {"deadline": Nullable(DATE), "source": CITATION, "note": TEXT,
                                               "scope": Enum("call")})),
     # issue 22: the bureau's call this scheme is encoded from: who issued it, when (the call opens),
     # for which divisions (GB/T 2260 codes; an enterprise elsewhere applies through its own bureau)
     "call": Obj({"issuer": TEXT, "opens": DATE, "source": CITATION},
                 {"region": ListOf(STR, 1), "region_name": TEXT, "note": TEXT}),
     "materials": Obj({}, {"sections": ListOf(Obj({"title": TEXT},
                                                  {"word_limit": Nullable(POS), "source": CITATION, "note": TEXT,
                                                   "required": BOOL})),
                          "attachments": ListOf(Obj({"title": TEXT}, {"source": CITATION, "note": TEXT,
                                                                      "required": BOOL, "interpretation": TEXT})),
                          "note": TEXT}),
     "kpi_lists": ListOf(ID),
     "exclusions": ListOf(Obj({"kind": Enum("one-project", "one-direction", "already-recognised"),
                               "text": TEXT, "source": CITATION},
                              {"soft": BOOL, "interpretation": TEXT, "schemes": ListOf(ID, 1),
                               "scope": Enum("call")})),
     "summary_table": SUMMARY_TABLE,
     "quotas": ListOf(TEXT_WITH_SOURCE),
     "notes": ListOf(TEXT_WITH_SOURCE),
     "benefits": ListOf(BENEFIT)},
)

SCENE = Obj({"number": POS, "name": TEXT, "description": TEXT}, {"interpretation": TEXT,
             # issue 22: a scene whose name says it is for one process type only (离散型 / 流程型)
             "process_type": Enum("discrete", "process")})
LINK = Obj({"number": POS, "name": TEXT, "scenes": ListOf(SCENE, 1)},
           {"summary": TEXT, "dimension": Enum("production", "product")})
GUIDE = Obj(
    {"id": ID, "title": TEXT, "source": CITATION,
     "expected": Obj({"links": POS, "scenes": POS}), "links": ListOf(LINK, 1)},
    {"summary": TEXT, "interpretation": TEXT,
     "areas": ListOf(Obj({"id": ID, "name": TEXT, "links": ListOf(POS), "source": CITATION},
                         {"summary": TEXT, "interpretation": TEXT})),
     "support_elements": ListOf(Obj({"id": ID, "name": TEXT,
                                     "subtypes": ListOf(Obj({"id": ID, "name": TEXT}, {"description": TEXT}), 1)},
                                    {"source": CITATION, "description": TEXT})),
     # the guide whose link numbers the sectors' key_links name (one guide at most)
     "sector_key_links": BOOL},
)

SCENE_REF = Obj({"guide": ID, "scene": POS})
CROSSWALK_ROW = Obj(
    {"from": SCENE_REF, "to": ListOf(SCENE_REF),
     "relation": Enum("same", "renamed", "merged-into", "split", "partly", "none"), "note": TEXT},
    {"interpretation": TEXT},
)

VOCAB = Obj({"id": ID, "name": TEXT}, {"source": CITATION, "description": TEXT})
SECTOR = Obj(
    {"id": ID, "name": TEXT},
    {"source": CITATION, "summary": TEXT, "sub_industries": TEXT, "key_links": ListOf(POS),
     "technologies": ListOf(ID), "modes": ListOf(ID), "rubric_source": CITATION, "interpretation": TEXT},
)
DIVISION = Obj(
    {"code": _Scalar("a division code C13–C43", lambda v: isinstance(v, str) and bool(re.match(r"^C\d\d$", v))),
     "name": TEXT, "sector": ID},
    {"basis": CITATION, "interpretation": TEXT},
)
INDICATOR = Obj({"id": ID, "name": TEXT},
                {"unit": Nullable(STR), "direction": Enum("higher", "lower", "none"), "required": BOOL,
                 "note": TEXT, "interpretation": TEXT, "source": CITATION,
                 "measure": Enum("share", "count", "amount", "change"),
                 # issue 22: what a value may be (min/max inclusive, gt/lt exclusive; warn_below: a warning)
                 "bounds": Obj({}, {"min": Nullable(NUM), "max": Nullable(NUM), "gt": Nullable(NUM), "lt": Nullable(NUM),
                                    "warn_below": NUM, "why": TEXT})})
KPI_LIST = Obj(
    {"id": ID, "name": TEXT, "source": CITATION},
    {"groups": ListOf(Obj({"name": TEXT, "indicators": ListOf(INDICATOR, 1)}, {"id": ID})),
     "indicators": ListOf(INDICATOR), "note": TEXT, "interpretation": TEXT,
     # values: what the form asks per indicator; ties: conditions whose text refers to these indicators
     "values": Enum("current", "before-after"),
     "ties": ListOf(Obj({"scheme": ID, "condition": STR}, {"indicators": ListOf(ID, 1)}))},
)
SIZE_CLASSES = Obj(
    {"source": CITATION, "classes": ListOf(Obj({"id": ID, "name": TEXT, "min_employees": NONNEG,
                                               "min_revenue_wan": NONNEG}, {"note": TEXT}), 1),
     "sme_classes": ListOf(ID, 1),
     "above_designated_size": Obj({"min_revenue_wan": NONNEG}, {"source": CITATION, "interpretation": TEXT})},
    {"industry": TEXT, "interpretation": TEXT, "note": TEXT},
)
DECLARATION = Obj({"id": ID, "label": TEXT}, {"help": TEXT, "source": CITATION})
OPTION = Obj({"value": ANY, "label": TEXT})
# Itemized lists (issue #25): one column of an entry, and what the list stands for (a plain field).
ITEM_COLUMN = Obj(
    {"key": STR, "type": Enum("string", "text", "number", "integer", "year", "month", "choice", "items"), "label": TEXT},
    {"options": ListOf(OPTION, 1), "personal": BOOL, "unit": TEXT, "min": NUM, "max": NUM, "help": TEXT,
     "source": CITATION, "required": BOOL, "unique": BOOL, "item": ANY},
)
ITEM_TOTAL = Obj(
    {"into": STR},
    {"sum": STR, "count": BOOL, "latest": STR, "window": STR, "where": ANY, "unless": ANY, "source": CITATION,
     "interpretation": TEXT},
)
FIELD = Obj(
    {"path": STR, "type": Enum("string", "integer", "number", "boolean", "date", "choice", "multi-choice", "division",
                               "scene-instances", "items"),
     "label": TEXT},
    {"help": TEXT, "source": CITATION, "unit": TEXT, "min": NUM, "max": NUM, "max_field": STR,
     "schemes": ListOf(ID, 1), "personal": BOOL,
     "options": ListOf(OPTION, 1),
     "options_from": Enum("technologies", "modes", "sectors", "support-elements"),
     "item": ListOf(ITEM_COLUMN, 1), "totals": ListOf(ITEM_TOTAL, 1),
     # issue 22: one title answered in this field counts in another (a count at least `value`)
     "implies": ListOf(Obj({"path": STR, "value": NUM, "source": CITATION, "interpretation": TEXT}), 1)},
)
# A gate (issue #24): one yes/no question asked before the fields behind it; "no" answers
# each of them (0 / false / the "none" option / an empty list) at once.
GATE = Obj({"id": ID, "question": TEXT, "paths": ListOf(STR, 1)}, {"help": TEXT})
# `step`: the calculator step that asks the section (sections sharing a step are asked together).
SECTION = Obj({"id": ID, "title": TEXT, "fields": ListOf(FIELD, 1)}, {"help": TEXT, "step": ID, "gates": ListOf(GATE, 1)})
FACT = Obj({"path": STR, "label": TEXT}, {"unit": TEXT})
SOURCE = Obj(
    {"id": ID, "file": STR, "title": TEXT, "issuer": TEXT, "number": Nullable(STR), "date": Nullable(DATE)},
    {"status": TEXT, "notes": TEXT,
     # issue 22: which edition of which documents this text is, and later editions announced (not among the sources)
     "edition": TEXT, "later": TEXT},
)

# Where the administrative divisions come from (compiled into bundle["regions"]).
# issue 22: the overlay of changes after the package's data — units set up since (`additions`, compiled in by
# `make regions`) and abolished units with their successors (`successors`) — each citing the approval or
# announcement as published (issuer, date, number: null where not verified) and where it was read (`read_in`);
# the texts themselves are not among this project's sources.
REGION_SOURCE = Obj({"issuer": Nullable(TEXT), "title": Nullable(STR), "date": STR},
                    {"number": Nullable(STR), "note": TEXT, "read_in": TEXT})
REGIONS = Obj({"package": STR, "romanization": STR}, {"note": TEXT, "interpretation": TEXT,
              "additions": ListOf(Obj({"code": STR, "name": STR, "parent": STR, "since": STR,
                                       "source": REGION_SOURCE}, {"note": TEXT})),
              "successors": ListOf(Obj({"code": STR, "name": STR, "successor": STR, "since": STR,
                                        "source": REGION_SOURCE}, {"note": TEXT}))})
# One official term and its single English rendering; `variants` are other accepted
# spellings of the same rendering (plural, capitalisation is ignored anyway).
GLOSSARY_TERM = Obj({"zh": STR, "en": STR}, {"variants": ListOf(STR), "note": STR, "source": CITATION})

# The application form of one scheme (catalogs/forms/SCHEME.yaml): its parts in the document's order.
FORM_ROW = Obj({"label": TEXT},
               {"fill": STR, "choices": ListOf(Obj({"value": ANY, "label": TEXT}), 1), "tick": BOOL, "note": TEXT,
                "format": Enum("year-month", "org-code"),
                # issue #25: more cells of one row, remarks as Word comments, list-fed cells
                "join": ListOf(STR, 1), "separator": STR, "also": ListOf(STR, 1), "comment": TEXT, "blank": TEXT,
                "only_for": ListOf(ID, 1), "sum": ANY, "detail": STR, "tick_all": BOOL, "pending_field": BOOL,
                "optional": BOOL, "always": BOOL})
# issue #25: the form's own tables (columns as printed, rows from a profile list) and per-scene forms
FORM_COLUMN = Obj({"header": TEXT}, {"key": STR, "hint": TEXT})
FORM_SOURCE = Obj({"list": STR}, {"match": STR, "where": ANY, "rename": ANY})
FORM_CELL = Obj({"label": TEXT}, {"from": Enum("link", "scene", "instance", "scene-instance", "period", "number", "blank"),
                                  "key": STR, "part": ID, "hint": TEXT})
FORM_PART = Obj(
    {"kind": Enum("heading", "fields", "narrative", "scenes", "kpis", "attachments", "text",
                  "table", "years", "scene-form", "scene-tables"), "source": CITATION},
    {"id": ID, "title": TEXT, "level": Enum(1, 2), "rows": ListOf(FORM_ROW, 1), "word_limit": Nullable(POS),
     "min_words": POS, "prompt": TEXT, "required": BOOL, "per_scene": BOOL, "guide": ID,
     "style": Enum("list", "table", "numbered-table", "none"), "list": ID, "text": TEXT, "note": TEXT,
     "comment": TEXT, "applying": STR, "unit_in_name": BOOL, "other_row": TEXT, "outline": BOOL, "count_with": ListOf(ID, 1),
     "items": ANY, "window": STR, "columns": ListOf(FORM_COLUMN, 1), "labels": ANY, "total": ANY,
     "optional": BOOL, "sources": ListOf(FORM_SOURCE, 1), "corner": TEXT, "years": ANY,
     "year_headers": ListOf(TEXT, 1), "lines": ListOf(Obj({"label": TEXT, "key": STR}), 1),
     "cells": ListOf(FORM_CELL, 1), "arrangement": Enum("rows", "columns"), "label": TEXT,
     "tables": ListOf(Obj({"columns": ListOf(FORM_COLUMN, 1), "sources": ListOf(FORM_SOURCE, 1)}), 1)},
)
APPLICATION_FORM = Obj(
    {"schemes": ListOf(ID, 1), "title": TEXT, "source": CITATION,
     "layout": Obj({"paper": Enum("A4"), "stated": BOOL},
                   {"body_font": TEXT, "body_size_pt": NONNEG, "heading_fonts": ListOf(TEXT), "note": TEXT,
                    "source": CITATION}),
     "parts": ListOf(FORM_PART, 1)},
    {"cover": ListOf(FORM_ROW, 1), "note": TEXT, "issuer": ListOf(TEXT, 1)},
)

# top-level key -> (spec of the value, whether it is a list merged across files)
FILE_KEYS = {
    "sources": (ListOf(SOURCE), True),
    "guide": (GUIDE, False),
    "crosswalk": (ListOf(CROSSWALK_ROW), True),
    "technologies": (ListOf(VOCAB), True),
    "modes": (ListOf(VOCAB), True),
    "sectors": (ListOf(SECTOR), True),
    "divisions": (ListOf(DIVISION), True),
    "kpi_lists": (ListOf(KPI_LIST), True),
    "size_classes": (SIZE_CLASSES, False),
    "declarations": (ListOf(DECLARATION), True),
    "sections": (ListOf(SECTION), True),
    "facts": (ListOf(FACT), True),
    "scheme": (SCHEME, False),
    "application_form": (APPLICATION_FORM, False),
    "regions": (REGIONS, False),
    "glossary": (ListOf(GLOSSARY_TERM), True),
}
