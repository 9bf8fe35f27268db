"""The calculator in Debian's chromium, on the real site (mkdocs build), served over
loopback with the page's Content-Security-Policy also sent as a header.

One walk through the user's day (fill → reload → export → import → share →
other language → API) plus hostile input, a broken runtime and printing.
Every request is recorded: all go to the page's own origin, all are GETs, and
the profile appears in none of them; no cookie is ever set."""

import contextlib
import io
import json
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from guidegen.core import evaluate, evaluate_json

from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server,
    StaticServer, built_site, calculator_csp, canonical, example_profile, js_number, launch,
    require_chromium, require_node_modules, shown_total, site_bundle, wait_for_results,
)

pytestmark = pytest.mark.browser
WORKSHOP = "zhuzhou-benchmark-workshop"


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()




class Recorder:
    """Every request of a browser context, and every page error."""

    def __init__(self, context):
        self.requests = []
        self.errors = []
        context.on("request", lambda r: self.requests.append(r))
        context.on("weberror", lambda e: self.errors.append(str(e.error)))
        context.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.errors.append(f"CSP: {text}")

    def check(self, origin, secrets):
        assert any(r.url.endswith("/pyodide.asm.wasm") for r in self.requests), "the worker's requests were not recorded"
        for r in self.requests:
            url = r.url
            assert url.startswith(origin + "/") or url.startswith("blob:" + origin + "/"), f"request to another origin: {url}"
            assert r.method == "GET", f"{r.method} {url}"
            body = r.post_data_buffer or b""
            for s in secrets:
                for form in {s, quote(s), quote(s, safe="")}:
                    assert form not in url and form not in unquote(url), f"profile data {s!r} in request URL {url}"
                    assert form.encode() not in body, f"profile data {s!r} in a request body"


def fill_form(page, bundle, profile):
    """Answer every question of ``profile`` through the generated form, by the bundle's schema."""
    fields = {f["path"]: f for s in bundle["profile"]["sections"] for f in s["fields"]}
    for path, f in fields.items():
        group, _, key = path.partition(".")
        value = profile.get(group, {}).get(key) if key else profile.get(group)
        if value is None:
            continue
        where = f'[data-path="{path}"]'
        if f["type"] in ("integer", "number", "string", "date"):
            page.fill(f"{where} input", str(value))
        elif f["type"] == "boolean":
            page.check(f'{where} input[value="{str(value).lower()}"]')
        elif f["type"] == "division":
            page.select_option(f"{where} select", label=f"{value} {bundle['divisions'][value]['name']['zh']}")
        elif f["type"] == "choice":
            if "options" in f:
                label = next(o["label"]["zh"] for o in f["options"] if o["value"] == value)
            else:
                label = bundle["sectors"][value]["name"]["zh"]
            page.select_option(f"{where} select", label=label)
        elif f["type"] == "multi-choice":
            for item in value:
                page.check(f'{where} input[type="checkbox"][value="{item}"]')
        else:  # pragma: no cover - a new field type needs a line here
            raise AssertionError(f"no filler for {f['type']}")
    for guide, numbers in (profile.get("scenes") or {}).items():
        details = page.locator(f'details[data-guide="{guide}"]')
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        for n in numbers:
            page.check(f'details[data-guide="{guide}"] input[data-scene="{n}"]')
    for did, answer in (profile.get("declarations") or {}).items():
        page.locator(f'[data-path="declarations.{did}"] input[value="{str(answer).lower()}"]').first.check()


def page_profile(page):
    return page.evaluate("window.guidegen.profile()")


def same_answers(bundle, a, b):
    """Two profiles mean the same: the engine says the same about them."""
    return canonical(evaluate(bundle, a)) == canonical(evaluate(bundle, b))


def open_calculator(context, url):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#gg-form", timeout=15_000)
    return page


