"""The site's search index: Pagefind, run on the built HTML (any engine's output).

``build_search_index(site_dir)`` indexes every page of a built site into
``site_dir/pagefind/``: one index per language (from each page's
``<html lang>``), so Chinese pages search Chinese pages and English pages
English ones. Chinese text is split into words by the segmenter the browser
splits a query with (ICU's, as ``Intl.Segmenter``, run in Node.js at build
time), so a query's words are the index's words (see ``segment_chinese``).
Sub-results point at each heading's anchor, so a scene is found as its own
entry (``guides/miit-2024/#scene-8``) rather than as its page.

What is indexed is decided in the pages themselves: ``data-pagefind-*``
attributes in the generated markdown (tables of cross-references weighted
low, the permalink signs ignored) and the site chrome left out by the
selectors below. This module imports nothing from MkDocs: the MkDocs plugin
calls it after the last language is built, and any other engine's output
(``guidegen render`` + another builder) can be indexed the same way.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SearchIndexError", "SearchIndexStats", "build_search_index", "segment_chinese", "BUNDLE_DIR",
           "PAGEFIND_VERSION"]

# The folder Pagefind writes its bundle (index, pagefind.js, its UI) into, beside the pages.
BUNDLE_DIR = "pagefind"
# The Pagefind release the UI partial and the tests are written against (pyproject pins it).
PAGEFIND_VERSION = "1.5.2"

# The theme's chrome: header, tabs, navigation, table of contents, footer, the search
# dialog itself, and the permalink sign (¶) after every heading.
EXCLUDE_SELECTORS = (
    ".md-header", ".md-tabs", ".md-sidebar", ".md-footer", ".md-skip", ".md-top",
    ".md-banner", ".md-dialog", ".gg-search", ".headerlink", ".md-source-file",
    # The calculator's own header and footer (its page has no Material chrome).
    ".gg-header", ".gg-footer",
)
# A page's language is its <html lang>; regional variants index with their language
# ("zh-CN" → "zh") so that every Chinese page lands in the one Chinese index.
_HTML_LANG = re.compile(r'(<html\b[^>]*\blang=")([A-Za-z]{2,3})-[A-Za-z0-9-]+(")', re.IGNORECASE)
_LANG_OF = re.compile(r'<html\b[^>]*\blang="([^"]+)"', re.IGNORECASE)
# Runs of Chinese characters in the text between tags (not in attributes or tag names).
_TEXT = re.compile(r">([^<]+)<")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
WORD_BREAK = "\u200b"   # zero-width space: a word boundary to Pagefind, invisible in excerpts
# The browser's word segmenter (ICU, as Intl.Segmenter) run in Node.js: one JSON list of
# texts in, one list of word lists out.
_SEGMENT_JS = (
    "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{"
    "const seg=new Intl.Segmenter('zh',{granularity:'word'});"
    "process.stdout.write(JSON.stringify(JSON.parse(s).map(t=>[...seg.segment(t)].map(x=>x.segment))));});"
)
UNUSED_FILES = ("pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-modular-ui.js",
                "pagefind-modular-ui.css", "pagefind-highlight.js")
# Pages that are not content: the 404 page (each language's, with engines building one
# language at a time).
SKIP_PAGES = ("404.html",)


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed; the message says what to do."""


@dataclass(frozen=True)
class SearchIndexStats:
    pages: int
    languages: dict[str, int]   # language -> pages indexed
    bytes: int                  # size of the bundle written
    bundle: Path


def page_url(rel_path: str) -> str:
    """'guides/miit-2024/index.html' → '/guides/miit-2024/' (the URL Pagefind stores;
    the browser prefixes the site's own folder, so the site still works from any folder)."""
    url = "/" + rel_path
    return url[: -len("index.html")] if url.endswith("/index.html") or url == "/index.html" else url


def indexed_language_html(html: str) -> str:
    """The page as Pagefind should read it: ``<html lang="zh-CN">`` becomes ``zh``."""
    return _HTML_LANG.sub(lambda m: m.group(1) + m.group(2).lower() + m.group(3), html, count=1)


