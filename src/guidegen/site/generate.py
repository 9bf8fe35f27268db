"""Generate the guide's markdown pages from a validated catalog.

Engine-independent: ``render_tree`` writes a tree of markdown files in the
suffix layout of mkdocs-static-i18n (``page.md`` in Chinese, ``page.en.md`` in
English) and imports nothing from MkDocs. The MkDocs plugin
(``guidegen.site.plugin``) and ``guidegen render OUT_DIR`` both call it.

Escaping: every piece of catalog text reaches the markdown through
``md_text``, which first backslash-escapes the characters markdown would act on
(so ``*``, ``_``, ``[``, ``|`` … stay literal and a table cell stays one cell)
and then HTML-escapes the result (so ``<script>`` is shown, never run).
Jinja's autoescape covers every other value a template prints.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup

from ..core import key_link_guide, rule_kind, rule_parts
from .edition import EditionError, guides_read, resolve as resolve_edition
from .messages import load_messages

__all__ = [
    "LANGS", "DEFAULT_LANG", "SiteOptions", "SiteOptionsError", "UI", "render_tree",
    "navigation", "neutral_pages", "md_text", "page_file", "CALCULATOR_TEMPLATE",
]

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
# The calculator page is rendered by the calculator engineer's theme override; until
# that template exists an emitted calculator page would fail the build, so it is guarded.
CALCULATOR_TEMPLATE = HERE / "overrides" / "calculator.html"
DESK_TEMPLATE = HERE / "overrides" / "desk.html"

# Hand-written pages may hold these markers; render_tree replaces each with the
# generated fragment in the page's language (links relative to that page).
MARKER_RE = re.compile(r"<!--\s*guidegen:([a-z-]+)\s*-->")
FRAGMENTS = {"schemes-at-a-glance": "fragments/at-a-glance.md.j2",
             "entry-points": "fragments/entry-points.md.j2",
             # per edition: the published schemes, guides and where to go next
             "scheme-list": "fragments/scheme-list.md.j2",
             "guide-list": "fragments/guide-list.md.j2",
             "guide-notes": "fragments/guide-notes.md.j2",
             # the how-to's pointer to the comparison page, where the edition has one
             "compare-note": "fragments/compare-note.md.j2",
             # the home page's call to action, where the edition has the calculator
             "calculator-cta": "fragments/calculator-cta.md.j2"}

# Search weights (Pagefind's data-pagefind-weight: 1 for running text, 5 to 7 for headings,
# at most 10), so that a query for a scene's subject finds the scene's own entry first
# (guidegen.site.search): a scene's heading weighs most, its link's heading less (the link
# is not the scene), and a mention of a scene in a table or list of references (crosswalk,
# sector pages, the guides' index) hardly at all.
SEARCH_WEIGHT = {"scene": "10", "link": "3", "table": "0.2", "reference": "0.1",
                 # the one-line summary under "what recognition brings" and "materials": a
                 # question about funding or documents lands on that section first
                 "answer": "3",
                 # KPI lists (reference tables): found after the scenes whose results they measure
                 "kpi": "0.5"}
# What is left of a scene description once its link's and its own names are taken out,
# when it says nothing else: punctuation and the word "link" (SiteModel.restates_name).
_FILLER = re.compile(r"[\W_]+|环节|\blink\b", re.IGNORECASE)
# Where a rule's value goes, to split "覆盖的建设环节包含全部：" from the value (comparison_cells).
_VALUE_SLOT = "\u0000"
_GLOSS = re.compile(r"\s*[（(][^（()）]*[)）]")
# Schema enum order, not a number from a document: national schemes first.
TIER_ORDER = ("national", "provincial", "municipal")

# ------------------------------------------------------------------ UI strings
# Every heading and label the templates print, in both languages, from messages.yaml
# (one file with the calculator's words). Catalog text never goes there.
UI: dict[str, dict[str, str]] = load_messages("site")


def ui(key: str, lang: str, **values) -> str:
    """One UI string in ``lang``, with ``{name}`` placeholders filled in."""
    text = UI[key][lang]
    return text.format(**values) if values else text


# ------------------------------------------------------------------ escaping

# Characters Python-Markdown (with the tables and attr_list extensions) acts on
# anywhere in a line; a backslash makes each literal. '<' and '>' and '&' are
# left to the HTML escape that follows.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#!])")


def md_text(value: Any, *, newline: str = "<br>") -> Markup:
    """Catalog text as markdown that renders exactly as the text, never as markup.

    Lines are stripped (a leading indent would start a code block) and joined
    with ``newline`` (``<br>`` keeps a table cell or a heading on one line).
    """
    if value is None:
        return Markup("")
    lines = str(value).splitlines() or [""]
    # Leading blanks would make an indented code block; inner lines lose them all.
    lines = [line.strip() for line in lines] if len(lines) > 1 else [lines[0].lstrip()]
    return Markup(newline.join(html.escape(_MD_SPECIAL.sub(r"\\\1", line), quote=True) for line in lines))


def number_text(x) -> str:
    """3.0 → '3', 0.5 → '0.5': the catalog's decimals as people write them."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


