"""A bureau's own call of a scheme (issue 22): a small YAML file that replaces the
``scope: call`` parts of one scheme — who calls, when, for which divisions, the call's
own conditions, procedure steps and deadline — and keeps every provincial row.

The Hunan 2025 scheme is encoded from 株洲's notice; a 湘潭 bureau publishes its own call of
the same provincial recognition with ``plugins: guidegen: calls: [FILE]`` in its edition, or
checks one with ``guidegen validate|evaluate|batch --call FILE``. The format is in
docs-dev/bureau.md; ``apply_calls`` is called by ``load_catalog`` before the catalog's own
cross-checks run, so the replaced rows are validated like any other (facts, declarations,
sources, glossary) and every problem names the call file, its line and key.

A call file comes from outside the project and is read as hostile: no YAML anchors or
aliases, at most ``MAX_BYTES``, UTF-8, one scheme that has a call to replace, only
``scope: call`` rows, each citing the bureau's own notice (declared in the file: it is not
among the project's four sources, and the sources page says so).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .schema import (CITATION, CONDITION, DATE, DECLARATION, ID, STR, TEXT, Enum, ListOf, Nullable, Obj, Problem,
                     Where)
from .yamlsource import LocDict, LocList, YamlProblem, load_yaml

__all__ = ["apply_calls", "CALL_FILE", "MAX_BYTES"]

MAX_BYTES = 256 * 1024  # a call is a page of rows; a larger file is refused before it is parsed

# The bureau's own notice. Not among the project's sources (shared/sources): it is listed on the
# edition's sources page with `note` saying so, and its URL.
DOCUMENT = Obj({"id": ID, "issuer": TEXT, "title": TEXT, "number": Nullable(STR), "date": Nullable(DATE),
                "note": TEXT},
               {"url": Nullable(STR), "status": TEXT})
CALL = Obj({"issuer": TEXT, "opens": DATE, "source": CITATION, "region": ListOf(STR, 1), "region_name": TEXT},
           {"note": TEXT})
STEP = Obj({"step": TEXT, "source": CITATION, "scope": Enum("call")},
           {"deadline": Nullable(DATE), "note": TEXT})
CALL_FILE = Obj(
    {"scheme": ID, "document": DOCUMENT, "call": CALL, "deadline": Nullable(DATE),
     "conditions": ListOf(CONDITION), "procedure": ListOf(STEP)},
    {"region": TEXT, "issuer": TEXT, "applicant": TEXT, "declarations": ListOf(DECLARATION)},
)
# The scheme's texts that name the call (株洲's issuer, "湖南省（株洲市通知）", its applicant line).
SCHEME_TEXTS = ("region", "issuer", "applicant")

# The schema's messages (English, shared with the catalog) with their Chinese, for a bureau's file.
_ZH = [
    (re.compile(r"missing required key '([^']+)'"), r"缺少必填键 '\1'"),
    (re.compile(r"unknown key \(allowed: (.*)\)"), r"未知的键（可用：\1）"),
    (re.compile(r"unknown key \(a text has only zh and en\)"), r"未知的键（文本只有 zh 和 en）"),
    (re.compile(r"missing translation '(\w+)'"), r"缺少 '\1' 文本"),
    (re.compile(r"translation '(\w+)' must be a non-empty string"), r"'\1' 文本不能为空"),
    (re.compile(r"expected at least (\d+) item\(s\)"), r"至少应有 \1 项"),
    (re.compile(r"expected an ISO date YYYY-MM-DD, got (.*)"), r"应为 YYYY-MM-DD 格式的日期，实为 \1"),
    (re.compile(r"expected an id in lowercase kebab-case, got (.*)"), r"应为小写连字符编号（如 xiangtan-call），实为 \1"),
    (re.compile(r"expected a non-empty string, got (.*)"), r"应为非空文本，实为 \1"),
    (re.compile(r"expected a bilingual text \{zh, en\}, got (.*)"), r"应为双语文本 {zh, en}，实为 \1"),
    (re.compile(r"expected a mapping, got (.*)"), r"应为键值映射，实为 \1"),
    (re.compile(r"expected a list, got (.*)"), r"应为列表，实为 \1"),
    (re.compile(r"expected one of (.*), got (.*)"), r"应为 \1 之一，实为 \2"),
    (re.compile(r"unknown fact '([^']+)'.*"), r"未知的事实 '\1'（不在 profile.yaml 或 facts.yaml 中）"),
    (re.compile(r"unknown declaration '([^']+)'"), r"未知的声明项 '\1'"),
    (re.compile(r"unknown source '([^']+)'"), r"未知的文件 '\1'"),
]


def bilingual(message: str) -> str:
    """``中文 / English`` for a message of the catalog's schema (English alone when no pattern fits
    — then it is one of the catalog's own cross-checks, whose words are English)."""
    if " / " in message and re.search(r"[\u4e00-\u9fff]", message.split(" / ")[0]):
        return message  # already both
    for pattern, zh in _ZH:
        if pattern.fullmatch(message):
            return f"{pattern.sub(zh, message)} / {message}"
    return message