def segment_chinese(texts: list[str]) -> dict[str, list[str]]:
    """Each text split into words by the same segmenter the browser runs on a query.

    Pagefind splits a Chinese query with the browser's ``Intl.Segmenter`` (ICU) but the
    page text with its own dictionary (jieba): the two disagree (仓储 is one word to
    jieba, 仓 + 储 to ICU), and a query whose words are not the page's words finds
    nothing (Pagefind#1237). Page text split by ICU beforehand, with zero-width spaces
    Pagefind keeps as word boundaries, makes both sides the same words.
    """
    unique = sorted(set(texts))
    if not unique:
        return {}
    node = shutil.which("node")
    if node is None:
        raise SearchIndexError("the Chinese search index needs Node.js (its ICU word segmenter is the "
                               "browser's): apt-get install nodejs")
    proc = subprocess.run([node, "-e", _SEGMENT_JS], input=json.dumps(unique, ensure_ascii=False),
                          capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise SearchIndexError(f"Chinese word segmentation (node) failed: {proc.stderr.strip()[-1000:]}")
    return dict(zip(unique, json.loads(proc.stdout)))


def _chinese_runs(html: str) -> list[str]:
    return [run for text in _TEXT.findall(html) for run in _HAN_RUN.findall(text)]


def _with_word_breaks(html: str, words: dict[str, list[str]]) -> str:
    def text(m):
        return ">" + _HAN_RUN.sub(lambda r: WORD_BREAK.join(words.get(r.group(0), [r.group(0)])), m.group(1)) + "<"
    return _TEXT.sub(text, html)


def build_search_index(site_dir: Path, *, skip: tuple[str, ...] = SKIP_PAGES,
                       exclude_dirs: tuple[str, ...] = ()) -> SearchIndexStats:
    """Index every HTML page under ``site_dir`` into ``site_dir/pagefind/`` (replaced).

    Pagefind's command line reads a copy of the pages (those on disk stay as built) in
    which ``<html lang>`` is normalised and Chinese text carries the browser's word
    breaks. (Pagefind's Python service API could take the pages one by one instead, but
    answers one request per 0.1 s poll: 50× slower on this site.)

    ``exclude_dirs``: folders (relative to ``site_dir``) left out, for an engine that
    builds each language as a site of its own (``en/`` with its own ``pagefind/``).
    """
    site_dir = Path(site_dir).resolve()
    left_out = tuple(d.strip("/") + "/" for d in (BUNDLE_DIR, *exclude_dirs))
    pages = sorted(p for p in site_dir.rglob("*.html")
                   if p.name not in skip and not p.relative_to(site_dir).as_posix().startswith(left_out))
    bundle = site_dir / BUNDLE_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    texts = {}
    for path in pages:
        html = indexed_language_html(path.read_text(encoding="utf-8"))
        m = _LANG_OF.search(html)
        texts[path] = (html, bool(m) and m.group(1).lower() == "zh")
    words = segment_chinese([run for html, chinese in texts.values() if chinese for run in _chinese_runs(html)])
    with tempfile.TemporaryDirectory(prefix="guidegen-search-") as tmp:
        copy = Path(tmp) / "site"
        for path, (html, chinese) in texts.items():
            target = copy / path.relative_to(site_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_with_word_breaks(html, words) if chinese else html, encoding="utf-8")
        # Options as Pagefind's own config file (a list of selectors does not fit one flag).
        config = {"site": str(copy), "output_path": str(bundle), "exclude_selectors": list(EXCLUDE_SELECTORS)}
        (Path(tmp) / "pagefind.json").write_text(json.dumps(config), encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--quiet"]
        try:
            proc = subprocess.run(command, cwd=tmp, capture_output=True, text=True, timeout=300, check=False)
        except OSError as exc:
            raise SearchIndexError(f"could not run Pagefind ({' '.join(command)}): {exc}") from None
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or "No module named pagefind" in output:
        if "No module named pagefind" in output:
            raise SearchIndexError("the search index needs Pagefind: pip install 'pagefind[extended]' "
                                   "(installed with guidegen: pip install -e .)")
        raise SearchIndexError(f"Pagefind failed (exit {proc.returncode}) on {site_dir}:\n{output[-2000:]}")
    entry = bundle / "pagefind-entry.json"
    if not entry.is_file():
        raise SearchIndexError(f"Pagefind wrote no {entry}:\n{output[-2000:]}")
    # Pagefind writes three UIs; the site uses the default one (pagefind-ui.*, partials/gg-search.html).
    for unused in UNUSED_FILES:
        (bundle / unused).unlink(missing_ok=True)
    indexed = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return SearchIndexStats(pages=len(pages), languages={k: v.get("page_count", 0) for k, v in indexed.items()},
                            bundle=bundle, bytes=size)


def main(argv: list[str] | None = None) -> int:
    """``python -m guidegen.site.search SITE_DIR [--exclude=en]``: index a site built by any engine."""
    args = sys.argv[1:] if argv is None else argv
    excluded = tuple(a.split("=", 1)[1] for a in args if a.startswith("--exclude="))
    args = [a for a in args if not a.startswith("--exclude=")]
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m guidegen.site.search SITE_DIR [--exclude=SUBFOLDER ...]", file=sys.stderr)
        return 2
    try:
        stats = build_search_index(Path(args[0]), exclude_dirs=excluded)
    except SearchIndexError as exc:
        print(f"guidegen search: {exc}", file=sys.stderr)
        return 1
    languages = ", ".join(f"{lang} {n}" for lang, n in sorted(stats.languages.items()))
    print(f"indexed {stats.pages} pages ({languages}) into {stats.bundle} ({stats.bytes // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
