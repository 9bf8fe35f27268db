"""The routes card in the calculator (issue #23, calculator/plans.js), in Chromium: the recommended
route shown as a checklist with the engine's steps, the other routes one tap away, the budget
re-planning as it is typed (focus kept, no route spending above it), "已做到" showing the total the
engine gives the profile with that step, a link to /plans/, and the print carrying the chosen route."""

from __future__ import annotations

import pytest

from guidegen.core import apply_change, evaluate

from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server, built_site, require_chromium, require_node_modules, share_url,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
SME = "zhuzhou-benchmark-sme"
CARD = f"#gg-res-{SME} .gg-routes"
# 46-plan-routes.yaml #1 (醴陵, 5000 万元), with the 2021 scene 19 ticked only under the 2024 guide: a claim.
PROFILE = {"profile": 1,
           "enterprise": {"city": "株洲市", "county": "醴陵市", "industry_division": "C36", "employees": 60, "revenue_wan": 5000},
           "maturity": {"level": 2, "score": 2.5}, "investment_wan": {"core_equipment": 350, "local_core_equipment": 0},
           "implementation_plan": "partial", "scenes": {"miit-2021": [1, 5, 7, 10, 22, 44], "miit-2024": [14]},
           "honors": {"provincial-benchmark-workshop": 1},
           "achievements": {"invention_patents": 2, "utility_patents": 1, "software_copyrights": 1},
           "team": {"dedicated_team": True, "senior_core_staff": False}, "research_partners": 1,
           "case_awards": {"municipal": 1}, "activities": {"municipal": 3, "provincial": 2},
           "growth_honor": "municipal-little-giant", "new_technologies": ["digital-twin"], "new_modes": ["predictive-maintenance"]}


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


def _engine(bundle, profile):
    return next(r for r in evaluate(bundle, profile, schemes=[SME])["results"] if r["scheme"] == SME)


def test_routes_card_budget_and_done(site, server, browser, bundle):
    want = _engine(bundle, PROFILE)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(share_url(server.origin, PROFILE, "zh"))
        page.wait_for_selector(CARD, state="attached", timeout=120_000)
        card = page.query_selector(CARD)
        assert card.get_attribute("data-chosen") == want["plan"]["id"]
        shown = [n.inner_text() for n in card.query_selector_all(".gg-route .gg-plan__msg")]
        assert shown == [s["message"]["zh"] for s in want["plan"]["steps"]]
        assert card.query_selector("a[href='../plans/']")
        # Every route one tap away.
        tabs = [t.get_attribute("data-route") for t in card.query_selector_all(".gg-route__tab")]
        assert sorted(tabs) == sorted(p["id"] for p in want["plans"])
        other = next(t for t in tabs if t != want["plan"]["id"])
        page.click(f"{CARD} .gg-route__tab[data-route='{other}']")
        page.wait_for_selector(f"{CARD}[data-chosen='{other}']")
        # The print carries the chosen route, not the tabs.
        page.emulate_media(media="print")
        assert page.eval_on_selector(f"{CARD} .gg-route__tabs", "n => getComputedStyle(n).display") == "none"
        assert page.get_attribute(f"{CARD} .gg-route", "data-route") == other
        page.emulate_media(media="screen")
        # The budget re-plans as it is typed and keeps the caret.
        page.click(f"{CARD} .gg-route__budget")
        page.keyboard.type("100", delay=60)
        page.wait_for_function("""() => { const n = document.querySelector('#gg-res-zhuzhou-benchmark-sme .gg-route__budgethelp');
            return n && !n.textContent.includes('20'); }""", timeout=30_000)
        assert page.evaluate("() => document.activeElement.classList.contains('gg-route__budget')")
        assert page.input_value(f"{CARD} .gg-route__budget") == "100"
        budgeted = _engine(bundle, {**PROFILE, "constraints": {"budget_wan": 100}})
        assert all(p["cost"]["spend_wan"] <= 100 for p in budgeted["plans"])
        # 已做到: the first step applied to a copy, the engine's total for it.
        page.click(f"{CARD} .gg-route__tab[data-route='{budgeted['plan']['id']}']")
        route = budgeted["plan"]
        page.check(f"{CARD} .gg-route__tick")
        page.wait_for_function("""() => { const n = document.querySelector('#gg-res-zhuzhou-benchmark-sme .gg-route__whatif');
            return n && n.dataset.after; }""", timeout=30_000)
        after = _engine(bundle, apply_change({**PROFILE, "constraints": {"budget_wan": 100}}, route["steps"][0]["change"]))
        assert page.get_attribute(f"{CARD} .gg-route__whatif", "data-after") == str(after["score"]["total"])
        # The profile itself is unchanged by a tick: the total shown is still the engine's for it.
        assert page.get_attribute(f"#gg-res-{SME} .gg-total", "data-total") == str(budgeted["score"]["total"])
    finally:
        page.close()
