"""Every ``quote:`` in the catalogs is the source's own text.

A quote is compared with the text of the document its ``doc`` names (catalogs/sources.yaml
maps the id to a file in ../shared/sources/), whitespace aside: line breaks and spaces in
either are ignored, nothing else. An ellipsis (…… or …) in a quote marks text left out:
the pieces between must appear in the source in the quote's order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guidegen.catalog.yamlsource import load_yaml

from conftest import CATALOG, ROOT

SOURCES = ROOT.parent / "shared" / "sources"
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"…+|\.{3,}")


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def source_texts() -> dict[str, str]:
    """doc id -> the document's text without whitespace."""
    listed = load_yaml((CATALOG / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    return {s["id"]: _squeeze((SOURCES / s["file"]).read_text(encoding="utf-8")) for s in listed}


def quotes() -> list[tuple[str, dict]]:
    """(file: key path, the mapping holding the quote) for every quote in every catalog file."""
    out = []

    def walk(value, where):
        if isinstance(value, dict):
            if "quote" in value:
                out.append((where, value))
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")

    for path in sorted(CATALOG.rglob("*.yaml")):
        walk(load_yaml(path.read_text(encoding="utf-8")), path.relative_to(CATALOG).as_posix() + ":")
    return out


def quoted_in(quote: str, text: str) -> bool:
    """Whether ``quote`` is in ``text`` verbatim, whitespace aside, its ellipses marking omissions."""
    at = 0
    for piece in (_squeeze(p) for p in _ELLIPSIS.split(quote)):
        if not piece:
            continue
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


QUOTES = quotes()


def test_sources_are_there():
    if not SOURCES.is_dir():
        pytest.fail(f"{SOURCES} is missing: the official texts live beside the project", pytrace=False)
    assert set(source_texts()) >= {"zhuzhou-benchmark-2022", "hunan-advanced-factory-2025",
                                   "changzhou-smart-factory-2023", "national-pilot-2021"}


def test_there_are_quotes_to_check():
    assert len(QUOTES) > 300


def test_every_quote_is_the_sources_own_text():
    texts = source_texts()
    wrong = []
    for where, cited in QUOTES:
        doc, quote = cited.get("doc"), cited["quote"]
        if doc not in texts:
            wrong.append(f"{where} quotes unknown doc {doc!r}")
        elif not isinstance(quote, str) or not quoted_in(quote, texts[doc]):
            wrong.append(f"{where} ({doc}): {quote!r} is not in the source")
    assert not wrong, f"{len(wrong)} of {len(QUOTES)} quotes are not verbatim:\n" + "\n".join(wrong)


def test_a_paraphrase_is_caught():
    national = source_texts()["national-pilot-2021"]
    assert quoted_in("每个场景字数请控制在3000字以内，可配图说明", national)
    assert quoted_in("每个场景字数请控制\n在 3000 字以内", national)  # whitespace aside
    assert not quoted_in("每个场景字数控制在3000字以内，可配图说明", national)  # 请 left out
    assert quoted_in("场景描述应重点突出……每个场景字数请控制在3000字以内", national)
    assert not quoted_in("每个场景字数请控制在3000字以内……场景描述应重点突出", national)  # order