# ------------------------------------------------------------------ options

class SiteOptionsError(ValueError):
    """SiteOptions name a scheme or guide the catalog does not define."""


@dataclass(frozen=True)
class SiteOptions:
    """What to publish. Empty tuples mean everything in the catalog.

    ``docs_dir``: hand-written pages to merge in (copied, markers expanded);
    None looks for a ``docs/`` folder beside the catalog folder.
    ``calculator``: emit the calculator page; None emits it exactly when the
    calculator's theme template exists (see CALCULATOR_TEMPLATE).
    """

    schemes: tuple[str, ...] = ()
    guides: tuple[str, ...] = ()
    docs_dir: Path | None = None
    calculator: bool | None = None
    # bench/results.json for the Performance page; None looks beside the catalog folder.
    benchmarks: Path | None = None


# ------------------------------------------------------------------ the site model

def page_file(path: str, lang: str) -> str:
    """'schemes/x.md' → 'schemes/x.en.md' for English (mkdocs-static-i18n suffix layout)."""
    if lang == DEFAULT_LANG:
        return path
    stem, ext = posixpath.splitext(path)
    return f"{stem}.{lang}{ext}"


def _lang_of(file_name: str) -> str:
    for lang in LANGS:
        if lang != DEFAULT_LANG and file_name.endswith(f".{lang}.md"):
            return lang
    return DEFAULT_LANG


def _walk_rule(rule: Mapping, alternative: bool = False, negated: bool = False) -> Iterator[tuple[Mapping, bool, bool]]:
    """Yield (rule leaf, inside an `any`, inside a `not`) for every compare/declaration
    (the rule tree's shape from guidegen.core: rule_kind, rule_parts)."""
    kind = rule_kind(rule)
    if kind not in ("all", "any", "not"):
        yield rule, alternative, negated
        return
    for part in rule_parts(rule):
        yield from _walk_rule(part, alternative or (kind == "any" and len(rule["any"]) > 1), negated != (kind == "not"))


@dataclass
class Requirement:
    """One comparable requirement pulled out of a scheme's rules (for the comparison table)."""

    fact: str
    op: str
    value: Any
    soft: bool
    alternative: bool
    level: Mapping | None = None


