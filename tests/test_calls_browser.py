"""Issue 22, calls and schemes in the calculator: the questions follow the place. The Hunan 2025
scheme is encoded from 株洲's call; an enterprise in 湘潭 is not asked whether it is on
《株洲市基础级智能工厂清单》 (a row of 株洲's call only), one in 株洲 is, and an answer given
before the place moved stays in the answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_calculator_browser import open_calculator, page_profile, state, until
from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, built_site, bundle, require_chromium, require_node_modules, server)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HUNAN = "hunan-advanced-factory-2025"
ZHUZHOU_LIST = "hunan-zhuzhou-basic-factory-list"
# GUIDEGEN_SCREENSHOTS=DIR keeps the screens this test walks through (1280×900 and 375×812, zh and en).
SHOTS = os.environ.get("GUIDEGEN_SCREENSHOTS")


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


def _declarations_asked(page) -> list[str]:
    page.click('.gg-stepper__button[data-step="declarations"]')
    until(page, "() => window.guidegen.state().step === 'declarations'")
    return page.evaluate("() => [...document.querySelectorAll('#gg-step [data-path^=\"declarations.\"]')]"
                         ".map((n) => n.dataset.path.slice('declarations.'.length))")


def _asked_for(page, city: str) -> list[str]:
    page.click('.gg-stepper__button[data-step="where"]')
    page.fill(".gg-place__input", city)
    page.click("#gg-next")
    until(page, "() => window.guidegen.state().step !== 'where'")
    assert page_profile(page)["enterprise"]["city"] == city
    # the engine's list for this place (the request is debounced): the stepper settles on it
    until(page, "() => window.guidegen.state().exact", timeout=60_000)
    page.wait_for_timeout(800)
    return sorted(set(_declarations_asked(page)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_xiangtan_enterprise_is_not_asked_the_zhuzhou_list_and_a_zhuzhou_one_is(browser, server, bundle, lang):
    prefix = "" if lang == "zh" else "/en"
    for width, height in ((1280, 900), (375, 812)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{server.origin}{prefix}/calculator/?schemes={HUNAN}")
        page.wait_for_selector(".gg-place__input", timeout=15_000)
        until(page, "() => window.guidegen.state().exact", timeout=60_000)
        assert state(page)["schemes"] == [HUNAN]

        in_xiangtan = _asked_for(page, "湘潭市")
        assert ZHUZHOU_LIST not in in_xiangtan, in_xiangtan
        assert "hunan-market-competitiveness" in in_xiangtan  # the provincial declarations are still asked
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"calls-declarations-xiangtan-{lang}-{width}.png"), full_page=True)
        # nor listed on the Hunan card as a condition to confirm (the card says where to apply instead)
        card = f"#gg-res-{HUNAN}"
        until(page, "c => !!document.querySelector(`${c} .gg-elsewhere`)", card, timeout=60_000)
        assert page.locator(f'{card} .gg-open--unknown li[data-condition="zhuzhou-basic-factory-list"]').count() == 0
        assert page.locator(f'{card} .gg-open--unknown li[data-condition="market-competitiveness"]').count() == 1
        if SHOTS:
            if width < 600:  # on a phone the results are one tap away
                page.click("#gg-chipbar-open")
                page.locator("#gg-resultscol").wait_for(state="visible")
            page.locator(card).scroll_into_view_if_needed()
            page.screenshot(path=str(Path(SHOTS) / f"calls-card-xiangtan-{lang}-{width}.png"))
            if width < 600:
                page.go_back()

        in_zhuzhou = _asked_for(page, "株洲市")
        assert ZHUZHOU_LIST in in_zhuzhou and set(in_zhuzhou) - {ZHUZHOU_LIST} == set(in_xiangtan)
        # an answer to it is kept when the place moves away again (nothing entered is lost)
        page.locator(f'#gg-step [data-path="declarations.{ZHUZHOU_LIST}"] input').first.check()
        until(page, "id => (window.guidegen.profile().declarations || {})[id] === true", ZHUZHOU_LIST)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"calls-declarations-zhuzhou-{lang}-{width}.png"), full_page=True)
        assert ZHUZHOU_LIST not in _asked_for(page, "湘潭市")
        assert page_profile(page)["declarations"][ZHUZHOU_LIST] is True
        context.close()


def test_questions_with_an_unknown_place_ask_the_call_rows(browser, server):
    context, page = open_calculator(browser, server, f"?schemes={HUNAN}")
    assert ZHUZHOU_LIST in _declarations_asked(page)
    context.close()
