"""Every message template of the calculator, filled with sample values, reads as a person
would write it (issue 24): no "= yes", no doubled words, no "1 conditions", no missing space
between a word and the next, in both languages; and the engine's condition and gap messages
for the example profiles pass the same checks."""

import json
import re

import pytest

from guidegen.site.messages import load_messages

SAMPLES = {"n": 1, "total": 1, "ticked": 1, "count": 1, "points": 1, "short": 1, "max": 1,
           "date": "2026-12-06", "name": "甲公司", "scheme": "株洲市智能制造标杆中小企业", "schemes": "株洲市智能制造标杆中小企业",
           "title": "能力成熟度二级及以上", "text": "株洲", "place": "湖南省 株洲市", "guide": "2024年版指引",
           "value": "3000", "detail": "HTTP 404", "file": "worker.js", "step": "企业基本情况", "sector": "汽车",
           "version": "2026.12", "pyodide": "314.0.8", "python": "3.14", "id": "x", "ids": "x", "list": "甲：可以申报"}

FILL = re.compile(r"\{(\w+)(?:\|([^|}]*)\|([^}]*))?\}")


def fill(text, n):
    def sub(m):
        key, one, many = m.group(1), m.group(2), m.group(3)
        if one is not None:
            return one if n == 1 else many
        return str(n) if key in ("n", "total", "ticked", "count", "points", "short", "max") else str(SAMPLES.get(key, "x"))
    return FILL.sub(sub, text)


def problems(text, lang):
    out = []
    if re.search(r"=\s*(yes|no|true|false|是|否)\b", text):
        out.append("'= yes'")
    if lang == "en":
        if re.search(r"\b(\w+) \1\b", text, re.IGNORECASE):
            out.append("doubled word")
        if re.search(r"(?<![\d.,])\b1 (?!\d)(\w+s)\b", text) and not re.search(r"\b1 (of|in|is|was|has|days?)\b", text):
            word = re.search(r"(?<![\d.,])\b1 (\w+s)\b", text).group(1)
            if word.lower() not in ("days", "plus", "yes", "this", "its", "as", "us", "is"):
                out.append(f"'1 {word}'")
        if "(s)" in text:
            out.append("'(s)' instead of a plural")
        if re.search(r"[,;:!?][A-Za-z]|\.[A-Z]|[a-z]（", text):
            out.append("missing space")
    else:
        if re.search(r"(的的|了了|是是|和和|，，|。。)", text):
            out.append("doubled word")
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_calculator_message_reads_as_a_sentence(lang):
    bad = {}
    for key, words in load_messages("calculator").items():
        text = words.get(lang) if isinstance(words, dict) else None
        if not isinstance(text, str):
            continue
        for n in (1, 2):
            found = problems(fill(text, n), lang)
            if found:
                bad[key] = (fill(text, n), found)
    assert not bad, "\n".join(f"{k}: {v[1]} in {v[0]!r}" for k, v in bad.items())


def _texts(value, lang):
    if isinstance(value, dict):
        if set(value) >= {"zh", "en"} and all(isinstance(value[k], str) for k in ("zh", "en")):
            yield value[lang]
            return
        for v in value.values():
            yield from _texts(v, lang)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_engines_condition_and_gap_messages_read_as_sentences(lang, bundle):
    """The example profile and an empty one against every scheme: every message, gap and plan
    text of the result passes the same checks."""
    from guidegen.core import evaluate
    from test_calculator_support import example_profile

    bad = set()
    for profile in (example_profile(), {"profile": 1}):
        result = evaluate(bundle, profile)
        for r in result["results"]:
            for key in ("conditions", "gaps", "plan", "levels"):
                for text in _texts(r.get(key), lang):
                    for p in problems(text, lang):
                        bad.add(f"{p}: {text}")
    assert not bad, "\n".join(sorted(bad))


def test_a_profile_from_the_full_site_opens_in_an_edition(bundle):
    """Issue 24: fields the full catalog defines but an edition does not publish are kept,
    ignored and mentioned once — never an error; a field no catalog defines stays an error;
    a place in a province the edition cut out is elsewhere, not a typo."""
    from guidegen.core import ProfileError, evaluate
    from guidegen.site.edition import edition_bundle, resolve
    from test_calculator_support import example_profile

    edition = json.loads(json.dumps(edition_bundle(bundle, resolve(bundle, schemes=["changzhou-smart-factory-2023"])), ensure_ascii=False))
    result = evaluate(edition, example_profile())
    assert "errors" not in result
    notes = [w for w in result["warnings"] if w.get("kind") == "unpublished"]
    assert len(notes) == 1 and notes[0]["fields"] and "." not in notes[0]["message"]["zh"].split("，")[0][-3:]
    assert [r["verdict"] for r in result["results"]] == ["not-eligible"]  # a Zhuzhou enterprise, in Changzhou's edition
    with pytest.raises(ProfileError):
        evaluate(edition, {"profile": 1, "no_catalog_defines_this": 1})
    # The full site reads the same profile with no such note.
    assert not [w for w in evaluate(bundle, example_profile())["warnings"] if w.get("kind") == "unpublished"]
