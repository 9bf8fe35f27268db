"""Itemized lists (contract 1.2, "Itemized lists"; issue #25): entered once, used twice.

A field of type ``items`` (catalogs/profile.yaml) holds a list of entries — core equipment,
technical services, patents, standards, reports, R&D centres, partners, yearly financials —
each entry checked against the field's ``item`` columns. Its ``totals`` say which plain
profile value the list stands for: a sum of one column, a count of entries, or the latest
year's value, optionally of the entries matching ``where`` (and not ``unless``), optionally
only of the entries inside the three calendar years before the evaluation date (``window``).

When a list is given its total IS the value the rubric reads: it is written into the plain
path. A plain number given beside the list must equal it, else a field error naming both.
Entries a plan adds (``{name: 【待填写】, amount: N}``) are ordinary entries: every column but
the one summed may be missing.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

__all__ = ["check_items", "list_totals", "window_years", "itemized_change", "PLACEHOLDER", "ITEMS_TYPES"]

ITEMS_TYPES = ("items",)
PLACEHOLDER = "【待填写】"  # the name of an entry a plan adds: the enterprise names it in the draft
MAX_ITEMS = 200
MAX_STRING = 500
MAX_TEXT = 20000
MAX_NUMBER = Decimal("1e12")
_MONTH = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _err(field: str, zh: str, en: str) -> dict:
    return {"field": field, "message": {"zh": zh, "en": en}}


def window_years(today: _dt.date | None) -> tuple[int, int, int]:
    """近三年: the three calendar years before the evaluation date, oldest first."""
    year = (today or _dt.date.today()).year
    return (year - 3, year - 2, year - 1)


def _value(col: dict, value, path: str, errors: list):
    t = col["type"]
    if t in ("number", "integer", "year"):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            errors.append(_err(path, "应为数值", "must be a number"))
            return None
        try:
            d = Decimal(str(value))
        except (InvalidOperation, ValueError):
            errors.append(_err(path, "不是有效数值", "is not a valid number"))
            return None
        if not d.is_finite() or abs(d) > MAX_NUMBER:
            errors.append(_err(path, "不是有效数值", "is not a valid number"))
            return None
        if t in ("integer", "year") and d != d.to_integral_value():
            errors.append(_err(path, "应为整数", "must be a whole number"))
            return None
        if t == "year" and not 1900 <= d <= 2100:
            errors.append(_err(path, "应为四位年份", "must be a four-digit year"))
            return None
        lo = col.get("min", 0 if t != "year" else None)
        if lo is not None and d < Decimal(str(lo)):
            errors.append(_err(path, "不能为负数" if lo == 0 else f"不能小于{lo}",
                               "must not be negative" if lo == 0 else f"must be at least {lo}"))
            return None
        if "max" in col and d > Decimal(str(col["max"])):
            errors.append(_err(path, f"不能大于{col['max']}", f"must be at most {col['max']}"))
            return None
        return int(d) if t in ("integer", "year") else d
    if t == "items":
        return check_items(col, value, path, errors)
    if not isinstance(value, str):
        errors.append(_err(path, "应为文本", "must be text"))
        return None
    limit = MAX_TEXT if t == "text" else MAX_STRING
    if len(value) > limit:
        errors.append(_err(path, f"文本过长（不超过{limit}字）", f"is too long (at most {limit} characters)"))
        return None
    if t == "choice" and value not in [o["value"] for o in col.get("options", [])]:
        errors.append(_err(path, f"未知的选项 {value[:40]!r}", f"unknown option {value[:40]!r}"))
        return None
    if t == "month" and not _MONTH.match(value):
        errors.append(_err(path, "应为年月，格式 YYYY-MM（或 YYYY-MM-DD）", "must be a month as YYYY-MM (or a date)"))
        return None
    value = value.strip()
    return value or None


def check_items(field: dict, value, path: str, errors: list):
    """The list normalised (numbers as Decimal, empty cells dropped), or None with errors."""
    if not isinstance(value, list):
        errors.append(_err(path, "应为列表（每项一行）", "must be a list (one entry a row)"))
        return None
    if len(value) > MAX_ITEMS:
        errors.append(_err(path, f"列表过长（不超过{MAX_ITEMS}项）", f"list is too long (at most {MAX_ITEMS} entries)"))
        return None
    cols = {c["key"]: c for c in field["item"]}
    out, bad = [], False
    for i, entry in enumerate(value):
        at = f"{path}[{i}]"
        if not isinstance(entry, dict):
            errors.append(_err(at, "每项应为键值映射", "each entry must be a mapping"))
            bad = True
            continue
        row = {}
        for key, v in entry.items():
            if key not in cols:
                errors.append(_err(f"{at}.{str(key)[:40]}", "未知栏目", "unknown column"))
                bad = True
                continue
            if v is None or v == "":
                continue
            got = _value(cols[key], v, f"{at}.{key}", errors)
            if got is None and not (isinstance(v, str) and not v.strip()):
                bad = True
                continue
            if got is not None:
                row[key] = got
        for key, c in cols.items():
            if c.get("required") and key not in row:
                errors.append(_err(f"{at}.{key}", "此栏必填", "this column is required"))
                bad = True
        out.append(row)
    keyed = [c["key"] for c in field["item"] if c.get("unique")]
    for key in keyed:
        seen = {}
        for i, row in enumerate(out):
            if key in row:
                if row[key] in seen:
                    errors.append(_err(f"{path}[{i}].{key}", f"与第{seen[row[key]] + 1}项重复", f"repeats entry {seen[row[key]] + 1}"))
                    bad = True
                seen.setdefault(row[key], i)
    return None if bad else out


def _matches(row: dict, cond: dict | None) -> bool:
    return all(row.get(k) in v for k, v in (cond or {}).items())


def _total(total: dict, rows: list, years: tuple[int, int, int]):
    """(value, n entries counted, n left out by the window); value None when nothing to read."""
    inside, outside = [], 0
    for row in rows:
        if not _matches(row, total.get("where")):
            continue
        if total.get("unless") and all(row.get(k) in v for k, v in total["unless"].items()):
            continue
        col = total.get("window")
        if col and col in row and row[col] not in years:
            outside += 1
            continue
        inside.append(row)
    if "sum" in total:
        return sum((r.get(total["sum"], Decimal(0)) for r in inside), Decimal(0)), len(inside), outside
    if "count" in total:
        return len(inside), len(inside), outside
    if "latest" in total:
        col, key = total["latest"], total.get("by", "year")
        dated = [r for r in inside if col in r and key in r and r[key] == years[-1]]
        return (dated[0][col] if dated else None), len(dated), outside
    return None, 0, outside  # pragma: no cover - catalog validated


def list_totals(fields: dict, flat: dict, errors: list, today: _dt.date | None = None) -> dict:
    """Write each given list's totals into ``flat`` (the plain paths the rubric reads);
    a plain value given beside a list must equal its total. Returns {path: how} for the
    derived facts: how each value came from its list."""
    years = window_years(today)
    hows: dict = {}
    for path, f in fields.items():
        rows = flat.get(path)
        if f["type"] != "items" or rows is None:
            continue
        for total in f.get("totals", []):
            into = total["into"]
            value, n, outside = _total(total, rows, years)
            if value is None:
                continue
            given = flat.get(into)
            if given is not None and Decimal(str(given)) != Decimal(str(value)):
                errors.append(_err(into, f"与清单 {path} 不符：此处填写{given}，清单合计为{value}（{n}项）",
                                   f"does not match the list {path}: {given} given here, the list gives {value} ({n} entries)"))
                continue
            target = fields.get(into, {}).get("type")
            flat[into] = int(value) if target == "integer" else value
            kept = f"（另有{outside}项不在近三年{years[0]}–{years[-1]}年内，未计入）" if outside else ""
            kept_en = f" ({outside} outside {years[0]}–{years[-1]} left out)" if outside else ""
            what = "合计" if "sum" in total else ("项数" if "count" in total else f"{years[-1]}年数值")
            hows[into] = {"value": flat[into], "list": path, "entries": n, "left_out": outside,
                          "how": {"zh": f"由清单 {path} 计算（{what}，{n}项）{kept}",
                                  "en": f"from the list {path} ({'sum' if 'sum' in total else 'count' if 'count' in total else 'latest year'}, {n} entries){kept_en}"}}
    return hows


def _plain_number(v):
    try:
        return Decimal(str(v)) if v is not None and not isinstance(v, bool) else None
    except (InvalidOperation, ValueError):
        return None


def _amount(d: Decimal):
    d = d.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    return int(d) if d == d.to_integral_value() else float(d)


def itemized_change(fields: dict, profile: dict, change: dict, totals: dict | None = None) -> dict:
    """A plan's ``change`` ({dotted path: new value}) made fit for a profile that itemizes.

    A step that raises a value an itemized list stands for (spend, a count) cannot set the plain
    number beside the list (it would no longer equal the list's total): it adds entries to the
    list instead — ``{name: 【待填写】, amount: N}`` for spend (with ``origin: local`` /
    ``provider_location: local`` for local spend), one ``{name: 【待填写】, …}`` per unit for a count
    (with the kind the count needs, e.g. ``kind: invention``). Local spend added also raises the
    total, so the local entry is made large enough that the local share the plan assumed (its new
    local ÷ its new total) is still reached. Paths of a list the profile does not give stay as
    they are. ``totals`` ({path: value}) are the current plain values (the engine's facts);
    missing ones count as 0.
    """
    totals = totals or {}
    out = dict(change)

    def now(path):
        return _plain_number(totals.get(path)) or Decimal(0)

    for path, f in fields.items():
        if f.get("type") != "items":
            continue
        group, _, key = path.partition(".")
        given = profile.get(group, {}).get(key) if isinstance(profile.get(group), dict) else None
        if not isinstance(given, list):
            continue
        hit = [t for t in f.get("totals", []) if t["into"] in change and ("sum" in t or "count" in t)]
        if not hit:
            continue
        added: list = []
        for t in hit:
            out.pop(t["into"], None)
        for t in [t for t in hit if "count" in t]:
            new, old = _plain_number(change[t["into"]]), now(t["into"])
            if new is not None and new > old:
                want = {k: v[0] for k, v in (t.get("where") or {}).items()}
                added.extend({"name": PLACEHOLDER, **want} for _ in range(int(new - old)))
        sums = [t for t in f.get("totals", []) if "sum" in t]
        for plain in [t for t in sums if not t.get("where")]:
            col = plain["sum"]
            total_now = now(plain["into"])
            total_new = _plain_number(change.get(plain["into"]))
            total_new = total_new if total_new is not None and total_new > total_now else total_now
            local_add = Decimal(0)
            for part in [t for t in sums if t.get("where") and t["sum"] == col and t["into"] in change]:
                l_now, l_new = now(part["into"]), _plain_number(change[part["into"]])
                if l_new is None or l_new <= l_now:
                    continue
                need = l_new - l_now
                if need > total_new - total_now and total_new > 0 and l_new < total_new:
                    # the local entry raises the total too: keep the share the plan assumed
                    share = l_new / total_new
                    need = max(need, (share * total_now - l_now) / (1 - share))
                local_add += need
                added.append({"name": PLACEHOLDER, col: _amount(need), **{k: v[0] for k, v in part["where"].items()}})
            rest = total_new - total_now - local_add
            if rest > 0:
                added.append({"name": PLACEHOLDER, col: _amount(rest)})
        if added:
            out[path] = [*given, *added]
    return out
