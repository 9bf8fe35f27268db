"""The calculator's scenes step in Debian's chromium (issue 22; contract 1.2 "Scenes proposed
through the crosswalk", "Process type"): a proposal counts for nothing until confirmed
(``scenes_proposed`` → ``scenes``), a declined one stays in ``scenes_declined`` and is not
proposed again, also after a reload; proposals are shown apart from confirmed scenes; a scene of
the other process type than ``application.factory_type`` is flagged, in the step and in the
results (the engine's ``other-process-type`` warning). Screenshots of the step at 1280×900 and
375×812 in both languages go to $GUIDEGEN_SHOTS when set (else the test's tmp folder).

The crosswalk read by hand (catalogs/crosswalk.yaml): 2021 scenes 5 离散型工艺数字化设计 and 6
流程型工艺数字化设计 are both `merged-into` 2024 scene 5 工艺数字化设计, so ticking 2024 scene 5 proposes
2021 scenes 5 and 6; for a discrete maker 6 is flagged (2021 guide `process_type: process`)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

import test_calculator_browser as cb
from guidegen.core import evaluate
from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server, built_site, require_chromium, require_node_modules,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
WORKSHOP = "zhuzhou-benchmark-workshop"
OTHER = '#gg-step [data-guide="miit-2021"]'


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


def profile(factory_type=None) -> dict:
    p = {"profile": 1, "enterprise": {"name": "株洲示例零部件有限公司", "province": "湖南省", "city": "株洲市"}}
    if factory_type:
        p["application"] = {"factory_type": factory_type}
    return p


def open_scenes(browser, server, tmp_path, answers, *, lang="zh", viewport=(1280, 900)):
    """The calculator for the Zhuzhou workshop with ``answers`` imported, on the scenes step,
    ticking the 2024 guide (so the 2021 guide gets the proposals)."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.goto(f"{server.origin}/{'' if lang == 'zh' else lang + '/'}calculator/?schemes={WORKSHOP}")
    page.wait_for_selector(".gg-place__input", timeout=15_000)
    cb.until(page, "() => window.guidegen.state().exact", timeout=60_000)
    file = tmp_path / f"answers-{lang}-{viewport[0]}.json"
    file.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("#gg-import-file", str(file))
    cb.until(page, "n => (window.guidegen.profile().enterprise || {}).name === n", answers["enterprise"]["name"], timeout=60_000)
    go_to_scenes(page)
    return context, page


def go_to_scenes(page):
    if not page.locator('.gg-stepper__button[data-step="scenes"]').is_visible():
        page.click("#gg-next")  # a phone: the stepper may be folded; walk instead
        cb.until(page, "() => window.guidegen.state().step !== 'where'")
        while cb.state(page)["step"] != "scenes":
            step = cb.state(page)["step"]
            page.click("#gg-next")
            cb.until(page, "s => window.guidegen.state().step !== s", step)
    else:
        page.click('.gg-stepper__button[data-step="scenes"]')
    cb.until(page, "() => window.guidegen.state().step === 'scenes'")
    assert sorted(cb.state(page)["guides"]) == ["miit-2021", "miit-2024"]
    if cb.state(page)["guide"] != "miit-2024":
        page.check('input[data-guide-choice="miit-2024"]')
        cb.until(page, "() => window.guidegen.state().guide === 'miit-2024'")


def tick(page, n):
    cb.open_folds(page, '#gg-step [data-role="ticked"]')
    page.check(f'#gg-step [data-role="ticked"] input[data-scene="{n}"]')


def listed(page, which):
    """Scene numbers shown in the other guide's list ``which`` (proposed / confirmed / declined)."""
    return sorted({int(n) for n in page.eval_on_selector_all(
        f'{OTHER} [data-list="{which}"] [data-scene]', "els => els.map((e) => e.dataset.scene)")})


def scenes(page, key):
    return (page.evaluate("() => window.guidegen.profile()").get(key) or {}).get("miit-2021")


