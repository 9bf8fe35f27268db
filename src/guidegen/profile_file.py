"""THE profile reader: a profile file's bytes (YAML or JSON) as the profile contract wants them.

Every place a profile enters is a place an enterprise's file enters: ``guidegen evaluate``,
``guidegen batch`` and the bureau-desk page (through ``guidegen.desk``), and the calculator's
import (through the worker, ``read_profile_json``). They all read here, so one file gets one
answer everywhere, in the same words. A profile file is untrusted:

- **size**: at most ``MAX_BYTES``; a bigger one is refused before it is decoded;
- **encoding**: UTF-8, with or without a byte-order mark. UTF-16 (Windows Notepad's "Unicode"),
  GBK/GB18030 (Chinese Windows' default), a ZIP archive (or an .xlsx/.docx), other binary data
  and an empty file each get their own reason and what to do ("请另存为 UTF-8 / save as UTF-8");
- **YAML**: read event by event from PyYAML's parser and built here, so that an anchor or an
  alias is refused where it stands, before any object exists (a "billion laughs" file costs
  its own size, nothing more); explicit tags other than the standard ones are refused; one
  document only;
- **depth**: at most ``MAX_DEPTH`` levels of nesting (a profile has three or four), counted
  without recursion, so 10,000-deep nesting is refused with a reason, not a RecursionError;
- **values**: duplicate keys (YAML and JSON), NaN, infinities and numbers too large for a float
  (``1e999``) are refused.

Every refusal is a ``ProfileFileError``: like ``tomllib.TOMLDecodeError`` it carries the
position (``lineno``, ``colno``, 1-based; None where a position means nothing, e.g. a file too
large) and a bilingual message (``message["zh"]``, ``message["en"]``) saying what is wrong and
what to do. Its ``str()`` is "zh / en". YAML dates come back as ISO text (the contract's form).

Only the standard library and PyYAML (for YAML only): the calculator's worker imports this
module without PyYAML and reads JSON; the desk page's runtime adds PyYAML.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from pathlib import Path

__all__ = ["MAX_BYTES", "MAX_DEPTH", "ProfileFileError", "dates_as_text", "load_profile", "read_profile",
           "read_profile_json"]

# A profile is a few kilobytes (the calculator's exports: 2–10 KB); 2 MB leaves room for any real one.
MAX_BYTES = 2_000_000
# A profile nests three or four levels (scene_instances: mapping, list, mapping).
MAX_DEPTH = 32

_SAVE_UTF8 = ("请用文本编辑器打开并“另存为”UTF-8 编码后重新提交", "open it in a text editor and save it as UTF-8, then submit it again")


class ProfileFileError(ValueError):
    """A profile file that cannot be read, with where and why, in both languages.

    ``kind``: a short code ("too-large", "empty", "zip", "binary", "utf-16", "gbk", "not-utf-8",
    "syntax", "alias", "depth", "duplicate-key", "not-a-number", "tag", "documents",
    "not-a-mapping"); ``lineno``/``colno``: 1-based position or None; ``message``: {"zh", "en"}.
    """

    def __init__(self, kind: str, zh: str, en: str, *, lineno: int | None = None, colno: int | None = None,
                 name: str | None = None):
        self.kind = kind
        self.lineno = lineno
        self.colno = colno
        self.name = name
        if lineno is not None:
            at_zh = f"第 {lineno} 行第 {colno} 列：" if colno is not None else f"第 {lineno} 行："
            at_en = f"line {lineno}, column {colno}: " if colno is not None else f"line {lineno}: "
            zh, en = at_zh + zh, at_en + en
        self.message = {"zh": zh, "en": en}
        super().__init__(f"{zh} / {en}")


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --------------------------------------------------------------------------- bytes to text

def _too_large() -> ProfileFileError:
    # Callers may read only MAX_BYTES + 1 bytes of a big file, so the message names the limit, not the size.
    return ProfileFileError("too-large", f"文件大于档案文件的上限 {MAX_BYTES:,} 字节（计算器导出的档案只有几 KB）；请确认选对了文件",
                            f"the file is larger than a profile's limit of {MAX_BYTES:,} bytes (the calculator's "
                            "exports are a few KB); check that this is the right file")


def _looks_gbk(data: bytes) -> bool:
    """Bytes that decode as GBK/GB18030 double-byte text (lead 0x81–0xFE, trail 0x40–0xFE but 0x7F),
    with at least one such pair. Checked by hand: the desk page's runtime has no GBK codec."""
    i, pairs, n = 0, 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
        elif 0x81 <= b <= 0xFE and i + 1 < n and 0x40 <= data[i + 1] <= 0xFE and data[i + 1] != 0x7F:
            pairs += 1
            i += 2
        else:
            return False
    return pairs > 0


