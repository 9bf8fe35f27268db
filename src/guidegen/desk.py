"""The bureau's desk: pre-screen a district's applications and fill the scheme's 推荐汇总表.

A county or district bureau collects the enterprises' profiles (the calculator's
exports, JSON or YAML), checks each against one scheme with ``guidegen.core.evaluate``
and sends the city a summary table in the notice's own layout. ``screen`` does the
checking (pure data in, pure data out); ``workbook`` lays the result out as an
``.xlsx`` with three sheets: the scheme's summary table (columns as catalogued in
``scheme.summary_table``), the 初审 (pre-screen) sheet in recommendation order, and
the problems sheet. The same code runs in the CLI (``guidegen batch``) and, under
Pyodide, on the site's bureau-desk page: openpyxl and et_xmlfile are pure Python.

One bad file never stops the batch: it becomes a row of the problems sheet.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

from .core import VERDICT_WORDS, ProfileError, evaluate
from .profile_file import MAX_BYTES, ProfileFileError, load_profile

# openpyxl serialises with lxml when it can; Pyodide has no lxml. The standard library's
# ElementTree on both sides gives the CLI and the desk page the same bytes for a batch.
# (Read when openpyxl is first imported; an explicit OPENPYXL_LXML wins.)
os.environ.setdefault("OPENPYXL_LXML", "False")

__all__ = ["DeskError", "PROFILE_SUFFIXES", "read_folder", "screen", "workbook", "batch_workbook", "batch_folder"]

PROFILE_SUFFIXES = (".json", ".yaml", ".yml")
VERDICTS = ("qualifies", "short-of-pass-mark", "pending", "not-eligible")
# Deterministic workbooks: fixed zip entry times, so the same batch gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

WORDS = {
    **VERDICT_WORDS,  # the verdict words, once for the calculator, the CLI and the desk
    "open": {"zh": "申报中", "en": "open"},
    "closed": {"zh": "已截止", "en": "closed"},
    "unknown": {"zh": "未知", "en": "unknown"},
}


class DeskError(ValueError):
    """The batch cannot be made at all (unknown scheme, a scheme without a summary table)."""

    def __init__(self, zh: str, en: str):
        self.message = {"zh": zh, "en": en}
        super().__init__(f"{zh} / {en}")


# --------------------------------------------------------------------------- reading

def read_folder(folder) -> list[tuple[str, bytes]]:
    """Every regular file directly in ``folder`` as (name, bytes), sorted by name.

    Hidden files are left out; anything else is returned, so that a file that is not
    a profile still appears on the problems sheet.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DeskError(f"找不到文件夹 {folder}", f"folder not found: {folder}")
    out = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.is_file() and not path.name.startswith("."):
            # a file bigger than a profile can be is refused by its size: no need to read it all
            with open(path, "rb") as f:
                out.append((path.name, f.read(MAX_BYTES + 1)))
    return out


# --------------------------------------------------------------------------- screening

def _get(profile: dict, path: str):
    head, _, tail = path.partition(".")
    value = profile.get(head)
    if tail:
        return value.get(tail) if isinstance(value, dict) else None
    return value


def _identity(name) -> str | None:
    """The enterprise, as the bureau would recognise it: its name without spacing or
    full-width/half-width differences (（） and () are the same bracket)."""
    if not isinstance(name, str):
        return None
    key = "".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return key or None


def _cite(source: dict) -> str:
    return f"{source['doc']} {source['article']}"


def _problem(file, field, kind, zh, en, source=None) -> dict:
    return {"file": file, "field": field, "kind": kind, "message": {"zh": zh, "en": en}, "source": source}


