"""core/places.py _fold: the short ways (plain Chinese names, ASCII) give what the long way gives."""

import json
import re
import unicodedata
from pathlib import Path

from hypothesis import given, settings, strategies as st

from guidegen.core.places import _fold

ROOT = Path(__file__).resolve().parents[1]


def reference_fold(text: str) -> str:
    """The rule as first written: NFKC, trim, lower case, ü as v, tone marks off, spaces and marks out."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower().replace("ü", "v").replace("u:", "v")
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return re.sub(r"[\s'’\-·.,]", "", s)


def test_every_division_name_folds_as_the_long_way():
    regions = json.loads((ROOT / "catalogs" / "regions.compiled.json").read_text(encoding="utf-8"))
    items = regions["items"] if isinstance(regions, dict) else regions
    strings = [row[k] for row in items for k in ("name", "short", "pinyin", "en") if isinstance(row.get(k), str)]
    assert len(strings) > 10_000
    wrong = [s for s in strings if _fold(s) != reference_fold(s)]
    assert not wrong, wrong[:10]


def test_what_people_type_folds_as_the_long_way():
    for s in ["株洲市", " 株洲 ", "Zhū Zhōu", "LÜLIANG", "lu:liang", "Xi'an", "Xi’an", "huai-an", "ＺＨＵＺＨＯＵ",
              "株洲\u3000市", "醴陵·市", "\x1cZhuzhou\x1f", "e\u0301", "\u302a株", "豈", "ǖ", "", "  ", "A.B,C"]:
        assert _fold(s) == reference_fold(s), s


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_folds_as_the_long_way(text):
    assert _fold(text) == reference_fold(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127)))
def test_any_ascii_folds_as_the_long_way(text):
    assert _fold(text) == reference_fold(text)