def _mark(value, file: str, key: str):
    """Remember where a row came from: problems found later in it name the call file."""
    if isinstance(value, (LocDict, LocList)):
        value.origin_file, value.origin_key = file, key
    return value


def _refuse_anchors(text: str, at: Where) -> bool:
    """YAML anchors and aliases are refused where they stand (a bureau's file is read as hostile)."""
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            alias = isinstance(event, yaml.AliasEvent)
            if alias or getattr(event, "anchor", None) is not None:
                word = ("别名", "alias") if alias else ("锚点", "anchor")
                Where(at.file, event.start_mark.line + 1, "(file)", at.problems).fail(
                    f"申报通知文件不允许 YAML {word[0]}（& 或 *）：请把内容直接写出 / "
                    f"a call file may not use a YAML {word[1]} (& or *): write the content out")
                return True
    except yaml.YAMLError:
        return False  # load_yaml reports it with its line
    return False


def read_call(path: Path, problems: list[Problem]) -> LocDict | None:
    """Read and shape-check one call file; None when it has problems (they are in ``problems``)."""
    name = str(path)
    top = Where(name, 1, "", problems)
    try:
        raw = path.read_bytes() if path.stat().st_size <= MAX_BYTES else None
    except OSError as exc:
        top.fail(f"无法打开申报通知文件：{exc.strerror or exc} / cannot open the call file: {exc.strerror or exc}")
        return None
    if raw is None:
        top.fail(f"文件过大（上限 {MAX_BYTES // 1024} KB） / the file is too large (at most {MAX_BYTES // 1024} KB)")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        top.fail(f"不是 UTF-8 文本（第 {exc.start} 字节） / not UTF-8 text (byte {exc.start})")
        return None
    if _refuse_anchors(text, top):
        return None
    try:
        data = load_yaml(text)
    except YamlProblem as exc:
        message = exc.message.replace("invalid YAML", "YAML 格式有误 / invalid YAML") if "invalid YAML" in exc.message \
            else f"重复的键 / {exc.message}" if "duplicate key" in exc.message else exc.message
        problems.append(Problem(name, exc.line, exc.key or "(file)", message))
        return None
    if not isinstance(data, LocDict):
        top.fail("申报通知文件应为键值映射（scheme、document、call …） / a call file is a mapping (scheme, document, call …)")
        return None
    before = len(problems)
    CALL_FILE.check(data, top)
    if len(problems) != before:
        return None
    return data