def warning_shown(page):
    return page.evaluate("() => [...document.querySelectorAll('#gg-warnings [data-warning=\"other-process-type\"]')].map((e) => e.textContent)")


def warnings_settled(page, bundle, timeout=30):
    """Wait until the results show the engine's process-type warnings for the page's answers (the
    totals alone do not tell: a proposal changes no points); return how many."""
    cb.wait_settled(page, bundle, [WORKSHOP])
    deadline = time.monotonic() + timeout
    while True:
        want = len([w for w in evaluate(bundle, cb.page_profile(page), schemes=[WORKSHOP])["warnings"]
                    if w["kind"] == "other-process-type"])
        if len(warning_shown(page)) == want:
            return want
        assert time.monotonic() < deadline, f"the results never showed {want} process-type warnings"
        page.wait_for_timeout(200)


def shot(page, name, tmp_path, bundle):
    warnings_settled(page, bundle)  # the results beside the step are the engine's for these answers
    folder = Path(os.environ.get("GUIDEGEN_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    # The screen as the user sees it, scrolled to the other guide's lists (proposed, confirmed).
    target = page.locator(f'{OTHER} [data-list]').first
    (target if target.count() else page.locator(OTHER)).scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -80)")
    page.screenshot(path=str(folder / f"scenes-{name}.png"))


def test_confirm_decline_and_the_process_type_flag(browser, server, bundle, tmp_path):
    context, page = open_scenes(browser, server, tmp_path, profile("discrete"))
    # Nothing ticked yet: nothing proposed, nothing written.
    assert scenes(page, "scenes_proposed") is None and scenes(page, "scenes") is None
    tick(page, 5)  # 2024 scene 5 工艺数字化设计 ← 2021 5 and 6 (merged-into)
    cb.until(page, "() => ((window.guidegen.profile().scenes_proposed || {})['miit-2021'] || []).length === 2")
    assert scenes(page, "scenes_proposed") == [5, 6] and scenes(page, "scenes") is None  # proposed: not counted
    assert listed(page, "proposed") == [5, 6] and listed(page, "confirmed") == []
    # 6 流程型… is flagged for a discrete maker, 5 离散型… is not.
    flags = page.eval_on_selector_all(f'{OTHER} [data-list="proposed"] [data-scene]:has([data-flag="process-type"])',
                                      "els => els.map((e) => e.dataset.scene)")
    assert flags == ["6"]
    assert page.locator(f'{OTHER} [data-scene="6"] [data-flag="process-type"]').first.text_content() == "流程型场景，所填工厂类型为离散型"
    # The engine says it too, in the results (the warning on scenes_proposed.miit-2021).
    texts = cb.until(page, "() => [...document.querySelectorAll('#gg-warnings [data-warning=\"other-process-type\"]')].map((e) => e.textContent)")
    assert any("6“流程型工艺数字化设计”" in t and "离散型" in t for t in texts), texts
    shot(page, "zh-1280-proposed", tmp_path, bundle)

    # Confirm 5: it moves to the confirmed list and to scenes.miit-2021.
    page.click(f'{OTHER} button[data-action="confirm"][data-scene="5"]')
    cb.until(page, "() => ((window.guidegen.profile().scenes || {})['miit-2021'] || []).includes(5)")
    assert scenes(page, "scenes") == [5] and scenes(page, "scenes_proposed") == [6]
    assert listed(page, "confirmed") == [5] and listed(page, "proposed") == [6]
    # Decline 6: kept in scenes_declined, shown apart, counted nowhere.
    page.click(f'{OTHER} button[data-action="decline"][data-scene="6"]')
    cb.until(page, "() => ((window.guidegen.profile().scenes_declined || {})['miit-2021'] || []).includes(6)")
    assert scenes(page, "scenes_declined") == [6] and scenes(page, "scenes_proposed") is None and scenes(page, "scenes") == [5]
    assert listed(page, "declined") == [6] and listed(page, "proposed") == []
    # Another tick on the ticked guide does not propose 6 again.
    tick(page, 7)
    page.wait_for_timeout(300)
    assert 6 not in (scenes(page, "scenes_proposed") or []) and scenes(page, "scenes_declined") == [6]
    # Nothing of the other type is ticked or proposed any more: the results' warning is gone.
    cb.until(page, "() => !document.querySelector('#gg-warnings [data-warning=\"other-process-type\"]')")
    shot(page, "zh-1280-decided", tmp_path, bundle)

    # After a reload: the same lists, 6 still declined and not proposed.
    page.reload()
    page.wait_for_selector(".gg-place__input", timeout=15_000)
    cb.until(page, "() => window.guidegen.state().exact", timeout=60_000)
    go_to_scenes(page)
    assert scenes(page, "scenes") == [5] and scenes(page, "scenes_declined") == [6]
    assert 6 not in (scenes(page, "scenes_proposed") or [])
    assert listed(page, "declined") == [6] and listed(page, "confirmed") == [5] and 6 not in listed(page, "proposed")
    tick(page, 10)
    page.wait_for_timeout(300)
    assert 6 not in (scenes(page, "scenes_proposed") or [])
    context.close()


def test_no_factory_type_no_flag(browser, server, bundle, tmp_path):
    context, page = open_scenes(browser, server, tmp_path, profile())
    tick(page, 5)
    cb.until(page, "() => ((window.guidegen.profile().scenes_proposed || {})['miit-2021'] || []).length === 2")
    assert page.locator(f'{OTHER} [data-flag="process-type"]').count() == 0
    assert warnings_settled(page, bundle) == 0 and not warning_shown(page)
    context.close()


def test_a_process_maker_sees_the_other_flag(browser, server, bundle, tmp_path):
    context, page = open_scenes(browser, server, tmp_path, profile("process"))
    tick(page, 5)
    cb.until(page, "() => ((window.guidegen.profile().scenes_proposed || {})['miit-2021'] || []).length === 2")
    flags = page.eval_on_selector_all(f'{OTHER} [data-list="proposed"] [data-scene]:has([data-flag="process-type"])',
                                      "els => els.map((e) => e.dataset.scene)")
    assert flags == ["5"]
    assert page.locator(f'{OTHER} [data-scene="5"] [data-flag="process-type"]').first.text_content() == "离散型场景，所填工厂类型为流程型"
    context.close()


@pytest.mark.parametrize("lang,viewport", [("zh", (1280, 900)), ("en", (1280, 900)), ("zh", (375, 812)), ("en", (375, 812))])
def test_the_step_on_a_desk_and_a_phone_in_both_languages(browser, server, bundle, tmp_path, lang, viewport):
    context, page = open_scenes(browser, server, tmp_path, profile("discrete"), lang=lang, viewport=viewport)
    tick(page, 5)
    cb.until(page, "() => ((window.guidegen.profile().scenes_proposed || {})['miit-2021'] || []).length === 2")
    page.click(f'{OTHER} button[data-action="confirm"][data-scene="5"]')
    cb.until(page, "() => ((window.guidegen.profile().scenes || {})['miit-2021'] || []).includes(5)")
    flag = page.locator(f'{OTHER} [data-list="proposed"] [data-scene="6"] [data-flag="process-type"]')
    assert flag.is_visible()
    assert flag.text_content() == {"zh": "流程型场景，所填工厂类型为离散型",
                                   "en": "a process-manufacturing scene; your factory type is discrete"}[lang]
    # Nothing wider than the screen (a phone must not scroll sideways).
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 1, f"{wide}px of sideways scroll"
    for btn in page.locator(f'{OTHER} [data-list="proposed"] button').all():
        box = btn.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport[0] + 1
    shot(page, f"{lang}-{viewport[0]}", tmp_path, bundle)
    # 6 is still proposed: the engine's warning is in the results (on a phone, behind the results bar).
    assert warnings_settled(page, bundle) == 1
    context.close()
