"""Deadlines written "…前" (issue 22 audit): "于2025年4月28日前" (002:22) and "于12月20日前" (003:13) do not
say whether the day itself is included; the engine reads it as included (open on the deadline day), and
the scheme's `interpretation` says so in both languages with the dates the engine uses. A deadline whose
text names the hour ("24：00前", 004:13) settles it and needs no reading."""

from __future__ import annotations

import datetime as dt

import pytest

from guidegen.core.evaluate import evaluate


def deadline_quote(scheme):
    step = next(p for p in scheme["procedure"] if str(p.get("deadline")) == str(scheme["deadline"]))
    return step["source"].get("quote") or ""


@pytest.mark.parametrize("sid", ["hunan-advanced-factory-2025", "changzhou-smart-factory-2023",
                                 "national-demo-factory-2021", "national-excellent-scene-2021"])
def test_a_deadline_before_a_day_is_read_aloud_and_as_the_engine_does(bundle, sid):
    scheme = bundle["schemes"][sid]
    day = dt.date.fromisoformat(str(scheme["deadline"]))
    quote = deadline_quote(scheme)
    assert "前" in quote
    on = evaluate(bundle, {"profile": 1}, schemes=[sid], today=day)["results"][0]["call"]["status"]
    after = evaluate(bundle, {"profile": 1}, schemes=[sid], today=day + dt.timedelta(days=1))["results"][0]["call"]["status"]
    assert (on, after) == ("open", "closed")
    if "24：00前" in quote or "24:00前" in quote:
        return  # the hour is given: the day is included by the text itself
    reading = scheme.get("interpretation")
    assert reading, f"{sid}: “…前” read as including {day} without an interpretation"
    zh, en = reading["zh"], reading["en"]
    assert f"{day.month}月{day.day}日当天" in zh and f"{day.month}月{day.day + 1}日起显示已截止" in zh
    assert f"{day.day} {day.strftime('%B')}" in en and "including" in en and f"closed from {day.day + 1}" in en
