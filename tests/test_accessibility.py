"""Hardening, in Debian's chromium on the real site (mkdocs build) served over loopback:

1. accessibility: axe-core finds no serious or critical violation on the home page,
   a scheme page, a scene-guide page and the calculator (engine ready, results shown),
   in both languages; and on the calculator's error, share and failure states;
2. keyboard: the calculator is filled with the keyboard alone (Tab, Shift+Tab, Enter,
   Space, arrows, typing), with a skip link, a logical order and a visible focus ring;
3. resilience: a runtime file missing or damaged on the server is explained in both
   languages, and the answers (typed before, in localStorage) survive reloads;
4. hostile profiles: imported from a file or opened from a share link, hostile strings
   in enterprise.name, in unknown field keys and javascript: URLs show as text only.

The missing-pyodide.asm.wasm case is in test_calculator_browser.py; hostile text typed
into the form is there too.
"""

import json

import pytest

from guidegen.core import evaluate

from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server,
    StaticServer, axe_violations, break_file, built_site, calculator_csp, canonical, describe_violations,
    js_number, launch, require_axe, require_chromium, require_node_modules, share_url, site_bundle, site_copy,
    wait_for_results,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
WORKSHOP = "zhuzhou-benchmark-workshop"
STORAGE_KEY = "guidegen.calculator.profile.v1"

# axe rules not run, each with the reason. None: the one problem axe found in Material's own
# markup (the search overlay, role="dialog" without a name) is fixed by the guidegen plugin
# (on_post_page), and everything else was fixed in our templates and styles.
EXCLUDED_RULES: dict[str, str] = {}


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    require_axe()
    return built_site()




@pytest.fixture(scope="module")
def axe_context(browser):
    # The calculator's Content-Security-Policy allows no script but its own files, so the
    # injected axe-core would be refused: this context (used for the axe runs only) bypasses
    # the CSP. Every other test here runs under the page's real CSP.
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()


def serious(page):
    return [v for v in axe_violations(page) if v["id"] not in EXCLUDED_RULES]


# ---------------------------------------------------------------- 1. axe