def apply_calls(merged: dict, paths, problems: list[Problem], entry, division_codes=lambda: None) -> None:
    """Replace, in ``merged`` (the catalog's entries by top-level key), the call of each scheme a
    call file names. ``entry`` makes a catalog entry (loader._Entry) from (value, Where);
    ``division_codes()`` the GB/T 2260 codes the catalog knows (None: not checked)."""
    first_at = len(problems)
    taken: dict[str, str] = {}
    for path in paths:
        path = Path(path)
        data = read_call(path, problems)
        if data is None:
            continue
        name = str(path)
        top = Where(name, 1, "", problems)
        sid = data["scheme"]
        if sid in taken:
            top.child(data, "scheme").fail(f"方案 {sid} 已由 {taken[sid]} 给出申报通知 / "
                                           f"scheme {sid} already has a call from {taken[sid]}")
            continue
        taken[sid] = name
        schemes = [e for e in merged["scheme"] if e.value.get("id") == sid]
        if not schemes:
            known = ", ".join(e.value.get("id", "?") for e in merged["scheme"] if e.value.get("call"))
            top.child(data, "scheme").fail(f"未知的方案 {sid!r}（有申报通知可替换的方案：{known}） / "
                                           f"unknown scheme {sid!r} (schemes with a call to replace: {known})")
            continue
        scheme_entry = schemes[0]
        scheme = scheme_entry.value
        if not scheme.get("call"):
            top.child(data, "scheme").fail(
                f"方案 {sid} 没有可替换的申报通知（其目录文件中没有 call:） / "
                f"scheme {sid} has no call to replace (no call: in its catalog file)")
            continue
        _apply_one(data, name, scheme_entry, merged, problems, entry, division_codes)
    for i in range(first_at, len(problems)):
        p = problems[i]
        problems[i] = Problem(p.file, p.line, p.key, bilingual(p.message))


