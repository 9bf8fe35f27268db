"""The hostile corpus: what an enterprise (or a mistake) can put in a folder dropped on the desk.

The small files live beside this module and are committed; ``python tests/hostile/corpus.py``
rewrites them from the definitions below (so what each one holds is readable here). The big
ones (a 50 MB file, 10,000-deep nesting) are written only at test time by ``build(folder)``,
which copies the committed files and adds them: the CLI test and the browser test drop the
same folder. ``EXPECTED`` says, for every file, the problem kind it must get and the words its
reason must contain in both languages (tests/test_desk.py checks them).

Every formula-prefixed profile is a copy of the worked batch's a-tianyuan.json (a qualifying
Zhuzhou benchmark SME, 88 points) with one prefix in every text field the summary tables
read; the city and county stay valid so the applicant still qualifies and its strings reach
the summary table.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE.parent / "desk" / "zhuzhou-sme" / "a-tianyuan.json"

# Everything a spreadsheet may take for the start of a formula (OWASP CSV injection), and
# the full-width forms some spreadsheet programs accept too.
PREFIXES = {
    "equals": "=1+1",
    "hyperlink": '=HYPERLINK("http://example.com/x","点击")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(1,1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "lf": "\n=1+1",
    "fullwidth-equals": "＝1+1",
    "fullwidth-plus": "＋1+1",
    "fullwidth-minus": "－1+1",
    "fullwidth-at": "＠SUM(1,1)",
}
TEXT_FIELDS = ("project_name", "factory_name", "workshop_name", "industry_cluster", "contact_name", "contact_phone")


def formula_profile(key: str) -> dict:
    prefix = PREFIXES[key]
    p = json.loads(BASE.read_text(encoding="utf-8"))
    p["enterprise"]["name"] = f"{prefix} 企业{key}"
    for field in TEXT_FIELDS:
        p["application"][field] = f"{prefix} {field}"
    p["scene_instances"] = {"miit-2024": [{"scene": 5, "name": f"{prefix} 实例"}]}
    return p


def small_files() -> dict[str, bytes]:
    """Every committed file of the corpus: name -> bytes."""
    base = json.loads(BASE.read_text(encoding="utf-8"))
    files: dict[str, bytes] = {}
    for key in PREFIXES:
        files[f"formula-{key}.json"] = json.dumps(formula_profile(key), ensure_ascii=False, indent=1).encode()
    # a file whose NAME is a formula (its content is a good profile, another enterprise)
    named = json.loads(json.dumps(base))
    named["enterprise"]["name"] = "株洲等号文件名有限公司"
    files["=1+2.yaml"] = json.dumps(named, ensure_ascii=False).encode()
    # full-width digits in the phone: normalized to ASCII in the table
    wide = json.loads(json.dumps(base))
    wide["enterprise"]["name"] = "株洲全角电话有限公司"
    wide["application"]["contact_phone"] = "１３８００００００１２"
    files["phone-fullwidth.json"] = json.dumps(wide, ensure_ascii=False).encode()
    # C0 control characters in text fields (JSON escapes: NUL, \x01, ESC, \x1f) — escaped in the cells
    ctl = json.loads(json.dumps(base))
    ctl["enterprise"]["name"] = "株洲控制\u0001字符有限公司"
    ctl["application"]["project_name"] = "项目\u0000名\u001b称\u001f"
    ctl["application"]["contact_name"] = "王\u0008工"
    files["control-chars.json"] = json.dumps(ctl, ensure_ascii=True).encode()
    # a raw control character in YAML (the YAML reader refuses it: line and column)
    files["control-raw.yaml"] = "profile: 1\nenterprise:\n  name: 株洲\x01有限公司\n".encode()
    # billion laughs: nine levels of nine aliases (1 KB; expanded it would be 9^9 strings)
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    files["alias-bomb.yaml"] = ("profile: 1\n" + "\n".join(lines) + "\n").encode()
    # an anchor alone is refused too (no alias yet, but nothing in a profile needs one)
    files["anchor.yaml"] = b"profile: 1\nenterprise: &e\n  name: x\n"
    files["dup-keys.json"] = b'{"profile": 1, "enterprise": {"name": "A", "name": "=1+1"}}'
    files["dup-keys.yaml"] = "profile: 1\nenterprise:\n  name: 甲\n  name: 乙\n".encode()
    files["nan.json"] = b'{"profile": 1, "maturity": {"score": NaN}}'
    files["infinity.json"] = b'{"profile": 1, "maturity": {"score": -Infinity}}'
    files["1e999.json"] = b'{"profile": 1, "enterprise": {"employees": 1e999}}'
    files["inf.yaml"] = b"profile: 1\nmaturity:\n  score: .inf\n"
    # GBK (Chinese Windows' default encoding) and UTF-16 (Windows Notepad's "Unicode")
    gbk = json.loads(json.dumps(base))
    gbk["enterprise"]["name"] = "株洲国标编码有限公司"
    files["gbk.json"] = json.dumps(gbk, ensure_ascii=False).encode("gbk")
    files["utf16.json"] = b"\xff\xfe" + json.dumps(gbk, ensure_ascii=False).encode("utf-16-le")
    files["utf16be-no-bom.yaml"] = "profile: 1\nenterprise:\n  name: 株洲\n".encode("utf-16-be")
    # binary: a PNG header and some bytes, named like a profile
    files["binary.json"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))
    # a zip of profiles (dropped as is, and one renamed .json)
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("a.json", (1980, 1, 1, 0, 0, 0)), json.dumps(base))
    files["profiles.zip"] = buf.getvalue()
    files["zipped.json"] = buf.getvalue()
    files["empty.json"] = b""
    files["blank.yaml"] = b"\n  \n# only a comment\n"
    # UTF-8 with a byte-order mark: accepted (Windows Notepad writes one)
    bom = json.loads(json.dumps(base))
    bom["enterprise"]["name"] = "株洲带签名有限公司"
    files["bom.json"] = b"\xef\xbb\xbf" + json.dumps(bom, ensure_ascii=False).encode()
    return files


def big_files() -> dict[str, bytes]:
    """Made at test time only (not committed)."""
    return {
        "deep-10000.json": b'{"profile": 1, "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "deep-10000.yaml": b"profile: 1\nx: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        "big-50mb.json": b'{"profile": 1, "pad": "' + b"x" * 50_000_000 + b'"}',
    }


def build(folder: Path) -> Path:
    """The whole corpus in ``folder``: the committed files and the big ones."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for path in HERE.iterdir():
        if path.is_file() and path.name not in ("corpus.py", "README.md") and not path.name.startswith("."):
            shutil.copyfile(path, folder / path.name)
    for name, data in big_files().items():
        (folder / name).write_bytes(data)
    return folder