PAGES = {
    "home": "",
    "scheme": f"schemes/{WORKSHOP}/",
    "scene-guide": "guides/miit-2021/",
    "calculator": "calculator/",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_violation(axe_context, server, lang, kind):
    page = axe_context.new_page()
    page.goto(f"{server.origin}/{'' if lang == 'zh' else 'en/'}{PAGES[kind]}")
    assert page.get_attribute("html", "lang") in (("zh", "zh-CN") if lang == "zh" else ("en",))
    if kind == "calculator":
        page.wait_for_selector('#gg-status[data-state="ready"]', timeout=60_000)
        wait_for_results(page)
    found = serious(page)
    page.close()
    assert not found, f"axe on the {lang} {kind} page:\n{describe_violations(found)}"


def poll(page, expression, arg=None, tries=600):
    """Poll a JS function until truthy (the page's CSP forbids wait_for_function's eval)."""
    for _ in range(tries):
        value = page.evaluate(expression, arg)
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_axe_on_every_step_of_the_calculator(axe_context, server, lang):
    """Each step of the guided flow (Zhuzhou: every step there is), the phone's results panel."""
    page = axe_context.new_page()
    page.goto(f"{server.origin}/{'' if lang == 'zh' else 'en/'}calculator/")
    page.evaluate("localStorage.clear()")  # a first visit (the axe context is shared)
    page.reload()
    page.wait_for_selector("#gg-step", timeout=60_000)
    page.click('.gg-stepper__button[data-step="where"]')
    page.fill(".gg-place__input", "株洲")
    page.locator(".gg-place__option").first.click()
    wait_for_results(page)
    poll(page, "() => window.guidegen.state().exact")
    found = {}
    for step in page.evaluate("window.guidegen.state().steps"):
        page.click(f'.gg-stepper__button[data-step="{step}"]')
        poll(page, "s => document.querySelector('#gg-step').dataset.step === s", step)
        page.evaluate("document.querySelectorAll('#gg-step details').forEach((d) => { d.open = true; })")
        found[step] = serious(page)
    page.set_viewport_size({"width": 375, "height": 812})
    page.locator("#gg-chipbar-open").click()
    page.evaluate("document.querySelectorAll('#gg-results details').forEach((d) => { d.open = true; })")
    found["results (phone)"] = serious(page)
    page.close()
    bad = {k: v for k, v in found.items() if v}
    assert not bad, "\n".join(f"{k}:\n{describe_violations(v)}" for k, v in bad.items())


def test_axe_on_the_calculator_with_errors_share_link_open_sections_and_a_failed_engine(axe_context, server):
    page = axe_context.new_page()
    page.goto(f"{server.origin}/calculator/")
    wait_for_results(page)
    # An invalid answer (the message at the field, the older results kept), the share box,
    # every collapsed section open.
    page.click('.gg-stepper__button[data-step="enterprise"]')
    page.fill('[data-path="enterprise.employees"] input', "-5")
    page.locator('[data-path="enterprise.employees"] .gg-error').wait_for(state="visible", timeout=20_000)
    page.locator("#gg-stale").wait_for(state="visible", timeout=20_000)
    page.click("#gg-share")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    found = serious(page)
    page.close()
    assert not found, describe_violations(found)

    failing = axe_context.browser.new_context(bypass_csp=True)  # see axe_context
    failing.route("**/python_stdlib.zip", lambda route: route.fulfill(status=404, body="gone"))
    page = failing.new_page()
    page.goto(f"{server.origin}/en/calculator/")
    page.wait_for_selector('#gg-status[data-state="failed"]', timeout=60_000)
    found = serious(page)
    failing.close()
    assert not found, describe_violations(found)


# ---------------------------------------------------------------- 2. keyboard only

FOCUS = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const field = e.closest('[data-path]');
  const guide = e.closest('[data-guide]');
  return {tag: e.tagName, id: e.id, cls: String(e.className), type: e.type || null,
          path: field ? field.dataset.path : null, guide: guide ? guide.dataset.guide : null,
          scene: e.dataset ? (e.dataset.scene || null) : null, value: e.value ?? null,
          fold: e.tagName === 'SUMMARY' && e.parentElement.dataset.linkFold ? e.parentElement.dataset.linkFold : null,
          focusVisible: e.matches(':focus-visible'),
          ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'};
}"""


class Keyboard:
    """Moves through the page with Tab / Shift+Tab only, checking each stop has a focus ring."""

    def __init__(self, page):
        self.page = page
        self.stops = 0

    def focus(self):
        return self.page.evaluate(FOCUS)

    def press(self, key):
        self.page.keyboard.press(key)
        if key in ("Tab", "Shift+Tab"):
            self.stops += 1
            f = self.focus()
            # Date inputs: focus sits on Chromium's own sub-fields inside the control (its shadow DOM).
            if f["type"] != "date" and f["tag"] != "BODY":
                assert f["focusVisible"] and f["ring"], f"no visible focus ring on {f}"
            return f
        return None

    def tab_to(self, want, limit=900):
        for _ in range(limit):
            f = self.press("Tab")
            if want(f):
                return f
        raise AssertionError(f"Tab never reached the target ({self.stops} stops)")


def test_the_calculator_works_with_the_keyboard_alone(browser, server, bundle):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.origin}/calculator/")
    page.wait_for_selector('#gg-status[data-state="ready"]', timeout=60_000)
    wait_for_results(page)
    kb = Keyboard(page)

    # A skip link comes first, shows when focused, and leads past the header into the page.
    f = kb.press("Tab")
    assert f["cls"] == "gg-skip", f
    box = page.locator(".gg-skip").bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 0, "the skip link stays off screen when focused"
    kb.press("Enter")
    f = kb.press("Tab")
    assert f["id"] == "gg-export", f"after the skip link, focus should reach the toolbar, not {f}"

    # Step 1: the place, typed and chosen from the list with Tab and Enter.
    kb.tab_to(lambda f: "gg-place__input" in f["cls"])
    page.keyboard.type("株洲")
    f = kb.press("Tab")
    assert "gg-place__option" in f["cls"], f
    kb.press("Enter")
    poll(page, "() => (window.guidegen.profile().enterprise || {}).city === '株洲市'")
    # Only the SME scheme: Tab to each ticked scheme box and Space it off.
    for scheme in [s for s in page.evaluate("window.guidegen.state().schemes") if s != "zhuzhou-benchmark-sme"]:
        kb.tab_to(lambda f, s=scheme: f["value"] == s)
        page.keyboard.press("Space")
    poll(page, "() => window.guidegen.state().schemes.join() === 'zhuzhou-benchmark-sme'")
    poll(page, "() => window.guidegen.state().exact")
    # Next step by keyboard; focus lands on the new step's heading.
    kb.tab_to(lambda f: f["id"] == "gg-next")
    kb.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('gg-step__title')")
    # Text: employees, typed (full-width digits and a separator are read as a number).
    kb.tab_to(lambda f: f["path"] == "enterprise.employees")
    page.keyboard.type("６５０")
    # Radio group (the maturity level 1–5): Tab lands on "not sure", arrows choose.
    f = kb.tab_to(lambda f: f["path"] == "maturity.level" and f["type"] == "radio")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert kb.focus()["value"] == "3"
    # Order: Shift+Tab goes back to the field before.
    back = kb.press("Shift+Tab")
    assert back["path"] != "maturity.level", back
    # On to the scenes (through the stepper), a scene ticked with Space.
    kb.tab_to(lambda f: f["id"] == "gg-next")
    kb.press("Enter")
    for _ in range(6):
        if page.evaluate("window.guidegen.state().step") == "scenes":
            break
        kb.tab_to(lambda f: f["id"] == "gg-next")
        kb.press("Enter")
    guide = page.evaluate("window.guidegen.state().guide")
    # The links are folded (no sector given): Enter on the first link's fold opens it.
    if not page.evaluate("""g => !!document.querySelector(`[data-guide="${g}"] [data-link-fold="1"][open]`)""", guide):
        kb.tab_to(lambda f: f["fold"] == "1" and f["guide"] == guide)
        kb.press("Enter")
    kb.tab_to(lambda f: f["scene"] == "1" and f["guide"] == guide)
    page.keyboard.press("Space")
    # The declarations: arrows on a yes / no / not sure group.
    while page.evaluate("window.guidegen.state().step") != "declarations":
        kb.tab_to(lambda f: f["id"] == "gg-next")
        kb.press("Enter")
    f = kb.tab_to(lambda f: (f["path"] or "").startswith("declarations.") and f["type"] == "radio")
    declaration = f["path"]
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert kb.focus()["value"] == "true"

    # The answers are what was keyed in, and the results follow (the engine's own numbers).
    profile = page.evaluate("window.guidegen.profile()")
    assert profile["enterprise"]["employees"] == 650 and profile["maturity"]["level"] == 3
    assert 1 in profile["scenes"][guide]
    assert profile["declarations"][declaration.split(".", 1)[1]] is True
    result = evaluate(bundle, profile, schemes=["zhuzhou-benchmark-sme"])["results"][0]
    page.wait_for_selector(f'#gg-res-zhuzhou-benchmark-sme .gg-total[data-total="{js_number(result["score"]["total"])}"]', timeout=20_000)
    # Screen readers hear the new verdicts (a polite live region).
    live = page.locator("#gg-results-live")
    assert live.get_attribute("role") == "status" and live.inner_text().startswith("结果已更新")
    print(f"\nkeyboard: {kb.stops} Tab stops from the top of the page to the last answer")
    context.close()


# ---------------------------------------------------------------- 3. a missing or damaged runtime file

ANSWERS = {"enterprise.name": "湘江精密制造有限公司", "enterprise.employees": "650"}


@pytest.mark.parametrize("pattern, how, zh_why, en_why", [
    ("calculator/pyodide-*/python_stdlib.zip", "missing", "在服务器上不存在", "is missing on the server"),
    ("calculator/pyodide-*/python_stdlib.zip", "damaged", "已损坏", "is damaged"),
    ("calculator/guidegen-*.whl", "damaged", "已损坏", "is damaged"),
], ids=["stdlib-missing", "stdlib-damaged", "wheel-damaged"])
def test_a_broken_runtime_file_is_explained_and_the_answers_survive(browser, site, pattern, how, zh_why, en_why):
    copy = site_copy(site)
    with StaticServer(copy, calculator_csp(copy)) as srv:
        context = browser.new_context()
        page = context.new_page()
        # A working visit first: answers typed, results shown.
        page.goto(f"{srv.origin}/calculator/")
        wait_for_results(page)
        page.click('.gg-stepper__button[data-step="enterprise"]')
        for path, value in ANSWERS.items():
            page.fill(f'[data-path="{path}"] input', value)
        stored = None  # the page stores each change at once; wait until storage has the last one
        for _ in range(50):
            stored = page.evaluate(f"localStorage.getItem({json.dumps(STORAGE_KEY)})")
            if stored and '"employees":650' in stored:
                break
            page.wait_for_timeout(100)
        # This is about an ordinary start: drop the memory snapshot the first visit may have
        # stored (a return visit restored from it need not read the broken file at all).
        for _ in range(300):  # the store runs in the background after the first result
            if page.evaluate("window.guidegen.timings.snapshot || null"):
                break
            page.wait_for_timeout(100)
        page.evaluate("() => caches.keys().then((ks) => Promise.all(ks.map((k) => caches.delete(k))))")
        page.evaluate("() => navigator.storage.getDirectory().then((root) => root.removeEntry('guidegen-snapshot-v3', "
                      "{recursive: true})).catch(() => {})")
        # Then the server loses (or garbles) a runtime file.
        broken = break_file(copy, pattern, how)
        page.reload()
        status = page.locator('#gg-status[data-state="failed"]')
        status.wait_for(timeout=60_000)
        assert status.get_attribute("data-file") == broken.name
        assert status.get_attribute("data-problem") == how
        zh = page.locator('#gg-status p[lang="zh-CN"]').inner_text()
        en = page.locator('#gg-status p[lang="en"]').inner_text()
        assert "计算引擎未能加载" in zh and f"运行文件 {broken.name} {zh_why}" in zh and "答案已保存在本机" in zh, zh
        assert "could not be loaded" in en and f"the runtime file {broken.name} {en_why}" in en, en
        assert "answers are kept on this device" in en and "administrator" in en, en
        # The answers are still there, in the form and in storage ...
        for path, value in ANSWERS.items():
            assert page.input_value(f'[data-path="{path}"] input') == value
        assert canonical(page.evaluate(f"localStorage.getItem({json.dumps(STORAGE_KEY)})")) == canonical(stored)
        # ... the form keeps working without the engine, and a reload keeps everything.
        page.fill('[data-path="enterprise.revenue_wan"] input', "28000")
        poll(page, "(key) => (localStorage.getItem(key) || '').includes('\"revenue_wan\":28000')", STORAGE_KEY)
        page.reload()
        page.locator('#gg-status[data-state="failed"]').wait_for(timeout=60_000)
        for path, value in {**ANSWERS, "enterprise.revenue_wan": "28000"}.items():
            assert page.input_value(f'[data-path="{path}"] input') == value
        # The English page says the same (same origin: same answers).
        page.goto(f"{srv.origin}/en/calculator/")
        page.locator('#gg-status[data-state="failed"]').wait_for(timeout=60_000)
        assert page.get_attribute("html", "lang") == "en"
        text = page.inner_text("#gg-status")
        assert f"the runtime file {broken.name} {en_why}" in text and f"运行文件 {broken.name} {zh_why}" in text
        assert page.input_value('[data-path="enterprise.name"] input') == ANSWERS["enterprise.name"]
        assert json.loads(page.evaluate(f"localStorage.getItem({json.dumps(STORAGE_KEY)})"))["enterprise"]["revenue_wan"] == 28000
        context.close()


# ---------------------------------------------------------------- 4. hostile imported and shared profiles

SCRIPT = "<script>window.__xss = 1</script>"
IMG = '<img src=x onerror="window.__xss = 2">'
JS_URL = "javascript:window.__xss = 3"
HOSTILE_NAME = f"{SCRIPT}{IMG}{JS_URL}"
HOSTILE_PROFILE = {
    "profile": 1,
    "enterprise": {"name": HOSTILE_NAME, "city": JS_URL, "province": '<a href="javascript:window.__xss=4">x</a>',
                   "<img src=x onerror=window.__xss=5>": JS_URL},
    "<script>window.__xss=6</script>": {"javascript:window.__xss=7": IMG},
    "scenes": {"miit-2021": [1, "<img src=x onerror=window.__xss=8>"]},
}
UNKNOWN_KEYS = ["enterprise.<img src=x onerror=window.__xss=5>", "<script>window.__xss=6</script>"]

NO_SCRIPT_RAN = """() => {
  const js = /^\\s*javascript:/i;
  const links = [...document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\\\:href]')]
    .filter((e) => ['href', 'src', 'action', 'formaction', 'xlink:href'].some((a) => js.test(e.getAttribute(a) || '')))
    .map((e) => e.outerHTML.slice(0, 120));
  return {xss: typeof window.__xss, links,
          injected: document.querySelectorAll('#gg-root img, #gg-root script, #gg-root iframe, #gg-root object').length,
          scripts: document.scripts.length};
}"""


def check_hostile_profile_shown_as_text(page):
    # The unknown keys are named as text, at the top of the results.
    errors = page.locator("#gg-errors")
    errors.wait_for(state="visible", timeout=60_000)
    text = errors.inner_text()
    for key in UNKNOWN_KEYS:
        assert key in text, (key, text)
    page.click('.gg-stepper__button[data-step="where"]')
    assert JS_URL in page.inner_text("#gg-place-chosen")
    page.click('.gg-stepper__button[data-step="enterprise"]')
    assert page.input_value('[data-path="enterprise.name"] input') == HOSTILE_NAME
    page.click('.gg-stepper__button[data-step="scenes"]')
    page.locator('[data-guide-choice="miit-2021"]').check() if page.locator('[data-guide-choice="miit-2021"]').count() else None
    assert "<img src=x onerror=window.__xss=8>" in page.inner_text('[data-guide="miit-2021"] .gg-unknown')
    # The printed report heads with the name, as text.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator(".gg-printhead__name").text_content() == HOSTILE_NAME
    # An injected <img onerror> would have run once every image has loaded or failed.
    poll(page, "() => [...document.images].every((img) => img.complete)")
    state = page.evaluate(NO_SCRIPT_RAN)
    # The page's own two scripts (boot.js, app.js), nothing injected.
    assert state == {"xss": "undefined", "links": [], "injected": 0, "scripts": 2}, state
    assert canonical(page.evaluate("window.guidegen.profile()")) == canonical(HOSTILE_PROFILE)


def test_hostile_strings_in_imported_and_shared_profiles_stay_text(browser, server, tmp_path):
    # bypass_csp: the page's CSP would block inline handlers anyway; without it, only the
    # calculator's own care (text nodes, no HTML parsing) stands between the profile and the page.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{server.origin}/calculator/")
    wait_for_results(page)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(HOSTILE_PROFILE, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("#gg-import-file", str(path))
    check_hostile_profile_shown_as_text(page)
    context.close()

    for lang in ("zh", "en"):
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(share_url(server.origin, HOSTILE_PROFILE, lang))
        page.wait_for_selector("#gg-form", timeout=15_000)
        check_hostile_profile_shown_as_text(page)
        assert "#" not in page.url
        context.close()


# ---------------------------------------------------------------- 4. focus states on a phone (issue 24)

def _rgb(text):
    import re
    r, g, b = (int(x) for x in re.findall(r"\d+", text)[:3])
    return r, g, b


def _contrast(a, b):
    def lum(c):
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]
    la, lb = sorted((lum(a), lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


STYLE = """sel => { const e = document.querySelector(sel); const s = getComputedStyle(e);
  return {color: s.color, bg: s.backgroundColor, outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""


def test_focus_is_visible_readable_and_never_under_the_result_bar_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    # The site's search button has a name where its label is hidden (every guide page).
    page.goto(f"{server.origin}/")
    name = page.evaluate("() => { const b = document.querySelector('[data-gg-search-open]'); return b && (b.getAttribute('aria-label') || b.innerText.trim()); }")
    assert name, "the search button has no accessible name at 375 px"
    page.goto(f"{server.origin}/calculator/?schemes=zhuzhou-benchmark-sme")
    page.wait_for_selector(".gg-place__input", timeout=15_000)
    poll(page, "() => window.guidegen.state().exact")
    kb = Keyboard(page)
    # Quiet buttons keep their contrast when focused (清空答案, 上一步).
    kb.tab_to(lambda f: f["id"] == "gg-clear")
    s = page.evaluate(STYLE, "#gg-clear")
    assert _contrast(_rgb(s["color"]), _rgb(s["bg"])) >= 4.5, s
    # The import button's ring is drawn on the import button itself.
    page.focus("#gg-export")
    kb.press("Tab")
    assert page.evaluate("document.activeElement.id") == "gg-import-file"
    ring = page.evaluate(STYLE, "#gg-import")
    assert ring["outline"] != "none" and ring["width"] >= 2, ring
    # The sticky result bar never covers the focused control: 下一步 and the first scheme box.
    for target in ("#gg-next", "#gg-schemes input[data-scheme]"):
        page.evaluate("() => window.scrollTo(0, 0)")
        kb.tab_to(lambda f, t=target: page.evaluate("t => document.activeElement === document.querySelector(t)", t))
        box = page.evaluate("t => { const r = document.querySelector(t).getBoundingClientRect(); return [r.top, r.bottom]; }", target)
        bar = page.evaluate("() => document.querySelector('#gg-chipbar').getBoundingClientRect().top")
        assert box[1] <= bar, f"{target} (bottom {box[1]}) is under the result bar (top {bar})"
    context.close()