def _utf16(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    # Without a byte-order mark: ASCII text in UTF-16 has a NUL in every other byte.
    head = data[:400]
    if len(head) >= 4:
        even, odd = head[0::2], head[1::2]
        return (odd.count(0) > 0.4 * len(odd) and even.count(0) == 0) or (even.count(0) > 0.4 * len(even) and odd.count(0) == 0)
    return False


def decode(data: bytes) -> str:
    """The text of a profile file's bytes (UTF-8, a leading byte-order mark dropped), or a
    ProfileFileError saying what the bytes are instead and what to do."""
    if len(data) > MAX_BYTES:
        raise _too_large()
    if not data.strip():
        raise ProfileFileError("empty", "文件是空的；请重新从计算器导出档案", "the file is empty; export the profile from the calculator again")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        raise ProfileFileError("zip", "这是 ZIP 压缩包（或 .xlsx/.docx 文件），不是档案；请先解压，再选择其中的 .json 或 .yaml 档案",
                               "this is a ZIP archive (or an .xlsx/.docx file), not a profile; unzip it and choose "
                               "the .json or .yaml profiles inside")
    if _utf16(data):
        raise ProfileFileError("utf-16", f"文件是 UTF-16 编码（Windows 记事本的“Unicode”）；{_SAVE_UTF8[0]}",
                               f"the file is UTF-16 (Windows Notepad's 'Unicode'); {_SAVE_UTF8[1]}")
    # A byte-order mark is dropped by hand: the utf-8-sig codec lives in the stdlib's
    # encodings package, which the desk page's trimmed runtime cannot extend.
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise ProfileFileError("binary", "这是二进制文件（含 NUL 字节），不是文本档案；请选择计算器导出的 .json 或 .yaml 档案",
                               "this is a binary file (it holds NUL bytes), not a text profile; choose the .json or "
                               ".yaml profile the calculator exported")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[:exc.start].decode("utf-8", "replace")
        line, col = _position(good, len(good))
        if _looks_gbk(data):
            raise ProfileFileError("gbk", f"文件似乎是 GBK/GB18030 编码（中文 Windows 的默认编码），不是 UTF-8；{_SAVE_UTF8[0]}",
                                   f"the file looks GBK/GB18030-encoded (Chinese Windows' default), not UTF-8; {_SAVE_UTF8[1]}",
                                   lineno=line, colno=col) from None
        if sum(1 for b in data[:1000] if b < 9 or 13 < b < 32) > 10:
            raise ProfileFileError("binary", "这是二进制文件，不是文本档案；请选择计算器导出的 .json 或 .yaml 档案",
                                   "this is a binary file, not a text profile; choose the .json or .yaml profile the "
                                   "calculator exported") from None
        raise ProfileFileError("not-utf-8", f"不是 UTF-8 文本（字节 0x{data[exc.start]:02X}）；{_SAVE_UTF8[0]}",
                               f"not UTF-8 text (byte 0x{data[exc.start]:02X}); {_SAVE_UTF8[1]}",
                               lineno=line, colno=col) from None


# --------------------------------------------------------------------------- JSON

# Strings, and the brackets outside them (JSON text: no comments, strings in double quotes).
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _json_depth(text: str) -> None:
    depth = 0
    for m in _JSON_TOKENS.finditer(text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _position(text, m.start())
                raise ProfileFileError("depth", f"嵌套超过 {MAX_DEPTH} 层（档案只有三四层）；这不是计算器导出的档案",
                                       f"nested more than {MAX_DEPTH} levels deep (a profile has three or four); "
                                       "this is not a profile the calculator exported", lineno=line, colno=col)
        elif ch in "]}":
            depth -= 1


class _JSONRefusal(Exception):
    def __init__(self, kind, zh, en, token):
        self.args_ = (kind, zh, en, token)


def _json_pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _JSONRefusal("duplicate-key", f"键 “{k[:40]}” 出现了两次；请删去重复的一项",
                               f"the key '{k[:40]}' appears twice; remove one of them", json.dumps(k, ensure_ascii=False))
        out[k] = v
    return out


def _json_constant(name):
    raise _JSONRefusal("not-a-number", f"{name} 不是数值；请填写一个数", f"{name} is not a number; write a number", name)


def _json_float(text):
    value = float(text)
    if math.isinf(value):
        raise _JSONRefusal("not-a-number", f"数值 {text[:30]} 超出范围；请填写实际的数", f"the number {text[:30]} is out of range; write the actual number", text)
    return value


def _json_int(text):
    if len(text.lstrip("-")) > 30:
        raise _JSONRefusal("not-a-number", f"整数 {text[:30]}… 超出范围；请填写实际的数",
                           f"the integer {text[:30]}… is out of range; write the actual number", text)
    return int(text)


# The json module's messages, in Chinese (the English is the module's own).
_JSON_SAYS = {
    "Expecting value": "此处应为一个值",
    "Expecting property name enclosed in double quotes": "此处应为双引号括起的键名",
    "Expecting ',' delimiter": "此处缺少逗号",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Unterminated string": "字符串没有结束的引号",
    "Extra data": "数据结束后还有多余内容",
    "Invalid control character": "字符串中有无效的控制字符",
    "Invalid \\escape": "无效的转义序列",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Illegal trailing comma": "末尾多了一个逗号",
}


def _load_json(text: str):
    _json_depth(text)
    try:
        # strict=False: control characters inside strings are kept (the desk shows them escaped)
        return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_json_constant,
                          parse_float=_json_float, parse_int=_json_int, strict=False)
    except _JSONRefusal as exc:
        kind, zh, en, token = exc.args_
        # where: a duplicate key's second occurrence as a key; a constant or a number's first
        hits = [m.start() for m in re.finditer(re.escape(token) + (r"\s*:" if kind == "duplicate-key" else ""), text)]
        at = hits[1] if kind == "duplicate-key" and len(hits) > 1 else hits[0] if hits else -1
        line, col = _position(text, at) if at >= 0 else (None, None)
        raise ProfileFileError(kind, zh, en, lineno=line, colno=col) from None
    except json.JSONDecodeError as exc:
        said = next((zh for en, zh in _JSON_SAYS.items() if exc.msg.startswith(en)), exc.msg)
        raise ProfileFileError("syntax", f"JSON 格式错误（{said}）；请用计算器重新导出，或修正该处",
                               f"not valid JSON ({exc.msg}); export it from the calculator again, or correct it there",
                               lineno=exc.lineno, colno=exc.colno) from None
    except RecursionError:  # the depth scan above makes this unreachable; kept as a last guard
        raise ProfileFileError("depth", "嵌套层级过深", "nested too deeply") from None


# --------------------------------------------------------------------------- YAML

_STANDARD_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _load_yaml(text: str):
    """libyaml's parser where PyYAML has it (CPython; several times faster). Its error messages
    and limits differ from the pure-Python parser's, which the desk page runs: a file it refuses
    is read again by the pure one, so a refusal is worded the same in the CLI and the browser."""
    import yaml  # PyYAML: the CLI's dependency; on the desk page its pure-Python half
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return _build_yaml(text, yaml.SafeLoader)
    try:
        return _build_yaml(text, fast)
    except ProfileFileError:
        return _build_yaml(text, yaml.SafeLoader)


def _build_yaml(text: str, loader_class):
    import yaml
    from yaml import events as ev
    from yaml.constructor import SafeConstructor
    from yaml.nodes import ScalarNode
    from yaml.resolver import Resolver

    loader = None
    resolver, constructor = Resolver(), SafeConstructor()

    def refuse(kind, zh, en, mark):
        raise ProfileFileError(kind, zh, en, lineno=mark.line + 1 if mark else None,
                               colno=mark.column + 1 if mark else None)

    def scalar(event):
        tag = event.tag
        if tag is None or tag == "!":
            tag = resolver.resolve(ScalarNode, event.value, event.implicit)
        if tag == "tag:yaml.org,2002:value":  # a lone "=" is text in a profile
            tag = "tag:yaml.org,2002:str"
        if tag not in _STANDARD_TAGS:
            refuse("tag", f"不支持的 YAML 标签 {tag[:60]}；档案只用普通的文本、数和列表",
                   f"unsupported YAML tag {tag[:60]}; a profile holds plain text, numbers and lists", event.start_mark)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = constructor.yaml_constructors[tag](constructor, node)
        except (ValueError, OverflowError, yaml.YAMLError):
            refuse("syntax", f"无法读取的值 “{event.value[:40]}”", f"unreadable value '{event.value[:40]}'", event.start_mark)
        if isinstance(value, float) and not math.isfinite(value):
            refuse("not-a-number", f"{event.value[:30]} 不是有限的数值；请填写一个数",
                   f"{event.value[:30]} is not a finite number; write a number", event.start_mark)
        if isinstance(value, dt.date):
            value = value.isoformat()
        return value

    stack: list[list] = []  # [container, key or _NO_KEY (mappings), start mark]
    root = _NO_KEY
    documents = 0
    try:
        # The objects are built here from the parser's events (never composed or constructed by PyYAML).
        loader = loader_class(text)
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, ev.StreamEndEvent):
                break
            if isinstance(event, ev.AliasEvent) or getattr(event, "anchor", None) is not None:
                word = ("别名", "alias") if isinstance(event, ev.AliasEvent) else ("锚点", "anchor")
                refuse("alias", f"档案不允许 YAML {word[0]}（& 或 *）；请把内容直接写出，或用计算器重新导出",
                       f"YAML {word[1]}s (& or *) are not allowed in a profile; write the content out, or export it "
                       "from the calculator again", event.start_mark)
            if isinstance(event, ev.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    refuse("documents", "文件里有不止一个 YAML 文档（---）；每个档案一个文件",
                           "the file holds more than one YAML document (---); one profile per file", event.start_mark)
                continue
            if isinstance(event, (ev.StreamStartEvent, ev.DocumentEndEvent)):
                continue
            if isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                tag = event.tag
                if tag not in (None, "!") and tag not in _STANDARD_TAGS:
                    refuse("tag", f"不支持的 YAML 标签 {tag[:60]}", f"unsupported YAML tag {tag[:60]}", event.start_mark)
                if len(stack) >= MAX_DEPTH:
                    refuse("depth", f"嵌套超过 {MAX_DEPTH} 层（档案只有三四层）；这不是计算器导出的档案",
                           f"nested more than {MAX_DEPTH} levels deep (a profile has three or four); this is not a "
                           "profile the calculator exported", event.start_mark)
                if stack and stack[-1][1] is _KEY_EXPECTED:
                    refuse("syntax", "键必须是简单的文本", "a key must be plain text", event.start_mark)
                container = {} if isinstance(event, ev.MappingStartEvent) else []
                stack.append([container, _KEY_EXPECTED if isinstance(event, ev.MappingStartEvent) else None, event.start_mark])
                continue
            if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                value = stack.pop()[0]
            elif isinstance(event, ev.ScalarEvent):
                value = scalar(event)
            else:  # pragma: no cover - PyYAML has no other events
                continue
            if not stack:
                root = value
                continue
            top = stack[-1]
            if isinstance(top[0], list):
                top[0].append(value)
            elif top[1] is _KEY_EXPECTED:
                if value in top[0]:
                    refuse("duplicate-key", f"键 “{str(value)[:40]}” 在同一层出现了两次；请删去重复的一项",
                           f"the key '{str(value)[:40]}' appears twice at one level; remove one of them", event.start_mark)
                top[1] = (value,)
            else:
                top[0][top[1][0]] = value
                top[1] = _KEY_EXPECTED
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "").split())[:120]
        refuse("syntax", f"YAML 格式错误（{problem}）；请用计算器重新导出，或修正该处",
               f"not valid YAML ({problem}); export it from the calculator again, or correct it there", mark)
    except yaml.YAMLError as exc:  # a reader error (a character YAML does not allow) has no problem_mark
        line = col = None
        if isinstance(exc, yaml.reader.ReaderError):
            line, col = _position(text, exc.position)
            raise ProfileFileError("syntax", f"含 YAML 不允许的字符 U+{exc.character:04X}（控制字符）；请删除它",
                                   f"holds U+{exc.character:04X}, a character YAML does not allow (a control character); "
                                   "remove it", lineno=line, colno=col) from None
        detail = " ".join(str(exc).split())[:120]
        raise ProfileFileError("syntax", f"YAML 格式错误（{detail}）", f"not valid YAML ({detail})") from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is _NO_KEY:
        raise ProfileFileError("empty", "文件里没有内容（只有空行或注释）；请重新从计算器导出档案",
                               "the file holds nothing (only blank lines or comments); export the profile from the calculator again")
    return root


