"""字数 as Word and WPS count it (issue 22, contract 1.2): each CJK character or full-width mark one,
each maximal run of other non-space characters one. One table of strings, each with its count worked
out by hand from that rule; the core (guidegen.core.kpis.count_chars) and its browser twin
(calculator/pack.js countChars) must both give it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from guidegen.core.kpis import count_chars

ROOT = Path(__file__).resolve().parent.parent

# (text, count, why) — the why is the hand count.
TABLE = [
    ("", 0, "nothing"),
    ("12.5%", 1, "one run"),
    ("GB/T", 1, "one run"),
    ("MES/ERP", 1, "one run"),
    ("5G+", 1, "one run"),
    ("GB/T 39116-2020", 2, "two runs"),
    ("采用MES系统", 5, "采 用 + MES + 系 统"),
    ("提高12.5%，", 4, "提 高 + 12.5% + ，(full-width)"),
    ("不良率下降12.5%。", 7, "不 良 率 下 降 + 12.5% + 。"),
    ("ABC 2024年", 3, "ABC + 2024 + 年"),
    ("e.g. 3.5 万元，ROI 12%", 7, "e.g. + 3.5 + 万 元 ， + ROI + 12%"),
    ("“MES”", 3, "“ + MES + ” (full-width quotes)"),
    ("《智能制造典型场景参考指引》", 14, "12 characters + 《 》"),
    ("智能制造……", 6, "4 + … …"),
    ("ＭＥＳ１２", 5, "five full-width forms"),
    ("　全角 空格\n换行", 6, "ideographic space, space, newline: none"),
    ("   \t\r\n", 0, "white space only"),
    ("\ufeff智能", 2, "BOM: none"),
    ("MES\ufeffERP", 1, "BOM inside a run joins it"),
    ("a\x1cb", 2, "\\x1c (Cc) separates"),
    ("a\x1fb", 2, "\\x1f (Cc) separates"),
    ("a\x85b", 2, "\\x85 (Cc, NEL) separates"),
    ("a\x00b", 2, "NUL (Cc) separates"),
    ("a\x7fb", 2, "DEL (Cc) separates"),
    ("a\u00a0b", 2, "no-break space (Zs)"),
    ("a\u2003b", 2, "em space (Zs)"),
    ("a\u202fb", 2, "narrow no-break space (Zs)"),
    ("a\u205fb", 2, "medium mathematical space (Zs)"),
    ("a\u1680b", 2, "ogham space mark (Zs)"),
    ("a\u3000b", 2, "ideographic space (Zs)"),
    ("a\u2028b\u2029c", 3, "line and paragraph separators"),
    ("a\u200bb", 2, "zero-width space separates"),
    ("co\u00adoperate", 1, "soft hyphen: none, joins"),
    ("a\u200db", 1, "zero-width joiner: none"),
    ("e\u0301t\u00e9", 1, "combining accent inside a run"),
    ("😀😀 ok", 2, "emoji run + ok"),
    ("𠀀𠀁", 2, "two ideographs of plane 2"),
    ("한국어 단어", 2, "Korean counted by words, as Word does"),
    ("カタカナ", 4, "kana one each"),
    ("数字化·网络化", 7, "6 + ·"),
    ("A——B", 4, "A + — — + B"),
]


@pytest.mark.parametrize("text,count,why", TABLE, ids=[repr(t)[:24] for t, _, _ in TABLE])
def test_core_counts_as_word(text, count, why):
    assert count_chars(text) == count, why


@pytest.mark.slow  # runs calculator/pack.js in node
def test_browser_twin_counts_the_same():
    node = shutil.which("node")
    assert node, "node is needed to run calculator/pack.js"
    script = ("import { countChars } from " + json.dumps((ROOT / "calculator" / "pack.js").as_uri()) + ";\n"
              "let s = ''; process.stdin.on('data', (d) => { s += d; });\n"
              "process.stdin.on('end', () => { process.stdout.write(JSON.stringify(JSON.parse(s).map(countChars))); });\n")
    out = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps([t for t, _, _ in TABLE]),
                         capture_output=True, text=True, timeout=60, check=True)
    got = json.loads(out.stdout)
    assert got == [count_chars(t) for t, _, _ in TABLE]
    assert got == [c for _, c, _ in TABLE]
