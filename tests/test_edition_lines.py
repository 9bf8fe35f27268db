"""Issue 22 ("Which edition"): every scheme page and guide page of the built site, and every
result card of the calculator, say which edition of which document applies and its date
(catalogs/sources.yaml `edition`, with `later` where a later edition has been announced); the
sources page of a bureau edition shows its own notice's address as where it is published, not as
one of the project's text files. (The .docx drafts: tests/test_edition_draft.py.)"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

import test_calculator_browser as cb
from conftest import ROOT, build_site
from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server, built_site, example_profile, require_chromium, require_node_modules,
)

pytestmark = [pytest.mark.slow]  # builds sites, runs chromium
LABEL = {"zh": "所依据的版本", "en": "Edition applied"}


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


def page_text(path: Path) -> str:
    """The page's words: tags dropped, entities read, white space squeezed."""
    text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(html.unescape(text).split())


def squeeze(text: str) -> str:
    return " ".join(text.split())


def assert_edition(text: str, src: dict, lang: str, where: str):
    assert LABEL[lang] in text, f"{where}: no edition line"
    assert squeeze(src["edition"][lang]) in text, f"{where}: the edition text is missing"
    if src.get("later"):
        assert squeeze(src["later"][lang]) in text, f"{where}: the later-edition note is missing"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_scheme_page_says_its_edition(site, bundle, lang):
    prefix = site if lang == "zh" else site / "en"
    pages = sorted(p.parent.name for p in (prefix / "schemes").glob("*/index.html") if p.parent.name != "compare")
    assert pages == sorted(bundle["schemes"])
    for sid, scheme in bundle["schemes"].items():
        src = bundle["sources"][scheme["source"]["doc"]]
        assert_edition(page_text(prefix / "schemes" / sid / "index.html"), src, lang, f"{lang} schemes/{sid}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_guide_page_says_its_edition(site, bundle, lang):
    prefix = site if lang == "zh" else site / "en"
    pages = sorted(p.parent.name for p in (prefix / "guides").glob("*/index.html") if p.parent.name != "crosswalk")
    assert pages == sorted(bundle["guide_info"])
    for gid, info in bundle["guide_info"].items():
        src = bundle["sources"][info["source"]["doc"]]
        assert_edition(page_text(prefix / "guides" / gid / "index.html"), src, lang, f"{lang} guides/{gid}")


def test_the_zhuzhou_pages_say_the_later_scene_guide_applies_to_their_conditions(site):
    # 000:21, 000:33 "以国家相关部委发布的最新版本为准": the announced 2025 scene guide would govern there.
    text = page_text(site / "schemes" / "zhuzhou-benchmark-workshop" / "index.html")
    assert "场景指引的2025年版已公布" in text and "以国家相关部委发布的最新版本为准" in text


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_result_card_says_its_edition(browser, server, bundle, tmp_path, lang):
    import json
    schemes = sorted(bundle["schemes"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.origin}/{'' if lang == 'zh' else 'en/'}calculator/?schemes={','.join(schemes)}")
    page.wait_for_selector(".gg-place__input", timeout=15_000)
    cb.until(page, "() => window.guidegen.state().exact", timeout=60_000)
    file = tmp_path / "p.json"
    file.write_text(json.dumps(example_profile(), ensure_ascii=False), encoding="utf-8")
    page.set_input_files("#gg-import-file", str(file))
    cb.wait_settled(page, bundle, schemes, timeout=60_000)
    for sid in schemes:
        doc = bundle["schemes"][sid]["source"]["doc"]
        line = page.locator(f"#gg-res-{sid} .gg-edition")
        assert line.count() == 1 and line.get_attribute("data-edition") == doc, sid
        assert_edition(squeeze(line.text_content()), bundle["sources"][doc], lang, f"{lang} card {sid}")
    context.close()


def test_a_bureau_notice_on_the_sources_page_is_where_it_is_published(tmp_path):
    """editions/xiangtan.yml: the 湘潭 call file's notice has a URL, not a text file among the sources."""
    out = tmp_path / "site"
    proc = build_site(out, ROOT / "editions" / "xiangtan.yml")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for lang, prefix, file_label, url_label in (
            ("zh", out, "文本文件", "通知发布网址（原文不在本站资料中）"),
            ("en", out / "en", "Text file", "Published at (its text is not among this site's sources)")):
        rows = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).split())
                for r in re.findall(r"<tr>.*?</tr>", (prefix / "sources" / "index.html").read_text(encoding="utf-8"), re.S)]
        assert f"{url_label} https://example.invalid/xiangtan-notice" in rows, (lang, rows)
        assert not any(r.startswith(file_label) and "example.invalid" in r for r in rows)
        # the project's own source is still a text file
        assert f"{file_label} 002_6308071c0a7f7db0.txt" in rows