def test_fill_reload_export_import_share_switch_language(browser, server, bundle, tmp_path):
    origin = server.origin
    context = browser.new_context(accept_downloads=True)
    rec = Recorder(context)
    profile = example_profile()
    expected = evaluate(bundle, profile)
    total = js_number(next(r for r in expected["results"] if r["scheme"] == WORKSHOP)["score"]["total"])

    # The form is there at once; the engine follows.
    t0 = time.monotonic()
    page = open_calculator(context, f"{origin}/calculator/")
    form_s = time.monotonic() - t0
    assert page.get_attribute("html", "lang") == "zh-CN"
    wait_for_results(page)
    first_result_s = time.monotonic() - t0
    timings = page.evaluate("window.guidegen.timings")
    print(f"\ncalculator (http.server, cold): form {form_s:.2f}s, first result {first_result_s:.2f}s; page timings {timings}")

    # 1. Fill the example profile through the form: the page shows the CPython total.
    fill_form(page, bundle, profile)
    page.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="{total}"]', timeout=20_000)
    assert same_answers(bundle, page_profile(page), profile)
    # Key links of the derived sector (C36 → equipment) are highlighted.
    keys = bundle["sectors"]["equipment"]["key_links"]
    marked = page.eval_on_selector_all('details[data-guide="miit-2021"] .gg-link--key', "els => els.map(e => +e.dataset.link)")
    assert sorted(marked) == sorted(keys)

    # 2. Reload keeps the answers.
    page.reload()
    page.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="{total}"]', timeout=60_000)
    assert page.input_value('[data-path="enterprise.name"] input') == profile["enterprise"]["name"]
    assert same_answers(bundle, page_profile(page), profile)

    # 3. Export → a profile.md JSON that `guidegen evaluate` reads.
    with page.expect_download() as dl:
        page.click("#gg-export")
    exported_path = tmp_path / "exported.json"
    dl.value.save_as(exported_path)
    exported = json.loads(exported_path.read_text(encoding="utf-8"))
    assert exported["profile"] == 1
    assert same_answers(bundle, exported, profile)
    from guidegen.cli import main as cli
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["evaluate", str(exported_path), "--json", "--catalog", str(Path(__file__).parent.parent / "catalogs")]) == 0
    assert canonical(out.getvalue()) == canonical(expected)

    # 4. Clear, then import the file: the same answers and total come back.
    page.once("dialog", lambda d: d.accept())
    page.click("#gg-clear")
    page.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="0"]', timeout=20_000)
    assert page_profile(page) == {"profile": 1}
    page.set_input_files("#gg-import-file", str(exported_path))
    page.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="{total}"]', timeout=20_000)
    assert canonical(page_profile(page)) == canonical(exported)

    # 5. Share link: the profile travels in the fragment only and opens elsewhere.
    page.click("#gg-share")
    link = page.input_value("#gg-share-url")
    assert link.startswith(f"{origin}/calculator/#p=")
    other = browser.new_context()
    rec_other = Recorder(other)
    shared = open_calculator(other, link)
    shared.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="{total}"]', timeout=60_000)
    assert canonical(page_profile(shared)) == canonical(exported)
    assert "#" not in shared.url, "the profile should leave the address bar once loaded"
    shared.reload()  # now from this browser's storage
    shared.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="{total}"]', timeout=60_000)
    assert canonical(page_profile(shared)) == canonical(exported)

    # 6. The other language keeps the answers (same origin, same storage).
    page.click(".gg-header__lang")
    page.wait_for_url(f"{origin}/en/calculator/")
    page.wait_for_selector("#gg-form")
    assert page.get_attribute("html", "lang") == "en"
    assert canonical(page_profile(page)) == canonical(exported)
    page.wait_for_selector(f'#gg-res-{WORKSHOP} .gg-total[data-total="{total}"]', timeout=60_000)
    assert "Self-assessment" in page.inner_text("#gg-resultscol h2")
    page.click(".gg-header__lang")
    page.wait_for_url(f"{origin}/calculator/")

    # 7. The JS API: the same result as CPython, byte for byte after normalisation.
    page.wait_for_selector("#gg-results .gg-scheme", timeout=60_000)
    got = page.evaluate("p => window.guidegen.ready.then(() => window.guidegen.evaluate(p))", profile)
    assert canonical(got) == canonical(evaluate_json(bundle, json.dumps(profile, ensure_ascii=False)))
    errors = page.evaluate("() => window.guidegen.evaluate({profile: 1, maturity: {level: 9}})")
    assert errors == json.loads(evaluate_json(bundle, json.dumps({"profile": 1, "maturity": {"level": 9}})))

    # Privacy: own origin only, GETs only, the profile in no request; no cookie.
    secrets = [profile["enterprise"]["name"], link.split("#p=", 1)[1][:40]]
    rec.check(origin, secrets)
    rec_other.check(origin, secrets)
    assert context.cookies() == [] and other.cookies() == []
    assert page.evaluate("document.cookie") == ""
    assert not rec.errors and not rec_other.errors, rec.errors + rec_other.errors
    other.close()
    context.close()