class SiteModel:
    """The catalog as the pages see it: what is published, labels, cross-references, links."""

    def __init__(self, catalog, options: SiteOptions):
        self.catalog = catalog
        self.options = options
        try:
            # What this edition publishes follows from `publish` (guidegen.site.edition):
            # the guides its schemes read, its sources, KPI lists, sector pages, crosswalk.
            self.edition = resolve_edition(catalog.bundle(), schemes=options.schemes, guides=options.guides)
        except EditionError as exc:
            raise SiteOptionsError(str(exc)) from None
        self.schemes = sorted((catalog.schemes[s] for s in self.edition.schemes),
                              key=lambda s: (TIER_ORDER.index(s["tier"]), -s["year"], s["id"]))
        # Newest document first: the guide a reader most likely needs now.
        self.guides = sorted((catalog.guides[g] for g in self.edition.guides),
                             key=lambda g: (catalog.sources[g["source"]["doc"]].get("date") or "", g["id"]),
                             reverse=True)
        self.guide_ids = {g["id"] for g in self.guides}
        self.scheme_ids = {s["id"] for s in self.schemes}
        # The comparison page compares: an edition of one scheme has none (its scheme page
        # already says everything the one column would), nor links to one.
        self.has_compare = len(self.schemes) >= 2
        if options.calculator is None:
            self.calculator = CALCULATOR_TEMPLATE.is_file()
        else:
            self.calculator = options.calculator
        self._labels = self._fact_labels()
        self._scenes = {gid: {sc["number"]: (link, sc) for link in g["links"] for sc in link["scenes"]}
                        for gid, g in catalog.guides.items()}
        # Only the crosswalk rows between published guides (none with fewer than two).
        self.has_crosswalk = self.edition.has_crosswalk
        self.crosswalk = [catalog.crosswalk[i] for i in self.edition.crosswalk] if self.has_crosswalk else []
        self._crosswalk_from = {(r["from"]["guide"], r["from"]["scene"]): r for r in self.crosswalk}
        # Guides the crosswalk maps into (the 2024 guide): the hub of the crosswalk table.
        self.hub_guides = sorted({t["guide"] for r in self.crosswalk for t in r["to"]})
        self.mapped_guides = sorted({r["from"]["guide"] for r in self.crosswalk})
        self.sources = [sid for sid in catalog.sources if sid in self.edition.sources]
        self.kpi_lists = self.edition.kpi_lists
        # Sector pages: when a published rule reads the sector, or the guide that numbers
        # the sectors' key links is published.
        # The guide that numbers the sectors' key links: catalog data (sector_key_links: true).
        self.key_guide = key_link_guide(catalog.guides)
        self.industries = self.edition.sectors or self.key_guide in self.guide_ids

    # ---- labels
    def _fact_labels(self) -> dict[str, dict]:
        labels: dict[str, dict] = {}
        for section in self.catalog.profile_sections:
            for f in section["fields"]:
                labels[f["path"]] = {"label": f["label"], "unit": f.get("unit"), "options": f.get("options", ()),
                                     "options_from": f.get("options_from")}
        for path, f in self.catalog.facts.items():
            labels.setdefault(path, {"label": f["label"], "unit": f.get("unit"), "options": (), "options_from": None})
        return labels

    def fact_label(self, path: str, lang: str) -> str:
        info = self._labels.get(path)
        return info["label"][lang] if info else path

    def fact_unit(self, path: str, lang: str) -> str:
        info = self._labels.get(path)
        unit = info.get("unit") if info else None
        return unit[lang] if unit else ""

    def _vocab_label(self, value, lang: str) -> str | None:
        """The name of an id from the catalog's vocabularies, if it is one."""
        if not isinstance(value, str):
            return None
        if value in self.catalog.sectors:
            return self.catalog.sectors[value]["name"][lang]
        for vocab in (self.catalog.technologies, self.catalog.modes):
            for item in vocab:
                if item["id"] == value:
                    return item["name"][lang]
        for g in self.catalog.guides.values():
            for area in g.get("areas", ()):
                if area["id"] == value:
                    return area["name"][lang]
        for c in self.catalog.size_classes["classes"]:
            if c["id"] == value:
                return c["name"][lang]
        return None

    def value_text(self, path: str, value, lang: str) -> str:
        if isinstance(value, Mapping) and "fact" in value:
            return self.fact_label(value["fact"], lang)
        if isinstance(value, (list, tuple)):
            return ui("list_sep", lang).join(self.value_text(path, v, lang) for v in value)
        if isinstance(value, bool):
            return ui("yes" if value else "no", lang)
        info = self._labels.get(path)
        if info:
            for opt in info["options"]:
                if opt["value"] == value:
                    return opt["label"][lang]
        named = self._vocab_label(value, lang)
        if named:
            return named
        if isinstance(value, (int, float)):
            return number_text(value)
        return str(value)

    def rule_text(self, rule: Mapping, lang: str, top: bool = True) -> str:
        """A rule in plain words: '智能制造能力成熟度等级 ≥ 2 或 …'."""
        if "all" in rule or "any" in rule:
            kind = "all" if "all" in rule else "any"
            parts = [self.rule_text(p, lang, top=False) for p in rule[kind]]
            joined = ui("and" if kind == "all" else "or", lang).join(parts)
            return joined if top else f"({joined})"
        if "not" in rule:
            return ui("rule.not", lang, inner=self.rule_text(rule["not"], lang))
        if "declaration" in rule:
            decl = self.catalog.declarations.get(rule["declaration"])
            return ui("rule.declaration", lang, label=decl["label"][lang] if decl else rule["declaration"])
        path, op = rule["compare"], rule["op"]
        label = self.fact_label(path, lang)
        if op == "non-empty":
            return ui("rule.non-empty", lang, label=label)
        value = self.value_text(path, rule.get("value"), lang)
        if op == "==" and rule.get("value") is True:
            return label  # "具有独立法人资格", not "具有独立法人资格 = 是"
        symbols = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
        if op in symbols:
            unit = self.fact_unit(path, lang)
            if isinstance(rule.get("value"), (int, float)) and not isinstance(rule.get("value"), bool) and unit:
                value = f"{value} {unit}"
            return f"{label} {symbols[op]} {value}"
        return ui(f"rule.{op}", lang, label=label, value=value)

    def scoring_lines(self, item, lang: str) -> list[str]:
        """How a rubric item gives points, one line per band, option, rate or tier."""
        sc = item["scoring"]
        kind = sc["kind"]
        if kind == "banded":
            return [b["label"][lang] for b in sc["bands"]]
        if kind == "choice":
            return [o["label"][lang] for o in sc["options"]]
        if kind == "tiers":
            lines = [t["label"][lang] for t in sc["tiers"]]
            if sc.get("else"):
                lines.append(ui("rubric.otherwise", lang) + ui("colon", lang) + sc["else"]["label"][lang])
            return lines
        lines = [c["label"][lang] for c in sc.get("counts", ())]
        for f in sc.get("flats", ()):
            extra = f" ({ui('rubric.highest_of_group', lang)})" if f.get("group") else ""
            lines.append(f["label"][lang] + extra)
        lines.append(ui("rubric.cap", lang, cap=number_text(sc["cap"])))
        return lines

    # ---- sources and citations
    def cite(self, citation: Mapping, lang: str) -> dict:
        doc = self.catalog.sources.get(citation["doc"])
        return {"doc": citation["doc"], "title": doc["title"][lang] if doc else citation["doc"],
                "article": citation.get("article", ""), "quote": citation.get("quote"),
                "published": self.published_source(citation),
                # issue 22: which edition the document is, its date, and later editions announced
                "date": doc.get("date") if doc else None,
                "edition": doc["edition"][lang] if doc and doc.get("edition") else None,
                "later": doc["later"][lang] if doc and doc.get("later") else None}

    def published_source(self, citation) -> bool:
        """A citation of a document this edition publishes (others are not named at all)."""
        return bool(citation) and citation.get("doc") in self.edition.sources

    # ---- guides and scenes
    def scene(self, guide_id: str, number: int):
        return self._scenes[guide_id][number]

    def crosswalk_from(self, guide_id: str, number: int):
        return self._crosswalk_from.get((guide_id, number))

    def crosswalk_into(self, hub_id: str, number: int) -> list:
        return [r for r in self.crosswalk if any(t["guide"] == hub_id and t["scene"] == number for t in r["to"])]

    def guide_titles(self, guide_ids, lang: str) -> str:
        """'《A》、《B》': guide titles joined for a sentence."""
        return ui("list_sep", lang).join(self.catalog.guides[g]["title"][lang] for g in guide_ids)

    def guide_users(self, guide_id: str) -> list[str]:
        """Published schemes whose rules read this guide's scenes."""
        return [s["id"] for s in self.schemes if guide_id in guides_read(s)]

    def restates_name(self, link, scene, lang: str) -> bool:
        """A scene description that only repeats its link's and its own name ("计划调度环节：
        车间智能排产。"): the Changzhou form lists scenes by name only, so the page says that
        instead of a sentence that says nothing."""
        text = (scene.get("description") or {}).get(lang, "").casefold()
        names = {link["name"][lang], scene["name"][lang]}
        names |= {_GLOSS.sub("", n) for n in names}  # "Process design (工艺设计)" is "Process design"
        # the longer name first: a scene's name may hold its link's (工厂建设 in 数字孪生工厂建设)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name.casefold(), " ")
        return not _FILLER.sub("", text)

    def guide_counts(self, guide) -> dict:
        return {"links": len(guide["links"]), "scenes": sum(len(l["scenes"]) for l in guide["links"])}

    # ---- comparison: requirements read from the rules
    def requirements(self, scheme) -> list[Requirement]:
        out: list[Requirement] = []

        def collect(conditions, level=None):
            for c in conditions:
                for leaf, alternative, negated in _walk_rule(c["rule"]):
                    if "compare" in leaf and not negated:
                        out.append(Requirement(leaf["compare"], leaf["op"], leaf.get("value"),
                                               bool(c.get("soft")), alternative, level))

        collect(scheme["conditions"])
        for level in scheme.get("levels", ()):
            collect(level["conditions"], level)
        return out

    # Facts a comparison column is named after (profile contract paths, not document numbers).
    PRIMARY_FACTS = ("maturity.level", "derived.investment_total_wan")

    def comparison_cells(self, scheme, lang: str) -> dict[str, list[str]]:
        """Per comparison column, the requirements of one scheme in words (deduplicated)."""

        def column(fact: str) -> str | None:
            parts = fact.split(".")
            if parts[0] == "maturity":
                return "maturity"
            if parts[0] == "coverage":
                return "scenes" if parts[-1] == "scenes" or "support" in parts else "links"
            if fact.startswith("derived.investment") or fact.startswith("investment_wan."):
                return "investment"
            if fact in ("derived.sme", "derived.size_class", "derived.above_designated_size",
                        "enterprise.revenue_wan", "enterprise.employees"):
                return "size"
            return None

        def marks(req) -> str:
            found = [ui("soft", lang)] if req.soft else []
            if req.alternative:
                found.append(ui("alternative", lang))
            if not found:
                return ""
            return f"（{'，'.join(found)}）" if lang == "zh" else f" ({'; '.join(found)})"

        cells: dict[str, list[str]] = {k: [] for k in ("maturity", "links", "scenes", "investment", "size")}
        ladder: dict[tuple, list] = {}   # (column, fact, op) -> the levels' requirements, in order
        for req in self.requirements(scheme):
            col = column(req.fact)
            if col is None:
                continue
            if req.level is not None:
                ladder.setdefault((col, req.fact, req.op), []).append(req)
                continue
            text = self.rule_text({"compare": req.fact, "op": req.op, "value": req.value}, lang)
            if req.fact in self.PRIMARY_FACTS and text.startswith(self.fact_label(req.fact, lang)):
                # the column names the fact already: "≥ 2" rather than "成熟度等级 ≥ 2"
                text = text[len(self.fact_label(req.fact, lang)):].strip()
            text += marks(req)
            if text not in cells[col]:
                cells[col].append(text)
        # A ladder repeats one requirement at every level: say what is required once, then
        # each level by its short name with its value (a list growing from level to level
        # as "+ what is added"), instead of the whole sentence four times in one cell.
        short = self.level_short_names(scheme, lang)
        colon = ui("colon", lang)
        for (col, fact, op), reqs in ladder.items():
            head = self.rule_text({"compare": fact, "op": op, "value": _VALUE_SLOT}, lang).split(_VALUE_SLOT)[0]
            primary = fact in self.PRIMARY_FACTS and head.startswith(self.fact_label(fact, lang))
            if not primary:
                cells[col].append(head.rstrip(" ：:") + colon.rstrip())
            previous = None
            for req in reqs:
                value = self.rule_text({"compare": fact, "op": op, "value": req.value}, lang)[len(head):].strip()
                if isinstance(req.value, (list, tuple)) and isinstance(previous, (list, tuple)) \
                        and set(previous) <= set(req.value):
                    added = [v for v in req.value if v not in previous]
                    value = "+ " + self.value_text(fact, added, lang) if added else ui("compare.same", lang)
                previous = req.value
                name = short.get(req.level["id"], req.level["name"][lang])
                if primary:  # "基础级 ≥ 2"
                    line = f"{name} {head[len(self.fact_label(fact, lang)):].strip()} {value}"
                else:
                    line = f"{name}{colon}{value}"
                cells[col].append(line + marks(req))
        return cells

    def level_short_names(self, scheme, lang: str) -> dict[str, str]:
        """Level names without what they share: 基础级 for 基础级智能工厂, Basic for Basic smart factory."""
        names = {lvl["id"]: lvl["name"][lang] for lvl in scheme.get("levels", ())}
        if len(names) < 2:
            return names
        suffix = posixpath.commonprefix([n[::-1] for n in names.values()])[::-1]
        suffix = suffix[1:] if suffix.startswith("级") else suffix  # 基础级, not 基础
        if not suffix.strip() or any(len(n) <= len(suffix) for n in names.values()):
            return names
        return {k: n[: -len(suffix)].strip() for k, n in names.items()}

    def scoring_text(self, scheme, lang: str) -> str:
        r = scheme.get("rubric")
        if r:
            total = sum(g["max"] for g in r["groups"])
            return ui("scoring.yes", lang, total=number_text(total), pass_mark=number_text(r["pass_mark"]))
        if scheme.get("levels"):
            short = self.level_short_names(scheme, lang)
            return ui("scoring.levels", lang, levels=ui("list_sep", lang).join(short[l["id"]] for l in scheme["levels"]))
        return ui("scoring.no", lang)

    # ---- industries: what a scheme asks of a sector
    def sector_mentions(self, scheme, sector_id: str) -> list[dict]:
        """Conditions and rubric items of a scheme whose rules depend on this sector."""
        sector = self.catalog.sectors[sector_id]
        sector_lists = {f"coverage.{self.key_guide}.sector_key_links": bool(sector.get("key_links")),
                        "sector.technologies": bool(sector.get("technologies")),
                        "sector.modes": bool(sector.get("modes"))}
        # The guides whose scenes the sector page lists against its key links: a scheme that
        # counts the links or scenes of one of them (any scheme with a scene threshold, not
        # only those naming the sector) scores or requires those scenes too.
        listed = {self.key_guide, *self.hub_guides, *self.mapped_guides} \
            if sector.get("key_links") and self.key_guide in self.guide_ids else set()

        def reads_listed_scenes(fact: str) -> bool:
            parts = fact.split(".")  # coverage.GUIDE.links / scenes / areas / link_numbers
            return len(parts) >= 3 and parts[0] == "coverage" and parts[1] in listed and parts[2] != "support"

        def concerns(rule) -> str | None:
            """'applies' when the rule depends on this sector, 'excludes' when it shuts the
            sector out (a sector test outside any alternative that the sector fails)."""
            excludes = False
            for leaf, alternative, negated in _walk_rule(rule):
                if "compare" not in leaf:
                    continue
                fact, value = leaf["compare"], leaf.get("value")
                if isinstance(value, Mapping):
                    fact = value.get("fact", fact)
                if fact == "derived.sector" and not isinstance(value, Mapping):
                    values = value if isinstance(value, (list, tuple)) else [value]
                    included = sector_id in values
                    if leaf["op"] in ("!=", "not-in"):
                        included = not included
                    if included != negated:
                        return "applies"
                    if not alternative:
                        excludes = True
                elif sector_lists.get(fact) or reads_listed_scenes(fact):
                    return "applies"
            return "excludes" if excludes else None

        found = []
        conditions = [(c, None) for c in scheme["conditions"]]
        conditions += [(c, lvl) for lvl in scheme.get("levels", ()) for c in lvl["conditions"]]
        for c, lvl in conditions:
            how = concerns(c["rule"])
            if how:
                found.append({"kind": "soft" if c.get("soft") else "hard", "title": c["title"],
                              "anchor": f"condition-{c['id']}", "points": None, "level": lvl,
                              "excludes": how == "excludes"})
        for item in (scheme.get("rubric") or {}).get("items", ()):
            sc = item["scoring"]
            rules = [t["when"] for t in sc.get("tiers", ())] + [f["when"] for f in sc.get("flats", ())]
            facts = [sc.get("fact")] + [c["fact"] for c in sc.get("counts", ())]
            # A rubric tier the sector cannot reach is not a requirement: only what scores it.
            if any(concerns(r) == "applies" for r in rules) \
                    or any(sector_lists.get(f) or reads_listed_scenes(f) for f in facts if f):
                found.append({"kind": "rubric", "title": item["title"], "anchor": f"item-{item['id']}",
                              "points": number_text(item["max"]), "level": None, "excludes": False})
        return found

    def sector_scene_rows(self, sector) -> list[dict]:
        """Key links of a sector with their 2021 scenes and the matching scenes of every other guide."""
        rows = []
        if self.key_guide not in self.catalog.guides:
            return rows
        guide = self.catalog.guides[self.key_guide]
        for n in sector.get("key_links", ()):
            link = guide["links"][n - 1]
            for sc in link["scenes"]:
                row = {"link": link, "scene": sc, "matches": {}}
                xw = self.crosswalk_from(self.key_guide, sc["number"])
                hub_scenes = [(t["guide"], t["scene"]) for t in xw["to"]] if xw else []
                for gid, num in hub_scenes:
                    row["matches"].setdefault(gid, []).append(num)
                # Other mapped guides (Changzhou) meet the 2021 guide through the hub.
                for other in self.mapped_guides:
                    if other == self.key_guide:
                        continue
                    nums = sorted({r["from"]["scene"] for gid, num in hub_scenes for r in self.crosswalk_into(gid, num)
                                   if r["from"]["guide"] == other})
                    if nums:
                        row["matches"][other] = nums
                rows.append(row)
        return rows


