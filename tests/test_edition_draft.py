"""Issue 22 ("Which edition"): every .docx draft says which edition of which document it follows,
in the cover's margin note — catalogs/sources.yaml `edition`, and `later` where a later edition
has been announced (drafts built and read back as in tests/test_application_pack.py)."""

from __future__ import annotations

import copy
import html

import pytest

from test_application_pack import (  # noqa: F401 - fixtures
    HUNAN_PROFILE, ZHUZHOU_PROFILE, bundle, docx_module, make_draft,
)

pytestmark = [pytest.mark.slow]  # runs calculator/pack.js in node

SCHEMES = ["zhuzhou-benchmark-workshop", "zhuzhou-benchmark-sme", "hunan-advanced-factory-2025",
           "changzhou-smart-factory-2023", "national-demo-factory-2021", "national-excellent-scene-2021"]


def edition_note(bundle, doc):
    src = bundle["sources"][doc]
    return "所依据的版本：" + src["edition"]["zh"] + (f"（{src['later']['zh']}）" if src.get("later") else "")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_draft_names_its_edition(make_draft, bundle, scheme):
    assert scheme in bundle["application_forms"]
    profile = HUNAN_PROFILE if scheme.startswith("hunan") else ZHUZHOU_PROFILE if scheme.startswith("zhuzhou") else {"profile": 1}
    draft = make_draft(scheme, profile)
    doc = bundle["application_forms"][scheme]["source"]["doc"]
    assert doc == bundle["schemes"][scheme]["source"]["doc"]
    notes = html.unescape("".join(draft.comments))
    assert edition_note(bundle, doc) in notes


def test_the_zhuzhou_draft_says_the_later_guide_applies_to_its_conditions(make_draft, bundle):
    # 000:21, 000:33 "以国家相关部委发布的最新版本为准": the announced 2025 scene guide would govern there.
    notes = html.unescape("".join(make_draft("zhuzhou-benchmark-workshop", ZHUZHOU_PROFILE).comments))
    assert "场景指引的2025年版已公布" in notes and "以国家相关部委发布的最新版本为准" in notes


def test_a_draft_without_a_catalogued_form_names_its_edition_too(make_draft, bundle):
    catalog = copy.deepcopy(bundle)
    del catalog["application_forms"]["national-excellent-scene-2021"]
    draft = make_draft("national-excellent-scene-2021", {"profile": 1, "enterprise": {"name": "示例"}}, catalog=catalog)
    assert "本类别的申报书版式未编入目录" in draft.notes
    notes = html.unescape("".join(draft.comments))
    assert edition_note(bundle, "national-pilot-2021") in notes and "依据：。" not in notes
