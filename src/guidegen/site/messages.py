"""The site's and the calculator's own words: ``messages.yaml``, one file both read.

``load_messages("site")`` feeds the page generator (``generate.ui``);
``load_messages("calculator")`` is written into the calculator's ``i18n.js`` at
build time, with the verdict words in it as ``verdict_KEY``; ``load_messages("verdicts")``
gives the CLI's report the same words (they live once, in ``guidegen.core.VERDICT_WORDS``,
which the desk and the engine's notes read too). A missing language or a placeholder present in one language only is
an error naming the file and the key.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

__all__ = ["MESSAGES_FILE", "MessagesError", "load_messages"]

MESSAGES_FILE = Path(__file__).with_name("messages.yaml")
LANGS = ("zh", "en")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class MessagesError(ValueError):
    """messages.yaml is malformed (names the file and key)."""


@functools.lru_cache(maxsize=None)
def _read(path: Path) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    if not isinstance(data, dict):
        raise MessagesError(f"{path}: expected groups of messages (site:, calculator:)")
    return data


def load_messages(group: str, *, path: Path = MESSAGES_FILE) -> dict[str, dict[str, str]]:
    """The messages of ``group`` as {key: {"zh": text, "en": text}} (a fresh copy)."""
    if group == "verdicts":
        from ..core import VERDICT_WORDS
        return {key: dict(words) for key, words in VERDICT_WORDS.items()}
    data = _read(Path(path))
    entries = data.get(group)
    if not isinstance(entries, dict):
        raise MessagesError(f"{path}: no group {group!r}")
    out: dict[str, dict[str, str]] = {}
    for key, entry in entries.items():
        where = f"{path}: {group}.{key}"
        if not isinstance(entry, dict) or any(not isinstance(entry.get(lang), str) for lang in LANGS):
            raise MessagesError(f"{where}: needs zh and en texts")
        extra = set(entry) - set(LANGS)
        if extra:
            raise MessagesError(f"{where}: unknown language(s) {', '.join(sorted(map(str, extra)))}")
        names = {lang: set(_PLACEHOLDER.findall(entry[lang])) for lang in LANGS}
        if names["zh"] != names["en"]:
            raise MessagesError(f"{where}: placeholders differ: zh {sorted(names['zh'])}, en {sorted(names['en'])}")
        out[str(key)] = {lang: entry[lang] for lang in LANGS}
    if group == "calculator":  # the verdict words live once, in guidegen.core.VERDICT_WORDS
        out.update({f"verdict_{key}": words for key, words in load_messages("verdicts", path=path).items()})
    return out