def test_hostile_text_bad_values_and_a_worker_that_survives(browser, server, bundle):
    context = browser.new_context()
    page = open_calculator(context, f"{server.origin}/calculator/")
    wait_for_results(page)
    hostile = '<img src=x onerror="window.pwned=1"><b>粗体</b>&amp;'
    page.fill('[data-path="enterprise.city"] input', hostile)
    page.fill('[data-path="enterprise.employees"] input', "-5")
    # The engine's message shows at the field (the profile path names it).
    err = page.locator('[data-path="enterprise.employees"] .gg-error')
    err.wait_for(state="visible", timeout=60_000)
    want = json.loads(evaluate_json(bundle, json.dumps({"profile": 1, "enterprise": {"city": hostile, "employees": -5}})))
    assert [e["field"] for e in want["errors"]] == ["enterprise.employees"]
    assert err.inner_text() == want["errors"][0]["message"]["zh"]
    # Fix it: results come back, with the hostile city shown as text.
    page.fill('[data-path="enterprise.employees"] input', "650")
    page.wait_for_selector('#gg-results[data-errors="0"] .gg-scheme', timeout=20_000)
    page.locator("#gg-results .gg-cond__msg").filter(has_text=hostile).first.wait_for(timeout=20_000)
    assert page.locator("#gg-root img").count() == 0
    assert page.locator("#gg-results b").count() == 0
    assert page.evaluate("window.pwned === undefined")
    # Declarations sit under each scheme that uses them; one answer, every place.
    groups = page.eval_on_selector_all("#gg-sec-declarations .gg-declgroup", "els => els.map(e => e.dataset.scheme)")
    assert set(groups) <= set(bundle["schemes"]) and len(groups) >= 5
    paths = page.eval_on_selector_all("#gg-sec-declarations .gg-field", "els => els.map(e => e.dataset.path)")
    shared = next(p for p in paths if paths.count(p) > 1)
    page.locator(f'[data-path="{shared}"] input[value="true"]').first.check()
    checked = page.eval_on_selector_all(f'[data-path="{shared}"] input[value="true"]', "els => els.map(e => e.checked)")
    assert len(checked) > 1 and all(checked)
    assert page.evaluate("window.guidegen.profile()")["declarations"] == {shared.split(".", 1)[1]: True}
    # Garbage never kills the worker.
    for bad in ["not json", "[1, 2]", '{"profile": 1, "x": ' + "[" * 100000 + "]" * 100000 + "}",
                '{"profile": 1, "enterprise": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + "}"]:
        out = page.evaluate("s => window.guidegen.evaluate(s)", bad)
        assert out["errors"] and out["errors"][0]["field"] in ("(profile)", "x", "enterprise.a")
    ok = page.evaluate("() => window.guidegen.evaluate({profile: 1, maturity: {level: 3}})")
    assert "results" in ok
    context.close()


def test_runtime_failure_is_explained_and_answers_are_kept(browser, server):
    context = browser.new_context()
    context.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404, body="gone"))
    page = open_calculator(context, f"{server.origin}/calculator/")
    status = page.locator('#gg-status[data-state="failed"]')
    status.wait_for(timeout=60_000)
    text = status.inner_text()
    assert "计算引擎未能加载" in text and "could not be loaded" in text and "pyodide.asm.wasm" in text
    assert page.evaluate("window.guidegen.ready.then(() => 'ok', e => 'rejected')") == "rejected"
    # The form still works and the answers survive a reload.
    page.fill('[data-path="enterprise.name"] input', "仍然保存")
    page.reload()
    page.wait_for_selector("#gg-form")
    assert page.input_value('[data-path="enterprise.name"] input') == "仍然保存"
    context.close()


def test_print_gives_a_clean_report(browser, server, tmp_path):
    context = browser.new_context()
    page = open_calculator(context, f"{server.origin}/calculator/")
    wait_for_results(page)
    page.fill('[data-path="enterprise.name"] input', "打印测试公司")
    page.wait_for_timeout(400)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert not page.is_visible("#gg-form")
    assert not page.is_visible(".gg-toolbar")
    assert not page.is_visible(".gg-header")
    assert page.is_visible("#gg-results .gg-scheme")
    assert page.is_visible(".gg-printhead") and "打印测试公司" in page.inner_text(".gg-printhead")
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.read_bytes()[:4] == b"%PDF"
    context.close()