if __name__ == "__main__":
    for name, data in small_files().items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(small_files())} files to {HERE}")


# What each file gets: (problem kind on the problems sheet, words its Chinese reason holds, words
# its English reason holds). Files not listed here are read (a good profile, or one whose strings
# are the point: formulas, control characters, a full-width phone, a byte-order mark).
EXPECTED = {
    "1e999.json": ("unreadable", "第 1 行第 44 列：数值 1e999 超出范围", "line 1, column 44: the number 1e999 is out of range"),
    "alias-bomb.yaml": ("unreadable", "第 2 行第 5 列：档案不允许 YAML 锚点", "line 2, column 5: YAML anchors (& or *) are not allowed"),
    "anchor.yaml": ("unreadable", "第 2 行第 13 列：档案不允许 YAML 锚点", "line 2, column 13: YAML anchors"),
    "big-50mb.json": ("unreadable", "文件大于档案文件的上限 2,000,000 字节", "larger than a profile's limit of 2,000,000 bytes"),
    "binary.json": ("unreadable", "这是二进制文件", "this is a binary file"),
    "blank.yaml": ("unreadable", "文件里没有内容", "the file holds nothing"),
    "control-raw.yaml": ("unreadable", "第 3 行第 11 列：含 YAML 不允许的字符 U+0001", "line 3, column 11: holds U+0001"),
    "deep-10000.json": ("unreadable", "第 1 行第 52 列：嵌套超过 32 层", "line 1, column 52: nested more than 32 levels deep"),
    "deep-10000.yaml": ("unreadable", "第 2 行第 35 列：嵌套超过 32 层", "line 2, column 35: nested more than 32 levels deep"),
    "dup-keys.json": ("unreadable", "第 1 行第 44 列：键 “name” 出现了两次", "line 1, column 44: the key 'name' appears twice"),
    "dup-keys.yaml": ("unreadable", "第 4 行第 3 列：键 “name” 在同一层出现了两次", "line 4, column 3: the key 'name' appears twice"),
    "empty.json": ("unreadable", "文件是空的", "the file is empty"),
    "gbk.json": ("unreadable", "GBK/GB18030 编码", "looks GBK/GB18030-encoded"),
    "inf.yaml": ("unreadable", "第 3 行第 10 列：.inf 不是有限的数值", "line 3, column 10: .inf is not a finite number"),
    "infinity.json": ("unreadable", "第 1 行第 38 列：-Infinity 不是数值", "line 1, column 38: -Infinity is not a number"),
    "nan.json": ("unreadable", "第 1 行第 38 列：NaN 不是数值", "line 1, column 38: NaN is not a number"),
    "profiles.zip": ("skipped", "这是 ZIP 压缩包，不是档案；请先解压", "a ZIP archive, not a profile; unzip it"),
    "utf16.json": ("unreadable", "文件是 UTF-16 编码", "the file is UTF-16"),
    "utf16be-no-bom.yaml": ("unreadable", "文件是 UTF-16 编码", "the file is UTF-16"),
    "zipped.json": ("unreadable", "这是 ZIP 压缩包（或 .xlsx/.docx 文件）", "this is a ZIP archive (or an .xlsx/.docx file)"),
}
# ... and what to do, where it is an encoding
SAVE_AS_UTF8 = ("gbk.json", "utf16.json", "utf16be-no-bom.yaml")
