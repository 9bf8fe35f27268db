"""Scenes for one process type only (issue 22; contract 1.2 "Process type").

A guide marks ``process_type`` where its own text says a scene is for one process type: the 2021
scene names 离散型… / 流程型… (004:185, 004:187), the 2024 scenes "面向离散行业…" (002:932) and
"面向流程行业…" (002:934). Every scene whose text says so carries the mark and no other does; the
engine names the ticked or proposed scenes of the other type in the result's ``warnings``
(the worked cases are tests/cases/27-process-type.yaml).
"""

from __future__ import annotations

import re

import pytest

from guidegen.core.evaluate import evaluate
from guidegen.core.facts import other_process_scenes, process_type_warnings

from test_quotes import quoted_in, source_texts

# What a scene's own text says about its process type (the name's 离散型/流程型, the
# description's 面向离散行业/面向流程行业 …).
MARKS = {"discrete": re.compile(r"离散型|离散行业|离散制造"), "process": re.compile(r"流程型|流程行业|流程制造")}


def said_type(scene: dict) -> str | None:
    text = scene["name"]["zh"] + scene["description"]["zh"]
    found = {kind for kind, mark in MARKS.items() if mark.search(text)}
    assert len(found) <= 1, f"scene {scene['number']} names both process types"
    return found.pop() if found else None


def scenes_of(bundle, gid):
    return [s for link in bundle["guides"][gid] for s in link["scenes"]]


@pytest.mark.parametrize("gid", ["miit-2021", "miit-2024", "changzhou-2023"])
def test_the_mark_is_where_the_guide_says_so(bundle, gid):
    marked = {s["number"]: s.get("process_type") for s in scenes_of(bundle, gid) if s.get("process_type")}
    said = {s["number"]: said_type(s) for s in scenes_of(bundle, gid) if said_type(s)}
    assert marked == said


def test_the_marks_as_read_by_hand(bundle):
    # 2021: 5 离散型工艺数字化设计, 6 流程型工艺数字化设计; 2024: 11 工艺动态优化 (离散行业), 12 先进过程控制 (流程行业).
    assert {s["number"]: s["process_type"] for s in scenes_of(bundle, "miit-2021") if s.get("process_type")} == {5: "discrete", 6: "process"}
    assert {s["number"]: s["process_type"] for s in scenes_of(bundle, "miit-2024") if s.get("process_type")} == {11: "discrete", 12: "process"}


def test_the_marked_texts_are_the_sources_own(bundle):
    texts = source_texts()
    for gid in ("miit-2021", "miit-2024"):
        doc = bundle["guide_info"][gid]["source"]["doc"]
        for s in scenes_of(bundle, gid):
            if s.get("process_type"):
                assert quoted_in(s["name"]["zh"], texts[doc]) and quoted_in(s["description"]["zh"], texts[doc]), (gid, s["number"])


def test_other_process_scenes(bundle):
    assert other_process_scenes(bundle, {}) == {}
    assert other_process_scenes(bundle, {"application.factory_type": "discrete"}) == {"miit-2021": [6], "miit-2024": [12]}
    assert other_process_scenes(bundle, {"application.factory_type": "process"}) == {"miit-2021": [5], "miit-2024": [11]}


def test_warnings_name_ticked_and_proposed_not_declined(bundle):
    flat = {"application.factory_type": "discrete", "scenes.miit-2021": [5, 6, 7], "scenes_proposed.miit-2024": [11, 12],
            "scenes_declined.miit-2024": [12], "scenes_declined.miit-2021": [6]}
    got = {(w["field"], tuple(w["scenes"])) for w in process_type_warnings(bundle, flat)}
    assert got == {("scenes.miit-2021", (6,)), ("scenes_proposed.miit-2024", (12,))}
    del flat["scenes.miit-2021"], flat["scenes_proposed.miit-2024"]
    assert process_type_warnings(bundle, flat) == []


def test_the_result_says_it_in_both_languages(bundle):
    profile = {"profile": 1, "application": {"factory_type": "discrete"}, "scenes": {"miit-2021": [5, 6, 7]}}
    result = evaluate(bundle, profile, schemes=["zhuzhou-benchmark-workshop"], today="2026-01-01")
    [w] = [w for w in result["warnings"] if w["kind"] == "other-process-type"]
    assert w["field"] == "scenes.miit-2021" and w["scenes"] == [6]
    assert "6“流程型工艺数字化设计”" in w["message"]["zh"] and "离散型" in w["message"]["zh"]
    assert "scene 6" in w["message"]["en"] and "discrete" in w["message"]["en"]
    # The flag decides nothing: scene 6 still counts (5, 6 link 3; 7 link 4 → 3 scenes).
    assert result["derived"]["coverage.miit-2021.scenes"]["value"] == 3
    without = evaluate(bundle, {**profile, "application": {}}, schemes=["zhuzhou-benchmark-workshop"], today="2026-01-01")
    assert not [w for w in without["warnings"] if w["kind"] == "other-process-type"]