class _Marker:
    __slots__ = ()


_NO_KEY = _Marker()
_KEY_EXPECTED = _Marker()


# --------------------------------------------------------------------------- entry points

def load_profile(data: bytes, name: str = "profile.json"):
    """The profile in a file's bytes: JSON when ``name`` ends in .json, else YAML.

    Returns the mapping; raises ProfileFileError (bilingual, with line and column where
    meaningful) for anything else, a top-level list or scalar included."""
    text = decode(data)
    if name.lower().endswith(".json"):
        value = _load_json(text)
    else:
        value = _load_yaml(text)
    if not isinstance(value, dict):
        raise ProfileFileError("not-a-mapping", "档案应为键值映射（YAML/JSON 对象），这里是"
                               + ("列表" if isinstance(value, list) else "单个值"),
                               "a profile must be a mapping (a YAML/JSON object); this is "
                               + ("a list" if isinstance(value, list) else "a single value"))
    return value


def read_profile(path: str | Path):
    """A profile file (``-`` for standard input): JSON when it ends in .json, else YAML.

    At most MAX_BYTES are read (one more, to tell a file that is too large)."""
    path = str(path)
    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "-.yaml"   # standard input: YAML, which reads JSON too
    else:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        name = path
    return load_profile(data, name)


def read_profile_json(data, name: str = "import.json") -> str:
    """The calculator's import (in the worker): an imported file's bytes (or text) read as
    ``read_profile`` reads a file. Returns JSON text: {"profile": {...}}, or {"errors": [...]}
    with the reason (kind, line, column, message) in the shape the engine's errors have."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    try:
        profile = load_profile(bytes(data), name if isinstance(name, str) else "import.json")
    except ProfileFileError as exc:
        return json.dumps({"errors": [{"field": "(profile)", "kind": exc.kind, "line": exc.lineno, "column": exc.colno,
                                       "message": exc.message}]}, ensure_ascii=False)
    return json.dumps({"profile": profile}, ensure_ascii=False)


def dates_as_text(value):
    """YAML reads 2015-06-01 as a date; the profile contract keeps ISO text. (The reader above
    already returns text; kept for callers that load YAML themselves.)"""
    if isinstance(value, dict):
        return {k: dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_as_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
