"""The application step in Debian's chromium on the real site: the KPI worksheet shows the
engine's computed change and its field errors, a section's 字数 is counted against the form's
limit while typing, and the downloaded .docx (made in the page, no request) holds the facts.
One page, one download: the rest is covered under Node (test_application_pack.py)."""

from __future__ import annotations

import json
import zipfile

import pytest

docx = pytest.importorskip("docx", reason="python-docx is a test dependency (pip install -e .[test])")

from test_application_pack import HUNAN_PROFILE
from test_calculator_support import (  # noqa: F401 - bundle, server, browser are fixtures
    browser, bundle, server, built_site, require_chromium, require_node_modules, share_url,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
HUNAN = "hunan-advanced-factory-2025"


@pytest.fixture(scope="module")
def site():
    require_node_modules()
    require_chromium()
    return built_site()


def test_worksheet_and_draft_in_the_browser(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    requests, errors = [], []
    context.on("request", lambda r: requests.append(r))
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    page.goto(share_url(server.origin, HUNAN_PROFILE).replace("calculator/#", f"calculator/?schemes={HUNAN}#"))
    page.click('button[data-step="application"]', timeout=60_000)
    page.wait_for_selector("#gg-application .gg-kpi")

    # the engine's change for 产品研制周期 (180 → 120 天, lower is better) and the missing required values
    change = page.wait_for_selector('[data-change-for="hunan-outcome-indicators:rd-cycle"]:not(:empty)', timeout=90_000)
    assert change.text_content() == "降低60 (33.3%)"
    assert "2项必填指标未填写" in page.text_content("#gg-kpi-missing")
    # … and in the results, beside the verdict, with a link back to this step
    assert "2项必填指标未填写" in page.text_content(f'#gg-res-{HUNAN} [data-application="{HUNAN}"]')
    assert page.get_attribute('[data-kpi="nc-rate"][data-list="hunan-outcome-indicators"]', "data-required") == "1"
    # the ladder-style tie: the Hunan condition (十) beside its list, with its status
    assert "主要技术经济指标处于全省同行业领先水平" in page.text_content('[data-list="hunan-outcome-indicators"]')

    # a rate above 100 %: the engine's field error, at the input
    field = page.locator('[data-list="hunan-outcome-indicators"] input[data-kpi="nc-rate"][data-key="value"]')
    field.fill("120")
    field.dispatch_event("change")
    error = page.wait_for_selector('[data-error-for="kpis.nc-rate.value"]:not(:empty)', timeout=30_000)
    assert "100%" in error.text_content()
    field.fill("93")
    field.dispatch_event("change")
    page.wait_for_function("() => [...document.querySelectorAll('[data-error-for=\"kpis.nc-rate.value\"]')].every((n) => !n.textContent)",
                           timeout=30_000)
    # the same indicator in the reference list shows the same answer
    assert page.locator('[data-list="factory-kpi-reference"] input[data-kpi="nc-rate"][data-key="value"]').input_value() == "93"

    # 企业简介: 501 字 against the form's 500 — flagged while typing
    area = page.locator('textarea[data-section="company-profile"]')
    area.fill("智" * 501)
    count = page.locator('[data-count-for="company-profile"]')
    assert count.get_attribute("data-over") == "1" and "已写501字" in count.text_content()
    area.dispatch_event("change")
    page.wait_for_function("() => (document.querySelector('#gg-kpi-missing') || {}).textContent.includes('超过申报书字数限制')",
                           timeout=30_000)

    before = len(requests)
    with page.expect_download() as info:
        page.click(f'button[data-draft="{HUNAN}"]')
    download = info.value
    path = tmp_path / "draft.docx"
    download.save_as(str(path))
    assert download.suggested_filename.endswith("申报书草稿.docx")
    # made in the page: the only requests are the docx module's own files, same origin, GET
    for r in requests[before:]:
        assert r.url.startswith(server.origin) and r.method == "GET", r.url
    assert any("/calculator/docx." in r.url for r in requests[before:])

    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["企业名称", "株洲示例装备有限公司"] in cells
    assert ["*关键设备数控化率", "93%", "*关键设备联网率", "88%"] in cells
    # word counts are margin comments (word/comments.xml), not body text
    with zipfile.ZipFile(path) as z:
        notes = z.read("word/comments.xml").decode("utf-8")
    assert "超出字数限制：已写501字，限500字。" in notes and "超出字数限制" not in text
    assert "1. 计划调度—" in text
    assert not errors, errors
    context.close()