def _apply_one(data: LocDict, name: str, scheme_entry, merged: dict, problems: list[Problem], entry,
               division_codes) -> None:
    top = Where(name, 1, "", problems)
    scheme = scheme_entry.value
    doc = data["document"]
    doc_id = doc["id"]
    before = len(problems)

    # The bureau's notice: a new source id, cited by every row of the file.
    if any(e.value.get("id") == doc_id for e in merged["sources"]):
        top.child(data, "document").child(doc, "id").fail(
            f"文件编号 {doc_id!r} 已是本项目资料之一；申报通知须用新的编号 / "
            f"document id {doc_id!r} is already one of the project's sources; the call's notice needs a new id")

    def cites_notice(source, at: Where):
        if source.get("doc") != doc_id:
            at.child(source, "doc").fail(
                f"申报通知的条目须引用本文件声明的通知 {doc_id!r}，而非 {source.get('doc')!r} / "
                f"a row of the call cites the notice this file declares ({doc_id!r}), not {source.get('doc')!r}")

    call_at = top.child(data, "call")
    cites_notice(data["call"]["source"], call_at.child(data["call"], "source"))
    known = None
    for i, code in enumerate(data["call"]["region"]):
        rat = call_at.child(data["call"], "region").child(data["call"]["region"], i)
        if not re.fullmatch(r"\d{6}", str(code)):
            rat.fail(f"应为 GB/T 2260 六位行政区划代码（如 430300），实为 {str(code)[:20]!r} / "
                     f"expected a six-digit GB/T 2260 division code (e.g. 430300), got {str(code)[:20]!r}")
            continue
        known = division_codes() if known is None else known
        if known is not None and str(code) not in known:
            rat.fail(f"行政区划代码 {code} 不在本项目的 GB/T 2260 区划表中 / "
                     f"division code {code} is not in this project's GB/T 2260 table")
    if data["deadline"] is not None and data["deadline"] < data["call"]["opens"]:
        top.child(data, "deadline").fail(
            f"截止日期 {data['deadline']} 早于通知发布日期 {data['call']['opens']} / "
            f"the deadline {data['deadline']} is before the call opens ({data['call']['opens']})")

    # Conditions: only call rows, never a provincial one.
    old_rows = {c["id"]: c for c in scheme["conditions"]}
    conds = data["conditions"]
    cat = top.child(data, "conditions")
    for i, row in enumerate(conds):
        rat = cat.child(conds, i)
        if row.get("scope") != "call":
            rat.fail("申报通知文件只能给出 scope: call 的条件（省级条件保留不变） / "
                     "a call file gives only scope: call conditions (the provincial ones stay)")
        old = old_rows.get(row["id"])
        if old is not None and old.get("scope") != "call":
            rat.child(row, "id").fail(
                f"条件 {row['id']!r} 是方案 {scheme['id']} 的省级条件，不能由申报通知替换 / "
                f"condition {row['id']!r} is a provincial condition of {scheme['id']}; a call cannot replace it")
        cites_notice(row["source"], rat.child(row, "source"))
    steps = data["procedure"]
    pat = top.child(data, "procedure")
    for i, step in enumerate(steps):
        cites_notice(step["source"], pat.child(steps, i).child(step, "source"))
    decls = data.get("declarations") or []
    dat = top.child(data, "declarations")
    known_decls = {e.value.get("id") for e in merged["declarations"]}
    for i, d in enumerate(decls):
        if d["id"] in known_decls:
            dat.child(decls, i).child(d, "id").fail(
                f"声明项 {d['id']!r} 已在目录中定义；申报通知自己的声明项须用新的编号 / "
                f"declaration {d['id']!r} is already defined in the catalog; the call's own needs a new id")
        if "source" in d:
            cites_notice(d["source"], dat.child(decls, i).child(d, "source"))
    if len(problems) != before:
        return

    # Apply: the call's rows stand where the scheme's call rows stood; provincial rows stay.
    new_by_id = {row["id"]: row for row in conds}
    out_conds = LocList()
    out_conds.line, out_conds.item_lines = scheme["conditions"].line, []
    placed = False
    for i, row in enumerate(scheme["conditions"]):
        if row.get("scope") == "call":
            if not placed:  # the call's new rows go where its first row stood
                for j, new in enumerate(conds):
                    if new["id"] not in old_rows:
                        out_conds.append(_mark(new, name, f"conditions[{j}]"))
                        out_conds.item_lines.append(new.line)
                placed = True
            if row["id"] in new_by_id:
                j = conds.index(new_by_id[row["id"]])
                out_conds.append(_mark(new_by_id[row["id"]], name, f"conditions[{j}]"))
                out_conds.item_lines.append(new_by_id[row["id"]].line)
            continue
        out_conds.append(row)
        out_conds.item_lines.append(scheme["conditions"].line_of(i))
    out_steps = LocList()
    old_steps = scheme.get("procedure") or []
    out_steps.line = getattr(old_steps, "line", scheme.line)
    out_steps.item_lines = []
    placed = False
    for i, step in enumerate(old_steps):
        if step.get("scope") == "call":
            if not placed:
                for j, new in enumerate(steps):
                    out_steps.append(_mark(new, name, f"procedure[{j}]"))
                    out_steps.item_lines.append(new.line)
                placed = True
            continue
        out_steps.append(step)
        out_steps.item_lines.append(old_steps.line_of(i))
    if not placed:
        for j, new in enumerate(steps):
            out_steps.append(_mark(new, name, f"procedure[{j}]"))
            out_steps.item_lines.append(new.line)

    new_scheme = LocDict(scheme)
    new_scheme.line, new_scheme.key_lines = scheme.line, dict(scheme.key_lines)
    new_scheme["call"] = _mark(data["call"], name, "call")
    new_scheme["deadline"] = data["deadline"]
    new_scheme["conditions"] = out_conds
    new_scheme["procedure"] = out_steps
    for key in SCHEME_TEXTS:
        if key in data:
            new_scheme[key] = _mark(data[key], name, key)
    scheme_entry.value = new_scheme

    for i, d in enumerate(decls):
        merged["declarations"].append(entry(d, dat.child(decls, i)))
    source = LocDict({
        "id": doc_id, "file": doc.get("url") or "—", "title": doc["title"], "issuer": doc["issuer"],
        "number": doc["number"], "date": doc["date"], "notes": doc["note"]})
    if doc.get("status"):
        source["status"] = doc["status"]
    source.line, source.key_lines = doc.line, dict(doc.key_lines)
    merged["sources"].append(entry(_mark(source, name, "document"), top.child(data, "document")))
