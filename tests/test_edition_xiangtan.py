"""Issue 22: the example 湘潭 edition (editions/xiangtan.yml) publishes its own call of the Hunan 2025
scheme (editions/xiangtan/hunan-2025-call.yaml, an illustrative example with placeholders): the built
scheme page, sources page and calculator bundle all carry that call, not 株洲's."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, site_command, site_env
from test_calculator_support import StaticServer, calculator_csp, launch, require_node_modules, site_bundle

pytestmark = pytest.mark.slow  # builds an edition

HUNAN = "hunan-advanced-factory-2025"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_node_modules()
    out = tmp_path_factory.mktemp("edition-xiangtan") / "site"
    proc = subprocess.run(site_command(out, "editions/xiangtan.yml"), cwd=ROOT, env=site_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-4000:]
    return out


def text_of(page: Path) -> str:
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"<script.*?</script>|<style.*?</style>", " ", raw, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scheme_page_shows_xiangtans_call(site, lang):
    page = site / ("" if lang == "zh" else "en") / "schemes" / HUNAN / "index.html"
    text = text_of(page)
    words = {"zh": ["在湘潭市内注册、经营", "湘潭市工业和信息化局（示例）", "2025-05-09", "湖南省（湘潭市通知，示例）"],
             "en": ["Registered and operating in Xiangtan", "Xiangtan Bureau of Industry and Information Technology (example)",
                    "2025-05-09", "Xiangtan municipal notice, example"]}[lang]
    for w in words:
        assert w in text, w
    # 株洲's call is gone: its city row, its list, its mailbox and deadline
    for gone in ("在株洲市内注册、经营", "Registered and operating in Zhuzhou", "《株洲市基础级智能工厂清单》",
                 "Zhuzhou List of Basic-level", "zzgxzbk", "2025-04-28"):
        assert gone not in text, gone
    # the province's rows stay
    assert ("在湖南省内注册、经营" if lang == "zh" else "Registered and operating in Hunan") in text


def test_the_sources_page_lists_the_example_notice_as_not_among_the_sources(site):
    text = text_of(site / "sources" / "index.html")
    assert "关于组织申报2025年湖南省先进级智能工厂的通知（示例，非真实文件）" in text
    assert "不在本项目的四份资料中" in text and "占位" in text
    en = text_of(site / "en" / "sources" / "index.html")
    assert "an illustrative example, not a real document" in en and "not among this project's four sources" in en


def test_the_calculator_bundle_evaluates_the_xiangtan_call(site):
    from guidegen.core import evaluate, questions
    bundle = site_bundle(site)
    scheme = bundle["schemes"][HUNAN]
    assert scheme["call"]["region"] == ["430300"]
    assert "hunan-zhuzhou-basic-factory-list" not in bundle["declarations"]
    assert all(q.get("id") != "hunan-zhuzhou-basic-factory-list" for q in questions(bundle, [HUNAN]))
    profile = {"profile": 1, "enterprise": {"city": "株洲市"}}
    r = evaluate(bundle, profile, schemes=[HUNAN], today="2025-04-26")["results"][0]
    assert r["call"]["status"] == "unknown" and r["elsewhere"]["left_out"] == ["registered-in-xiangtan"]
    assert "株洲" in r["elsewhere"]["note"]["zh"]


def test_the_bureau_and_example_are_on_the_pages(site):
    text = text_of(site / "index.html")
    assert "湘潭市智能工厂申报指南（示例）" in text and "湘ICP备00000000号" in text


@pytest.mark.browser
def test_the_editions_calculator_asks_and_judges_by_xiangtans_call(site, tmp_path):
    """In the 湘潭 edition's calculator, an enterprise in 湘潭 is judged by 湘潭's call (no elsewhere line, the
    city row passes) and one in 株洲 is pointed to its own bureau (the engine's elsewhere note)."""
    from playwright.sync_api import sync_playwright
    from test_calculator_browser import page_profile, until
    from guidegen.core import evaluate
    bundle = site_bundle(site)
    with StaticServer(site, calculator_csp(site)) as server, sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server.origin}/calculator/?schemes={HUNAN}")
        page.wait_for_selector(".gg-place__input", timeout=15_000)
        until(page, "() => window.guidegen.state().exact", timeout=60_000)
        card = f"#gg-res-{HUNAN}"
        for city, elsewhere in (("湘潭市", False), ("株洲市", True)):
            page.click('.gg-stepper__button[data-step="where"]')
            page.fill(".gg-place__input", city)
            page.click("#gg-next")
            until(page, "() => window.guidegen.state().step !== 'where'")
            until(page, "a => { const n = document.querySelector(a.card + ' [data-condition=\"registered-in-xiangtan\"]');"
                        " return !!document.querySelector(a.card) && !!document.querySelector(a.card + ' .gg-elsewhere') === a.e; }",
                  {"card": card, "e": elsewhere}, timeout=60_000)
            expected = evaluate(bundle, page_profile(page), schemes=[HUNAN])["results"][0]
            assert ("elsewhere" in expected) is elsewhere
            if elsewhere:
                assert page.locator(f"{card} .gg-elsewhere").inner_text() == expected["elsewhere"]["note"]["zh"]
                assert "株洲" in expected["elsewhere"]["note"]["zh"]
            assert page.locator(f'{card} .gg-open--unknown li[data-condition="zhuzhou-basic-factory-list"]').count() == 0
        browser.close()