# ------------------------------------------------------------------ pages

@dataclass
class PageSpec:
    path: str                     # language-neutral path, e.g. 'schemes/x.md'
    template: str
    context: dict = field(default_factory=dict)


def _pages(site: SiteModel) -> list[PageSpec]:
    pages = [PageSpec("schemes/index.md", "schemes-index.md.j2")]
    if site.has_compare:
        pages.append(PageSpec("schemes/compare.md", "compare.md.j2"))
    pages += [PageSpec(f"schemes/{s['id']}.md", "scheme.md.j2", {"scheme": s}) for s in site.schemes]
    pages.append(PageSpec("guides/index.md", "guides-index.md.j2"))
    pages += [PageSpec(f"guides/{g['id']}.md", "guide.md.j2", {"guide": g}) for g in site.guides]
    if site.has_crosswalk:
        pages.append(PageSpec("guides/crosswalk.md", "crosswalk.md.j2"))
    if site.industries:
        pages.append(PageSpec("industries/index.md", "industries-index.md.j2"))
        pages += [PageSpec(f"industries/{sid}.md", "sector.md.j2", {"sector": s}) for sid, s in site.catalog.sectors.items()]
    pages += [PageSpec("kpis.md", "kpis.md.j2"), PageSpec("sources.md", "sources.md.j2")]
    # issue #23; an edition without a published rubric plans nothing (its bundle has no plan costs)
    if site.catalog.plan_costs is not None and site.catalog.maturity_levels is not None and site.edition.plans:
        pages.append(PageSpec("plans.md", "plans.md.j2"))
    if site.calculator:
        pages.append(PageSpec("calculator.md", "calculator.md.j2"))
        if DESK_TEMPLATE.is_file():  # the bureau desk shares the calculator's runtime
            pages.append(PageSpec("desk.md", "desk.md.j2"))
    # The project's own measurements, on the whole catalog: not part of a bureau's edition.
    results = _benchmark_results(site.catalog, site.options) if site.edition.complete else None
    if results:
        pages.append(PageSpec("performance.md", "performance.md.j2", {"bench": results}))
    return pages