def _number(value):
    """JSON-friendly: Decimals from the engine as int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def screen(bundle: dict, files, *, scheme: str, today: str | None = None, include_pending: bool = False,
           reviewed=()) -> dict:
    """Check every file against ``scheme``; return the batch as plain data.

    ``files`` is a list of (name, bytes). ``today`` is the evaluation date
    (YYYY-MM-DD; default: the current date), which decides the call status.
    The result: ``{"scheme", "today", "applicants": [...], "problems": [...]}``,
    applicants in recommendation order (qualifies first, then by score), each with
    ``row``: its number in the summary table, or None when it is not recommended. The
    table lists the applicants that qualify; with ``include_pending`` also those whose
    verdict is pending, marked (``pending_row``). Everyone else is on the 初审 sheet only,
    with the reason (``left_out``). ``reviewed``: the files whose materials the bureau has
    reviewed and passed (the desk page's tick; no profile can say so).
    """
    if scheme not in bundle["schemes"]:
        known = ", ".join(sorted(s for s in bundle["schemes"] if bundle["schemes"][s].get("summary_table")))
        raise DeskError(f"未知的申报类别 {scheme!r}（可选：{known}）", f"unknown scheme {scheme!r} (choose from: {known})")
    spec = bundle["schemes"][scheme]
    if not spec.get("summary_table"):
        known = ", ".join(sorted(s for s in bundle["schemes"] if bundle["schemes"][s].get("summary_table")))
        raise DeskError(f"{spec['name']['zh']}的文件没有规定推荐汇总表（有汇总表的类别：{known}）",
                        f"the documents of {spec['name']['en']} lay out no summary table (schemes with one: {known})")
    if today is None:
        today = _dt.date.today().isoformat()
    else:
        try:
            _dt.date.fromisoformat(today)
        except (TypeError, ValueError):
            raise DeskError(f"评估日期应为 YYYY-MM-DD，收到 {str(today)[:20]!r}",
                            f"the evaluation date must be YYYY-MM-DD, got {str(today)[:20]!r}") from None

    problems: list[dict] = []
    applicants: list[dict] = []
    elsewhere: list[dict] = []   # readable files that apply for other schemes only
    for name, data in sorted(files, key=lambda f: f[0]):
        if unwritable(name):
            chars = unwritable(name)
            problems.append(_problem(name, None, "control", f"文件名含不可见的控制字符 {'、'.join(chars)}，表中转义显示",
                                     f"the file name holds invisible control characters {', '.join(chars)}, shown escaped"))
        if not name.lower().endswith(PROFILE_SUFFIXES):
            if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
                problems.append(_problem(name, None, "skipped", "这是 ZIP 压缩包，不是档案；请先解压，再放入其中的 .json 或 .yaml 档案",
                                         "a ZIP archive, not a profile; unzip it and add the .json or .yaml profiles inside"))
            else:
                problems.append(_problem(name, None, "skipped", "不是档案文件（应为 .json、.yaml 或 .yml），已跳过",
                                         "not a profile file (expected .json, .yaml or .yml); skipped"))
            continue
        try:
            profile = load_profile(data, name)
        except ProfileFileError as exc:
            problems.append(_problem(name, None, "unreadable", exc.message["zh"], exc.message["en"]))
            continue
        except Exception as exc:  # one bad file never stops the batch
            problems.append(_problem(name, None, "unreadable", f"无法读取：{str(exc)[:160]}", f"cannot read: {str(exc)[:160]}"))
            continue
        problems.extend(_text_problems(name, profile))
        applying = _get(profile, "application.schemes")
        applying = [s for s in applying if isinstance(s, str)] if isinstance(applying, list) else []
        identity = _identity(_get(profile, "enterprise.name"))
        if applying and scheme not in applying:
            names = "、".join(bundle["schemes"][s]["name"]["zh"] if s in bundle["schemes"] else s for s in applying)
            names_en = "; ".join(bundle["schemes"][s]["name"]["en"] if s in bundle["schemes"] else s for s in applying)
            problems.append(_problem(name, "application.schemes", "other-scheme",
                                     f"本档案申报的是{names}，不在本次汇总之列", f"this profile applies for {names_en}, not this scheme"))
            elsewhere.append({"file": name, "identity": identity, "applying": applying})
            continue
        try:
            result = evaluate(bundle, profile, schemes=[scheme], today=today)["results"][0]
        except ProfileError as exc:
            for e in exc.errors:
                problems.append(_problem(name, e["field"], "field", e["message"]["zh"], e["message"]["en"]))
            continue
        except Exception as exc:  # never lose the batch to one profile
            problems.append(_problem(name, None, "unreadable", f"计算出错：{str(exc)[:160]}", f"evaluation failed: {str(exc)[:160]}"))
            continue
        applicants.append(_applicant(name, profile, result, identity, applying))

    applicants.sort(key=_rank)
    _flag_duplicates(applicants, spec, problems)
    _flag_exclusions(applicants, elsewhere, spec, bundle, problems)
    reviewed = set(reviewed or ())
    listed = ("qualifies", "pending") if include_pending else ("qualifies",)
    row = 0
    for a in applicants:
        a["reviewed"] = a["file"] in reviewed
        if a["duplicate_of"] is not None:
            a["left_out"] = "duplicate"
        elif a["verdict"] not in listed:
            a["left_out"] = a["verdict"]
        else:
            row += 1
            a["row"] = row
    for a in applicants:
        if a["row"] is not None:
            problems.extend(_missing_for_table(a, spec, bundle))
    return {"scheme": scheme, "today": today, "applicants": applicants, "problems": problems,
            "include_pending": bool(include_pending)}


def _applicant(name, profile, result, identity, applying) -> dict:
    """One applicant as the sheets need it; verdict, call and plan are the engine's (profile.md 1.1)."""
    score = result.get("score")
    plan = result.get("plan") if isinstance(result.get("plan"), dict) else None
    conds = result["conditions"]
    return {
        "file": name,
        "name": " ".join(_get(profile, "enterprise.name").split()) if isinstance(_get(profile, "enterprise.name"), str) else None,
        "identity": identity,
        "applying": applying,
        "profile": profile,
        "verdict": result["verdict"],
        "eligibility": result["eligibility"],
        "score": None if not score else {
            "total": _number(score["total"]), "max": _number(score["max"]), "pass_mark": _number(score["pass_mark"]),
            "short": _number(max(Decimal(str(score["pass_mark"])) - Decimal(str(score["total"])), Decimal(0)))},
        "plan": None if not plan else {
            "reachable": plan.get("reachable"), "total_after": _number(plan.get("total_after")),
            "steps": [{"item": s.get("item"), "points": _number(s.get("points")), "message": s.get("message")}
                      for s in plan.get("steps", [])]},
        # Informational rows (e.g. Hunan's direct-recognition hint) are never "not met" or
        # "pending": they inform (the 提示 column), and only when unanswered.
        "failing": [_condition(c) for c in conds if c["status"] == "fail" and not c.get("informational")],
        "pending": [_condition(c) for c in conds if c["status"] == "unknown" and not c.get("informational")],
        "hints": [_condition(c) for c in conds if c.get("informational") and c["status"] != "pass"],
        "call": result["call"],
        # an enterprise outside the call's region: where it applies instead (contract 1.2, #22)
        "elsewhere": result["elsewhere"]["note"] if isinstance(result.get("elsewhere"), dict) else None,
        "row": None,
        "left_out": None,
        "reviewed": False,
        "duplicate_of": None,
        "flags": [],
    }


def _condition(c: dict) -> dict:
    return {"id": c["id"], "title": c["title"], "message": c["message"], "source": c["source"], "soft": c["soft"]}


def _rank(a: dict):
    total = a["score"]["total"] if a["score"] else None
    place = VERDICTS.index(a["verdict"]) if a["verdict"] in VERDICTS else len(VERDICTS)  # a new verdict: last
    return (place, 0 if total is None else -total, a["identity"] or "\uffff", a["file"])


def _flag_duplicates(applicants, spec, problems) -> None:
    """The same enterprise twice for one scheme: the better-placed file stays in the table."""
    rule = next((x for x in spec.get("exclusions", []) if x["kind"] == "one-project"), None)
    first: dict[str, dict] = {}
    for a in applicants:
        if a["identity"] is None:
            continue
        kept = first.setdefault(a["identity"], a)
        if kept is a:
            continue
        a["duplicate_of"] = kept["file"]
        rule_zh = f"{rule['text']['zh']}" if rule else "同一企业只列一行"
        rule_en = f"{rule['text']['en']}" if rule else "one row per enterprise"
        zh = f"与 {kept['file']} 为同一企业（{a['name']}），未列入汇总表：{rule_zh}"
        en = f"same enterprise as {kept['file']} ({a['name']}); left out of the summary table: {rule_en}"
        a["flags"].append({"zh": f"重复：同 {kept['file']}", "en": f"duplicate of {kept['file']}"})
        kept["flags"].append({"zh": f"重复：另见 {a['file']}", "en": f"duplicate: see also {a['file']}"})
        problems.append(_problem(a["file"], "enterprise.name", "duplicate", zh, en, _cite(rule["source"]) if rule else None))


def _flag_exclusions(applicants, elsewhere, spec, bundle, problems) -> None:
    """An enterprise applying for this scheme and one it excludes (一个企业一次只能选择申报…)."""
    for rule in spec.get("exclusions", []):
        others = set(rule.get("schemes", ()))
        if rule["kind"] != "one-direction" or not others:
            continue
        for a in applicants:
            hits = [(a["file"], s) for s in a["applying"] if s in others]
            if a["identity"] is not None:
                hits += [(o["file"], s) for o in elsewhere if o["identity"] == a["identity"]
                         for s in o["applying"] if s in others]
            if not hits:
                continue
            where = "、".join(sorted({f"{bundle['schemes'][s]['name']['zh']}（{f}）" for f, s in hits}))
            where_en = "; ".join(sorted({f"{bundle['schemes'][s]['name']['en']} ({f})" for f, s in hits}))
            a["flags"].append({"zh": "同时申报了互斥的类别", "en": "also applies for an excluded scheme"})
            problems.append(_problem(
                a["file"], "application.schemes", "exclusion",
                f"同一企业还申报了{where}：{rule['text']['zh']}", f"the same enterprise also applies for {where_en}: {rule['text']['en']}",
                _cite(rule["source"])))


def _missing_for_table(a: dict, spec: dict, bundle: dict) -> list[dict]:
    out = []
    for col in spec["summary_table"]["columns"]:
        value = col["value"]
        kind = value["kind"]
        header = col["header"]
        if kind == "field" or kind == "period":
            paths = [value["path"]] if kind == "field" else [value["start"], value["end"]]
            for path in paths:
                if _get(a["profile"], path) in (None, ""):
                    out.append(_problem(a["file"], path, "missing", f"汇总表“{header['zh']}”一栏需要此项，档案未填写",
                                        f"the summary table's column '{header['en']}' needs it; the profile leaves it empty"))
        elif kind == "scene-instances":
            if not (_get(a["profile"], value["path"]) or {}).get(value["guide"]):
                out.append(_problem(a["file"], value["path"], "missing",
                                    f"汇总表“{header['zh']}”需要场景实例名称，档案未填写；暂列所选场景",
                                    f"the column '{header['en']}' needs named scene instances; the profile has none, so the selected scenes are listed"))
        elif kind == "scenes":
            if not (a["profile"].get("scenes") or {}).get(value["guide"]):
                out.append(_problem(a["file"], f"scenes.{value['guide']}", "missing",
                                    f"汇总表“{header['zh']}”一栏需要所选场景，档案未选择",
                                    f"the column '{header['en']}' needs the selected scenes; the profile selects none"))
    return out


# --------------------------------------------------------------------------- phones and unwritable text

PHONE_PATHS = ("application.contact_phone",)
_FULLWIDTH_DIGITS = {0xFF10 + i: str(i) for i in range(10)}
# A mainland mobile (11 digits from 13–19) or a landline with its area code, optionally
# after +86; spaces and hyphens between groups allowed.
_PHONE = re.compile(r"(?:\+?86)?(?:1[3-9]\d{9}|0\d{9,11})")


def phone_text(value: str) -> str:
    """The one normalization of a profile's text: full-width digits in a phone number → ASCII."""
    return value.translate(_FULLWIDTH_DIGITS)


def is_phone(value: str) -> bool:
    return bool(_PHONE.fullmatch(re.sub(r"[ \-]", "", phone_text(value).strip())))


def _strings(value, path=""):
    """(path, text) of every string in a profile, keys included (depth is bounded by the reader)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}.{k}" if path else str(k)
            if isinstance(k, str):
                yield sub + " (key)", k
            yield from _strings(v, sub)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def _text_problems(name: str, profile: dict) -> list[dict]:
    """Characters a cell cannot hold (C0 controls, lone surrogates …), field by field; and a
    contact phone that is not a phone number."""
    out = []
    for path, text in _strings(profile):
        chars = unwritable(text)
        if chars:
            field = path.removesuffix(" (key)")
            where_zh = "键名" if path.endswith(" (key)") else "内容"
            where_en = "key" if path.endswith(" (key)") else "value"
            out.append(_problem(name, field, "control",
                                f"{where_zh}含不可见的控制字符 {'、'.join(chars)}，表中按原样转义显示（如 \\x01）；请核对原件",
                                f"the {where_en} holds invisible control characters {', '.join(chars)}, shown escaped in the "
                                f"sheets (e.g. \\x01); check the original"))
    for path in PHONE_PATHS:
        phone = _get(profile, path)
        if isinstance(phone, str) and phone.strip() and not is_phone(phone):
            out.append(_problem(name, path, "phone", f"“{phone[:40]}”不是手机或固定电话号码；请核对",
                                f"'{phone[:40]}' is not a mobile or landline number; please check"))
    return out


# --------------------------------------------------------------------------- the summary table's cells

def _scene_names(bundle: dict, guide: str) -> dict[int, tuple[str, str]]:
    return {s["number"]: (link["name"]["zh"], s["name"]["zh"]) for link in bundle["guides"][guide] for s in link["scenes"]}


def _year_month(value) -> str | None:
    if not isinstance(value, str) or len(value) < 7:
        return None
    return f"{int(value[:4])}年{int(value[5:7])}月"


def _field_text(bundle: dict, path: str, value):
    field = next((f for s in bundle["profile"]["sections"] for f in s["fields"] if f["path"] == path), None)
    if field and field.get("options"):
        for o in field["options"]:
            if o["value"] == value:
                return o["label"]["zh"]
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _remarks(a: dict, value: dict) -> str:
    parts = []
    for flag in value.get("flags", []):
        held = _get(a["profile"], flag["path"])
        if held is True or (isinstance(held, (int, float)) and not isinstance(held, bool) and held > 0):
            parts.append(flag["held"]["zh"])
        elif held is not None and "not_held" in flag:
            parts.append(flag["not_held"]["zh"])
    verdict = f"自动初审：{WORDS[a['verdict']]['zh']}"
    if a["score"]:
        verdict += f"（{_fmt(a['score']['total'])}分，及格线{_fmt(a['score']['pass_mark'])}分）"
    parts.append(verdict)
    # Whether the materials passed review: no profile can know; the bureau ticks it on the desk.
    parts.append("材料审核通过" if a.get("reviewed") else "材料待审核")
    return "；".join(parts)


def _fmt(n) -> str:
    return str(_number(n)) if n is not None else ""


def cell_value(bundle: dict, a: dict, column: dict):
    """What one applicant puts in one column of the summary table (Chinese, as the notice)."""
    value = column["value"]
    kind = value["kind"]
    if kind == "number":
        # a pending applicant listed on request is marked where every table has a cell: its number
        return f"{a['row']}（待确认）" if a["verdict"] == "pending" else a["row"]
    if kind == "field":
        raw = _get(a["profile"], value["path"])
        if value.get("format") == "year-month":
            return _year_month(raw)
        if value["path"] in PHONE_PATHS and isinstance(raw, str):
            return phone_text(raw)
        return _field_text(bundle, value["path"], raw)
    if kind == "period":
        start, end = _year_month(_get(a["profile"], value["start"])), _year_month(_get(a["profile"], value["end"]))
        return None if not (start or end) else f"{start or '？'}—{end or '？'}"
    if kind == "fixed":
        return value["text"]["zh"]
    if kind == "remarks":
        return _remarks(a, value)
    names = _scene_names(bundle, value["guide"])
    if kind == "scene-instances":
        instances = (_get(a["profile"], value["path"]) or {}).get(value["guide"]) or []
        if instances:
            return "\n".join(f"{i}. {names[x['scene']][0]}—{names[x['scene']][1]}—{x['name']}"
                             for i, x in enumerate(instances, 1))
    chosen = sorted((a["profile"].get("scenes") or {}).get(value["guide"]) or [])
    return "\n".join(f"{i}. {names[n][0]}—{names[n][1]}" for i, n in enumerate(chosen, 1)) or None


# --------------------------------------------------------------------------- the workbook

SHEET_WORDS = {
    "screen": {"zh": "初审", "en": "Pre-screen"},
    "problems": {"zh": "问题", "en": "Problems"},
    "screen_title": {"zh": "{name} 自动初审（评估日期 {today}）", "en": "{name}: automatic pre-screen (evaluated on {today})"},
    "screen_note": {"zh": "按推荐顺序排列：符合条件的在前，其次按得分；推荐单位可自行调整。结论依据各条件所引文件条款，仅供初审参考。",
                    "en": "In recommendation order: qualifying applicants first, then by score; the bureau may reorder. "
                          "Verdicts cite the articles they rest on and are a pre-screen aid only."},
    "problems_title": {"zh": "无法读取、字段错误、重复与互斥申报", "en": "Unreadable files, field errors, duplicates and exclusions"},
    "no_problems": {"zh": "没有问题。", "en": "No problems."},
    "screen_headers": {
        "zh": ["汇总表序号", "文件", "企业名称", "结论", "得分", "及格线", "差距分", "提分方案", "不满足的条件", "待确认的条件",
               "申报时间", "提示"],
        "en": ["Row in summary", "File", "Enterprise", "Verdict", "Score", "Pass mark", "Points short", "Plan",
               "Conditions not met", "Conditions pending", "Call", "Flags"],
    },
    "problem_headers": {"zh": ["文件", "字段", "类别", "问题", "依据"], "en": ["File", "Field", "Kind", "Problem", "Source"]},
    "kinds": {
        "skipped": {"zh": "非档案文件", "en": "not a profile"},
        "unreadable": {"zh": "无法读取", "en": "unreadable"},
        "field": {"zh": "字段错误", "en": "field error"},
        "other-scheme": {"zh": "其他类别", "en": "other scheme"},
        "duplicate": {"zh": "重复申报", "en": "duplicate"},
        "exclusion": {"zh": "互斥申报", "en": "exclusion"},
        "missing": {"zh": "汇总表缺项", "en": "missing for the table"},
        "control": {"zh": "控制字符", "en": "control characters"},
        "phone": {"zh": "电话存疑", "en": "phone number"},
    },
    "left_out": {"zh": "—（重复，未列入）", "en": "— (duplicate, left out)"},
    "left_out_verdict": {"zh": "—（未列入：{verdict}）", "en": "— (not listed: {verdict})"},
    "left_out_pending": {"zh": "—（未列入：待确认；勾选“也列入‘待确认’的企业”或用 --include-pending 可列入）",
                         "en": "— (not listed: pending; tick 'Also list pending applicants' or use --include-pending to list it)"},
    "pending_note": {"zh": "注：序号标“（待确认）”的企业尚有条件待确认（见“初审”表），推荐前请核实。",
                     "en": "Note: rows marked （待确认） still have conditions pending (see the pre-screen sheet); check them before recommending."},
    "own_reading": {"zh": "说明（本表列为本项目的理解，非通知规定）：{text}", "en": "Note (the columns are this project's reading, not prescribed): {text}"},
    "plan_reachable": {"zh": "{n}步可达{total}分", "en": "{n} step(s) reach {total}"},
    "plan_unreachable": {"zh": "无法达到及格线（最高{total}分）", "en": "cannot reach the pass mark (best {total})"},
    "call_open": {"zh": "申报中（截止 {deadline}）", "en": "open (deadline {deadline})"},
    "call_closed": {"zh": "已截止（{deadline}），结论预测下一批", "en": "closed ({deadline}); the verdict predicts the next call"},
    "call_unknown": {"zh": "截止日期未知", "en": "deadline unknown"},
    "call_not_yet_open": {"zh": "尚未开始（通知 {opens} 发布，截止 {deadline}），结论按该通知预测",
                          "en": "not yet open (the notice comes out on {opens}, deadline {deadline}); the verdict applies that notice"},
    "soft": {"zh": "（原则上）", "en": " (in principle)"},
}


def _w(key: str, lang: str, **kw) -> str:
    return SHEET_WORDS[key][lang].format(**kw)


def _plan_text(a: dict, lang: str) -> str | None:
    plan = a["plan"]
    if not plan:
        return None
    if not plan["reachable"]:
        return _w("plan_unreachable", lang, total=_fmt(plan["total_after"]))
    lines = [_w("plan_reachable", lang, n=len(plan["steps"]), total=_fmt(plan["total_after"]))]
    for step in plan["steps"]:
        message = step["message"][lang] if isinstance(step.get("message"), dict) else step["item"]
        lines.append(f"+{_fmt(step['points'])} {message}")
    return "\n".join(lines)


def _conditions_text(conds: list[dict], lang: str) -> str | None:
    if not conds:
        return None
    return "\n".join(f"{c['title'][lang]}{_w('soft', lang) if c['soft'] else ''}：{c['message'][lang]}（{c['source']}）"
                     if lang == "zh" else
                     f"{c['title'][lang]}{_w('soft', lang) if c['soft'] else ''}: {c['message'][lang]} ({c['source']})"
                     for c in conds)


def _call_text(call: dict, lang: str) -> str:
    status = call.get("status")
    if status in ("open", "closed"):
        return _w(f"call_{status}", lang, deadline=call.get("deadline"))
    if status == "not-yet-open":
        return _w("call_not_yet_open", lang, opens=call.get("opens") or "？", deadline=call.get("deadline") or "？")
    return _w("call_unknown", lang)


def _row_text(a: dict, lang: str):
    if a["row"] is not None:
        return a["row"] if a["verdict"] != "pending" else (f"{a['row']}（待确认）" if lang == "zh" else f"{a['row']} (pending)")
    if a["left_out"] == "duplicate":
        return _w("left_out", lang)
    if a["left_out"] == "pending":
        return _w("left_out_pending", lang)
    word = WORDS[a["verdict"]][lang]
    return _w("left_out_verdict", lang, verdict=word if lang == "zh" else word[0].lower() + word[1:])


def _hint_text(c: dict, lang: str) -> str:
    sep = "：" if lang == "zh" else ": "
    return f"{c['title'][lang]}{sep}{c['message'][lang]}"


def screen_rows(batch: dict, lang: str = "zh") -> list[list]:
    """The 初审 sheet's data rows (recommendation order)."""
    rows = []
    for a in batch["applicants"]:
        s = a["score"]
        rows.append([
            _row_text(a, lang),
            a["file"],
            a["name"],
            WORDS[a["verdict"]][lang],
            s["total"] if s else None,
            s["pass_mark"] if s else None,
            s["short"] if s else None,
            _plan_text(a, lang),
            _conditions_text(a["failing"], lang),
            _conditions_text(a["pending"], lang),
            _call_text(a["call"], lang),
            "\n".join([f[lang] for f in a["flags"]] + [_hint_text(c, lang) for c in a["hints"]]
                      + ([a["elsewhere"][lang]] if a.get("elsewhere") else [])) or None,
        ])
    return rows


def problem_rows(batch: dict, lang: str = "zh") -> list[list]:
    return [[p["file"], p["field"], SHEET_WORDS["kinds"][p["kind"]][lang], p["message"][lang], p["source"]]
            for p in batch["problems"]]


def summary_rows(bundle: dict, batch: dict) -> list[list]:
    """The summary table's data rows: one per applicant kept, in recommendation order."""
    columns = bundle["schemes"][batch["scheme"]]["summary_table"]["columns"]
    return [[cell_value(bundle, a, c) for c in columns] for a in batch["applicants"] if a["row"] is not None]


def _width(text) -> int:
    if text is None:
        return 0
    longest = max(str(text).split("\n"), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in longest)  # A: — “” are wide in CJK fonts


def workbook(bundle: dict, batch: dict, *, lang: str = "zh") -> bytes:
    """The batch as .xlsx bytes: summary table, 初审 sheet, problems sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    if lang not in ("zh", "en"):
        raise DeskError(f"未知的语言 {lang!r}", f"unknown language {lang!r}")
    spec = bundle["schemes"][batch["scheme"]]
    table = spec["summary_table"]
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)

    wb = Workbook()
    day = _dt.datetime.fromisoformat(batch["today"])
    wb.properties.creator = "guidegen"
    wb.properties.created = day
    wb.properties.modified = day
    wb.properties.title = table["title"]["zh"]

    # 1. the notice's table
    ws = wb.active
    ws.title = _sheet_name(table["title"]["zh"])
    columns = table["columns"]
    n = len(columns)
    _put(ws, 1, 1, table["title"]["zh"]).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    _put(ws, 2, 1, table.get("unit_line", {}).get("zh"))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=n)
    grouped = any("group" in c for c in columns)
    top = 3
    data_row = top + (2 if grouped else 1)
    for i, col in enumerate(columns, 1):
        if grouped and "group" in col:
            _put(ws, top + 1, i, col["header"]["zh"])
        else:
            _put(ws, top, i, col["header"]["zh"])
            if grouped:
                ws.merge_cells(start_row=top, start_column=i, end_row=top + 1, end_column=i)
    if grouped:
        i = 0
        while i < n:
            group = columns[i].get("group")
            j = i
            while group and j + 1 < n and columns[j + 1].get("group") == group:
                j += 1
            if group:
                _put(ws, top, i + 1, group["zh"])
                if j > i:
                    ws.merge_cells(start_row=top, start_column=i + 1, end_row=top, end_column=j + 1)
            i = j + 1
    for r in range(top, data_row):
        for c in range(1, n + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border = bold, centre, border
    rows = summary_rows(bundle, batch)
    for r, values in enumerate(rows, data_row):
        for c, v in enumerate(values, 1):
            cell = _put(ws, r, c, v)
            cell.alignment, cell.border = wrap, border
    widths = []
    for c in range(1, n + 1):
        # a header wraps (Chinese breaks anywhere): it asks for at most 14 characters of width
        header = min(_width(columns[c - 1]["header"]["zh"]), 14)
        widths.append(min(max([header] + [_width(row[c - 1]) for row in rows]) + 2, 40))
        ws.column_dimensions[get_column_letter(c)].width = widths[-1]
    for r in range(top, data_row):
        texts = []
        for c in range(1, n + 1):
            value = ws.cell(r, c).value
            span = next((rng for rng in ws.merged_cells.ranges if rng.min_row == r and rng.min_col == c), None)
            if span is not None and span.max_row > r:   # spans two header rows: either row needs half
                texts.append(None)
                continue
            wide = sum(widths[span.min_col - 1:span.max_col]) if span is not None else widths[c - 1]
            texts.append((value, wide))
        texts = [t for t in texts if t is not None]
        if texts:
            ws.row_dimensions[r].height = _height([t for t, _ in texts], [w for _, w in texts])
    notes = [note["zh"] for note in table.get("notes", [])]
    if any(a["row"] is not None and a["verdict"] == "pending" for a in batch["applicants"]):
        notes.append(_w("pending_note", "zh"))
    if table.get("interpretation"):
        # The scheme's documents prescribe no table (Zhuzhou 第六条): said on the sheet itself.
        notes.append(_w("own_reading", "zh", text=table["interpretation"]["zh"]))
    r = data_row + len(rows) + 1
    for note in notes:
        _put(ws, r, 1, note).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
        ws.row_dimensions[r].height = _height([note], [sum(widths)])
        r += 1
    _fit_rows(ws, range(data_row, data_row + len(rows)), rows, widths)
    ws.freeze_panes = ws.cell(data_row, 1)
    _print_setup(ws, data_row - 1, "zh")

    # 2. 初审
    ws = wb.create_sheet(_w("screen", lang))
    headers = SHEET_WORDS["screen_headers"][lang]
    _put(ws, 1, 1, _w("screen_title", lang, name=spec["name"][lang], today=batch["today"])).font = Font(bold=True, size=13)
    _put(ws, 2, 1, _w("screen_note", lang))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    widths = _table(ws, 3, headers, screen_rows(batch, lang), bold, centre, wrap, border, get_column_letter)
    ws.row_dimensions[2].height = _height([_w("screen_note", lang)], [sum(widths)])
    _print_setup(ws, 3, lang)

    # 3. problems
    ws = wb.create_sheet(_w("problems", lang))
    _put(ws, 1, 1, _w("problems_title", lang)).font = Font(bold=True, size=13)
    prows = problem_rows(batch, lang)
    _table(ws, 2, SHEET_WORDS["problem_headers"][lang], prows, bold, centre, wrap, border, get_column_letter)
    if not prows:
        _put(ws, 3, 1, _w("no_problems", lang))
    _print_setup(ws, 2, lang)

    # ExcelWriter, not wb.save: save() stamps the current time as 'modified'; the batch's
    # date is the workbook's date, so the same batch gives the same bytes.
    from openpyxl.writer.excel import ExcelWriter
    out = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return _stable_zip(out.getvalue())


# Characters a cell cannot hold: C0 controls other than tab, LF and CR (not allowed in XML 1.0;
# openpyxl refuses them), lone surrogates (no UTF-8 for them) and U+FFFE/U+FFFF (not XML
# characters). They are written escaped, so nothing is lost and the clerk sees where they were.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def visible(text: str) -> str:
    """``text`` with every character a cell cannot hold written as ``\\x01`` / ``\\ud800``."""
    return _UNWRITABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def unwritable(text: str) -> list[str]:
    """The distinct unwritable characters of ``text``, as U+XXXX, in order of appearance."""
    return list(dict.fromkeys(f"U+{ord(ch):04X}" for ch in _UNWRITABLE.findall(text)))


def _put(ws, row: int, col: int, value):
    """Write one cell. A string is always a string cell (never a formula, whatever it begins
    with: ``=``, ``+``, ``-``, ``@``, ``＝`` …) with the quote-prefix style, so it stays text
    when a clerk edits the cell (OWASP CSV injection; ASVS 5.0 V1.2.10); numbers stay numbers."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        # OOXML reads _xHHHH_ in a string as a character: a literal one is escaped (its "_" as
        # _x005F_), and CR is written as _x000D_ (XML would read a raw CR as LF), so the value
        # a spreadsheet reads is the profile's, unchanged.
        value = _OOXML_ESCAPE.sub(lambda m: "_x005F" + m.group(), visible(value)).replace("\r", "_x000D_")
        cell.value = value            # openpyxl would take a leading '=' for a formula ...
        cell.data_type = "s"          # ... so the type is set after the value
        cell.quotePrefix = True
    elif value is not None:
        cell.value = value
    return cell


def _table(ws, top, headers, rows, bold, centre, wrap, border, letter) -> list[float]:
    for c, h in enumerate(headers, 1):
        cell = _put(ws, top, c, h)
        cell.font, cell.alignment, cell.border = bold, centre, border
    for r, values in enumerate(rows, top + 1):
        for c, v in enumerate(values, 1):
            cell = _put(ws, r, c, v)
            cell.alignment, cell.border = wrap, border
    widths = []
    for c, h in enumerate(headers, 1):
        widths.append(min(max([min(_width(h), 14)] + [_width(row[c - 1]) for row in rows]) + 2, 40))
        ws.column_dimensions[letter(c)].width = widths[-1]
    _fit_rows(ws, [top], [headers], widths)
    _fit_rows(ws, range(top + 1, top + 1 + len(rows)), rows, widths)
    ws.freeze_panes = ws.cell(top + 1, 1)
    return widths


# --------------------------------------------------------------------------- printing
#
# A bureau prints the table and stamps it: every sheet is set up for A4 landscape, fitted to
# one page wide (as many pages tall as it takes), with the title and header rows repeated on
# every page and the page number in the footer. Spreadsheet programs do not grow a row to its
# wrapped text when they open a file (LibreOffice does only for rows without a height; Excel
# not at all for merged cells), so every row gets the height its wrapped text needs.

_LINE_PT = 14.5     # one line of 11 pt text, CJK glyphs included (Excel's 等线 11 pt: 14.25), in points
_PAD_PT = 3.0


def _lines(text, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    if text is None:
        return 1
    room = max(width - 1.5, 1.0)
    return sum(max(1, -(-_width(line) // int(room))) for line in str(text).split("\n"))


def _height(texts, widths) -> float:
    return max(_lines(t, w) for t, w in zip(texts, widths)) * _LINE_PT + _PAD_PT


def _fit_rows(ws, row_numbers, rows, widths) -> None:
    for r, values in zip(row_numbers, rows):
        ws.row_dimensions[r].height = _height([visible(v) if isinstance(v, str) else v for v in values], widths)


def _print_setup(ws, last_header_row: int, lang: str) -> None:
    from openpyxl.worksheet.page import PageMargins
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0          # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{last_header_row}"
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页" if lang == "zh" else "Page &P of &N"
    ws.oddFooter.center.size = 9


def _sheet_name(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]


_MERGES = re.compile(rb"(<mergeCells [^>]*>)(.*?)(</mergeCells>)", re.S)
_MERGE = re.compile(rb"<mergeCell [^>]*/>")


def _stable_zip(data: bytes) -> bytes:
    """The same workbook bytes for the same batch: entry times fixed, order kept, and the
    merged ranges sorted (openpyxl keeps them in a set, whose order follows string hashing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = _MERGES.sub(lambda m: m.group(1) + b"".join(sorted(_MERGE.findall(m.group(2)))) + m.group(3), body)
            dst.writestr(entry, body)
    return out.getvalue()


def batch_workbook(bundle: dict, files, *, scheme: str, today: str | None = None, lang: str = "zh",
                   include_pending: bool = False, reviewed=()) -> tuple[bytes, dict]:
    """``screen`` then ``workbook``: (xlsx bytes, the batch)."""
    batch = screen(bundle, files, scheme=scheme, today=today, include_pending=include_pending, reviewed=reviewed)
    return workbook(bundle, batch, lang=lang), batch


def batch_folder(bundle: dict, folder, out, *, scheme: str, today: str | None = None, lang: str = "zh",
                 include_pending: bool = False, reviewed=()) -> dict:
    """Read every file of ``folder``, write the workbook to ``out``; return counts, the
    recommendation order and the problems (as the sheets word them in ``lang``).

    The CLI (``guidegen batch``) and the desk page's worker (on Pyodide's file system)
    both call this; the page shows the order and the problems beside the download.
    ``include_pending`` lists pending applicants too (marked); ``reviewed``: the files whose
    materials the bureau marked as reviewed and passed (the 备注/推荐意见 column says so)."""
    data, batch = batch_workbook(bundle, read_folder(folder), scheme=scheme, today=today, lang=lang,
                                 include_pending=include_pending, reviewed=tuple(reviewed or ()))
    Path(out).write_bytes(data)
    return {"scheme": scheme, "today": batch["today"], "files": sum(1 for _ in Path(folder).iterdir()),
            "rows": sum(1 for a in batch["applicants"] if a["row"] is not None),
            "applicants": len(batch["applicants"]), "problems": len(batch["problems"]),
            "include_pending": batch["include_pending"],
            "verdicts": {v: sum(1 for a in batch["applicants"] if a["verdict"] == v and a["duplicate_of"] is None)
                         for v in VERDICTS},
            "order": [{"row": a["row"], "file": a["file"], "name": a["name"], "verdict": WORDS[a["verdict"]][lang],
                       "pending": a["verdict"] == "pending", "reviewed": a["reviewed"],
                       "score": a["score"]["total"] if a["score"] else None}
                      for a in batch["applicants"] if a["row"] is not None],
            "left_out": [{"file": a["file"], "name": a["name"], "verdict": WORDS[a["verdict"]][lang],
                          "reason": _row_text(a, lang)} for a in batch["applicants"] if a["row"] is None],
            "issues": [dict(zip(("file", "field", "kind", "message", "source"), row)) for row in problem_rows(batch, lang)]}