def _benchmark_results(catalog, options: SiteOptions) -> dict | None:
    """The benchmark figures (bench/results.json), if a run has written them."""
    path = options.benchmarks or Path(catalog.root).parent / "bench" / "results.json"
    if not Path(path).is_file():
        return None
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) and data.get("groups") else None


class _OptionalUndefined(StrictUndefined):
    """A missing key is false in an ``{% if %}`` (catalog keys are often optional),
    but printing or iterating it is still an error, so template typos surface."""

    def __bool__(self) -> bool:
        return False


def _environment(site: SiteModel) -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=_OptionalUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)

    @pass_context
    def t(ctx, text, newline="<br>"):
        """A bilingual catalog text in the page's language, escaped."""
        if text is None:
            return Markup("")
        return md_text(text[ctx["lang"]] if isinstance(text, Mapping) else text, newline=newline)

    @pass_context
    def paragraphs(ctx, text):
        """Multi-line catalog text as separate markdown paragraphs."""
        return t(ctx, text, newline="\n\n")

    @pass_context
    def _(ctx, key, **values):
        return md_text(ui(key, ctx["lang"], **{k: number_text(v) for k, v in values.items()}))

    @pass_context
    def href(ctx, target: str, anchor: str | None = None):
        """A link from the current page to ``target`` (a language-neutral page path)."""
        here = posixpath.dirname(ctx["page"])
        rel = posixpath.relpath(target, here or ".")
        return Markup(html.escape(rel + (f"#{anchor}" if anchor else ""), quote=True))

    @pass_context
    def rule_text(ctx, rule):
        return md_text(site.rule_text(rule, ctx["lang"]))

    @pass_context
    def cite(ctx, citation):
        return site.cite(citation, ctx["lang"])

    @pass_context
    def scene_ref(ctx, guide_id, number):
        """'[7 生产计划优化](../guides/miit-2024.md#scene-7)', or plain text when the guide is not published."""
        _link, scene = site.scene(guide_id, number)
        text = md_text(f"{number} {scene['name'][ctx['lang']]}")
        # A mention of a scene, not the scene: weighed low by the search index.
        weight = SEARCH_WEIGHT["reference"]
        if guide_id in site.guide_ids:
            return Markup(f"[{text}]({href(ctx, f'guides/{guide_id}.md', f'scene-{number}')})"
                          f'{{ data-pagefind-weight="{weight}" }}')
        return Markup(f'<span data-pagefind-weight="{weight}">{text}</span>')

    @pass_context
    def guide_ref(ctx, guide_id):
        g = site.catalog.guides[guide_id]
        text = md_text(g["title"][ctx["lang"]])
        if guide_id in site.guide_ids:
            return Markup(f"[{text}]({href(ctx, f'guides/{guide_id}.md')})")
        return text

    @pass_context
    def scheme_ref(ctx, scheme_id, anchor=None):
        s = site.catalog.schemes[scheme_id]
        text = md_text(s["name"][ctx["lang"]])
        if scheme_id in site.scheme_ids:
            return Markup(f"[{text}]({href(ctx, f'schemes/{scheme_id}.md', anchor)})")
        return text

    @pass_context
    def unit_text(ctx, unit):
        """A KPI's unit in the page's language: the documents give them in Chinese (个, 万元)."""
        if not unit:
            return Markup("—")
        if isinstance(unit, Mapping):
            return md_text(unit[ctx["lang"]])
        key = f"unit.{unit}"
        return md_text(ui(key, ctx["lang"]) if key in UI else unit)

    env.filters.update(t=t, paragraphs=paragraphs, num=number_text, esc=lambda v: md_text(v))
    env.globals.update(_=_, href=href, unit_text=unit_text, rule_text=rule_text, cite=cite, scene_ref=scene_ref, guide_ref=guide_ref,
                       scheme_ref=scheme_ref, site=site, catalog=site.catalog, ui=ui,
                       key_guide=site.key_guide, search_weight=SEARCH_WEIGHT)
    return env


def _render(env: Environment, template: str, page: str, lang: str, **context) -> str:
    text = env.get_template(template).render(page=page, lang=lang, **context)
    # Every heading gets a blank line before it (Jinja's trim_blocks can eat it, and
    # a heading right after a list would join the list), then runs of blank lines
    # the template logic leaves behind are collapsed.
    text = re.sub(r"(?<=[^\n])\n(#{1,6} )", r"\n\n\1", text)
    # A heading's attribute list ends its line; anything after it (a `{#-` comment in a
    # template eats the line break) would be joined to the heading and shown as text.
    joined = _JOINED_HEADING.search(text)
    if joined:
        raise ValueError(f"{template} ({lang}): text joined to a heading: {joined.group(0)[:120]!r}")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_JOINED_HEADING = re.compile(r"(?m)^#{1,6} [^\n]*\{ *#[\w-]+[^}\n]*\}[ \t]*\S[^\n]*")


def _hand_written(site: SiteModel, env: Environment, docs_dir: Path) -> dict[str, bytes]:
    """Hand-written files, with markers in markdown pages replaced by generated fragments."""
    files: dict[str, bytes] = {}
    for path in sorted(p for p in docs_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(docs_dir).as_posix()
        if path.suffix != ".md":
            files[rel] = path.read_bytes()
            continue
        lang = _lang_of(path.name)
        neutral = rel if lang == DEFAULT_LANG else rel[: -len(f".{lang}.md")] + ".md"

        def expand(m, lang=lang, neutral=neutral):
            name = m.group(1)
            if name not in FRAGMENTS:
                raise SiteOptionsError(f"{rel}: unknown marker guidegen:{name} (known: {', '.join(FRAGMENTS)})")
            return _render(env, FRAGMENTS[name], neutral, lang).rstrip("\n")

        files[rel] = MARKER_RE.sub(expand, path.read_text(encoding="utf-8")).encode("utf-8")
    return files


def render_tree(catalog, out_dir: Path, options: SiteOptions) -> list[Path]:
    """Write the guide's markdown tree into ``out_dir``; return the paths written.

    Generated pages come first, then hand-written pages (``options.docs_dir``)
    are laid over them, so a bureau can replace any generated page by writing
    its own. Nothing outside ``out_dir`` is touched; existing files there are
    overwritten, others left alone.
    """
    site = SiteModel(catalog, options)
    env = _environment(site)
    files: dict[str, bytes] = {}
    for spec in _pages(site):
        for lang in LANGS:
            files[page_file(spec.path, lang)] = _render(env, spec.template, spec.path, lang, **spec.context).encode("utf-8")
    docs_dir = options.docs_dir
    if docs_dir is None and (Path(catalog.root).parent / "docs").is_dir():
        docs_dir = Path(catalog.root).parent / "docs"
    if docs_dir is not None:
        files.update(_hand_written(site, env, Path(docs_dir)))
    if "index.md" not in files:  # no hand-written home: a generated one
        for lang in LANGS:
            files[page_file("index.md", lang)] = _render(env, "home.md.j2", "index.md", lang).encode("utf-8")
    out_dir = Path(out_dir)
    written = []
    for rel, data in sorted(files.items()):
        target = out_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def navigation(catalog, options: SiteOptions, lang: str, present: set[str] | None = None) -> list:
    """The site's navigation in MkDocs' ``nav`` form, section titles in ``lang``.

    ``present``: language-neutral paths of the pages that exist (hand-written
    pages not known here are appended at the end, in path order).
    """
    site = SiteModel(catalog, options)
    present = set(present or ())

    def t(key):
        return ui(key, lang)

    schemes = ["schemes/index.md", *(f"schemes/{s['id']}.md" for s in site.schemes)]
    if site.has_compare:
        schemes.append("schemes/compare.md")
    guides = ["guides/index.md", *(f"guides/{g['id']}.md" for g in site.guides)]
    if site.has_crosswalk:
        guides.append("guides/crosswalk.md")
    industries = ["industries/index.md", *(f"industries/{sid}.md" for sid in catalog.sectors)] if site.industries else []
    nav: list = [{t("nav.home"): "index.md"}]
    if "how-to.md" in present:
        nav.append("how-to.md")
    if site.calculator:
        nav.append("calculator.md")
        if DESK_TEMPLATE.is_file():
            nav.append("desk.md")
    nav += [{t("nav.schemes"): schemes}, {t("nav.guides"): guides}]
    if industries:
        nav.append({t("nav.industries"): industries})
    performance = site.edition.complete and _benchmark_results(catalog, options)
    reference = ["kpis.md", "sources.md"] + (["plans.md"] if "plans.md" in present else []) \
        + (["performance.md"] if performance else []) + (["about.md"] if "about.md" in present else [])
    nav.append({t("nav.reference"): reference})
    known = {"index.md", "how-to.md", "about.md", "calculator.md", "desk.md", "kpis.md", "sources.md", "performance.md", "plans.md",
             *schemes, *guides, *industries}
    nav += sorted(p for p in present if p not in known and p.endswith(".md"))
    return nav


def neutral_pages(paths) -> set[str]:
    """Language-neutral page paths ('x.md') of files in a rendered tree."""
    out = set()
    for rel in paths:
        rel = str(rel)
        if not rel.endswith(".md"):
            continue
        lang = _lang_of(posixpath.basename(rel))
        out.add(rel if lang == DEFAULT_LANG else rel[: -len(f".{lang}.md")] + ".md")
    return out
