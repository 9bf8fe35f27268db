"""Check a profile against the bundle's question schema and normalise it.

Numbers become Decimal; nulls are dropped (a missing fact is unknown, never an
error). Every problem names the field path, in Chinese and English.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal, InvalidOperation

from .itemized import check_items, list_totals
from .kpis import check_kpi_values, check_section_texts
from .places import resolve_place

__all__ = ["ProfileError", "check_profile", "field_index", "option_values"]

PROFILE_VERSION = 1
# Sanity bounds for garbage input: beyond these no real enterprise fact lies.
MAX_NUMBER = Decimal("1e12")
MAX_STRING = 500
MAX_LIST = 200


class ProfileError(ValueError):
    """An invalid profile. ``errors`` is a list of {field, message: {zh, en}}."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']['en']}" for e in errors))


def _err(field: str, zh: str, en: str) -> dict:
    return {"field": field, "message": {"zh": zh, "en": en}}


def field_index(bundle: dict) -> dict[str, dict]:
    return {f["path"]: f for s in bundle["profile"]["sections"] for f in s["fields"]}


def option_values(bundle: dict, field: dict) -> list:
    if "options" in field:
        return [o["value"] for o in field["options"]]
    src = field.get("options_from")
    if src == "sectors":
        return list(bundle["sectors"])
    if src in ("technologies", "modes"):
        return [v["id"] for v in bundle[src]]
    if src == "support-elements":
        return [st["id"] for info in bundle["guide_info"].values()
                for cat in info.get("support_elements", []) for st in cat["subtypes"]]
    return []


def _number(value, path: str, errors: list, *, integer: bool):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        kind_zh, kind_en = ("整数", "a whole number") if integer else ("数值", "a number")
        errors.append(_err(path, f"应为{kind_zh}", f"must be {kind_en}"))
        return None
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        errors.append(_err(path, "不是有效数值", "is not a valid number"))
        return None
    if not d.is_finite():
        errors.append(_err(path, "不是有限数值", "must be a finite number"))
        return None
    if abs(d) > MAX_NUMBER:
        errors.append(_err(path, "数值过大", "is too large"))
        return None
    if integer and d != d.to_integral_value():
        errors.append(_err(path, "应为整数", "must be a whole number"))
        return None
    return int(d) if integer else d


def _check_field(bundle: dict, f: dict, value, path: str, errors: list):
    t = f["type"]
    if t in ("integer", "number"):
        d = _number(value, path, errors, integer=(t == "integer"))
        if d is None:
            return None
        if "min" in f and d < Decimal(str(f["min"])):
            if f["min"] == 0:
                errors.append(_err(path, "不能为负数", "must not be negative"))
            else:
                errors.append(_err(path, f"不能小于{f['min']}", f"must be at least {f['min']}"))
            return None
        if "max" in f and d > Decimal(str(f["max"])):
            errors.append(_err(path, f"不能大于{f['max']}", f"must be at most {f['max']}"))
            return None
        return d
    if t == "boolean":
        if not isinstance(value, bool):
            errors.append(_err(path, "应为是或否（true/false）", "must be true or false"))
            return None
        return value
    if t in ("string", "date", "division", "choice"):
        if t != "choice" and not isinstance(value, str):
            errors.append(_err(path, "应为文本", "must be text"))
            return None
        if isinstance(value, str) and len(value) > MAX_STRING:
            errors.append(_err(path, f"文本过长（不超过{MAX_STRING}字）", f"is too long (at most {MAX_STRING} characters)"))
            return None
        if t == "date":
            try:
                _dt.date.fromisoformat(value)
                if len(value) != 10:
                    raise ValueError
            except ValueError:
                errors.append(_err(path, "应为日期，格式 YYYY-MM-DD", "must be a date as YYYY-MM-DD"))
                return None
        if t == "division" and value not in bundle["divisions"]:
            errors.append(_err(path, f"未知的行业大类代码 {value!r}（应为 C13–C43）",
                               f"unknown industry division {value!r} (expected C13–C43)"))
            return None
        if t == "choice" and value not in option_values(bundle, f):
            errors.append(_err(path, f"未知的选项 {str(value)[:40]!r}", f"unknown option {str(value)[:40]!r}"))
            return None
        return value
    if t == "multi-choice":
        if not isinstance(value, list):
            errors.append(_err(path, "应为列表", "must be a list"))
            return None
        if len(value) > MAX_LIST:
            errors.append(_err(path, "列表过长", "list is too long"))
            return None
        allowed = option_values(bundle, f)
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or item not in allowed:
                errors.append(_err(f"{path}[{i}]", f"未知的选项 {str(item)[:40]!r}", f"unknown option {str(item)[:40]!r}"))
                return None
            if item not in out:
                out.append(item)
        return out
    if t == "scene-instances":
        return _scene_instances(bundle, value, path, errors, f)
    if t == "items":  # itemized lists (issue #25): their totals are written below, in check_profile
        return check_items(f, value, path, errors)
    errors.append(_err(path, "未知字段类型", "unknown field type"))  # pragma: no cover - catalog validated
    return None


def _scene_instances(bundle: dict, value, path: str, errors: list, field: dict | None = None):
    """Named scene instances (场景实例, for the bureau's summary table):
    ``{GUIDE: [{scene: N, name: TEXT}, ...]}``, scene numbers as the guide numbers them."""
    if not isinstance(value, dict):
        errors.append(_err(path, "应为“指引编号: [{scene: 场景编号, name: 实例名称}]”映射",
                           "must map guide id to a list of {scene, name}"))
        return None
    out = {}
    for guide, items in value.items():
        at = f"{path}.{str(guide)[:40]}"
        if guide not in bundle["guides"]:
            errors.append(_err(at, f"未知的场景指引 {str(guide)[:40]!r}", f"unknown scene guide {str(guide)[:40]!r}"))
            return None
        if items is None:
            continue
        if not isinstance(items, list) or len(items) > MAX_LIST:
            errors.append(_err(at, "应为场景实例列表", "must be a list of scene instances"))
            return None
        total = sum(len(link["scenes"]) for link in bundle["guides"][guide])
        rows = []
        for i, item in enumerate(items):
            n = item.get("scene") if isinstance(item, dict) else None
            name = item.get("name") if isinstance(item, dict) else None
            # the instance's details (issue #25): the columns the field's `item` declares
            extra = {c["key"]: c for c in (field or {}).get("item", [])}
            if not isinstance(item, dict) or set(item) - {"scene", "name"} - set(extra):
                errors.append(_err(f"{at}[{i}]", "应为 {scene: 场景编号, name: 实例名称}", "must be {scene, name}"))
                return None
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= total:
                errors.append(_err(f"{at}[{i}].scene", f"未知的场景编号 {str(n)[:20]}（应为 1–{total}）",
                                   f"unknown scene number {str(n)[:20]} (expected 1–{total})"))
                return None
            if not isinstance(name, str) or not name.strip() or len(name) > MAX_STRING:
                errors.append(_err(f"{at}[{i}].name", f"实例名称应为不超过{MAX_STRING}字的文本",
                                   f"the instance name must be text of at most {MAX_STRING} characters"))
                return None
            row = {"scene": n, "name": name.strip()}
            if extra:
                details = check_items({"item": list(extra.values())}, [{k: v for k, v in item.items() if k in extra}],
                                      f"{at}[{i}]", errors)
                if details is None:
                    return None
                row.update(details[0])
            rows.append(row)
        out[guide] = rows
    return out


def check_profile(bundle: dict, profile, today=None, ignored: list | None = None) -> dict:
    """Return the normalised profile as a flat {path: value}; raise ProfileError.
    ``today`` (a date; default the current date) bounds 近三年 for itemized lists. Fields the full
    catalog defines but this edition does not publish (``profile.unpublished``) are no error:
    they are left out and their paths appended to ``ignored``."""
    unpublished = (bundle.get("profile") or {}).get("unpublished") or {}
    elsewhere = {"fields": _Digests(unpublished.get("fields")), "declarations": _Digests(unpublished.get("declarations")),
                 "guides": _Digests(unpublished.get("guides"))}
    skipped = ignored if ignored is not None else []
    profile = _without_unpublished(profile, elsewhere, skipped) if isinstance(profile, dict) and any(elsewhere.values()) else profile
    if not isinstance(profile, dict):
        raise ProfileError([_err("(profile)", "档案应为键值映射（YAML/JSON 对象）", "a profile must be a mapping (YAML/JSON object)")])
    fields = field_index(bundle)
    groups = {p.split(".")[0] for p in fields if "." in p}
    errors: list[dict] = []
    flat: dict = {}

    version = profile.get("profile", PROFILE_VERSION)
    if version != PROFILE_VERSION or isinstance(version, bool):
        errors.append(_err("profile", f"不支持的档案版本 {str(version)[:20]!r}（应为 1）",
                           f"unsupported profile version {str(version)[:20]!r} (expected 1)"))

    for key, value in profile.items():
        if not isinstance(key, str):
            errors.append(_err(str(key)[:40], "字段名应为文本", "field names must be text"))
            continue
        if key == "profile" or value is None:
            continue
        if key == "scenes":
            _check_scenes(bundle, value, flat, errors)
        elif key in ("scenes_proposed", "scenes_declined"):
            # Contract 1.2: crosswalk proposals not yet confirmed, and those declined. Checked like
            # scenes and kept under their own key: no condition, score or draft reads them.
            _check_scenes(bundle, value, flat, errors, root=key)
        elif key == "declarations":
            _check_declarations(bundle, value, flat, errors)
        elif key == "kpis":
            check_kpi_values(bundle, value, flat, errors)
        elif key in fields:
            v = _check_field(bundle, fields[key], value, key, errors)
            if v is not None:
                flat[key] = v
        elif key in groups or key == "application":
            if not isinstance(value, dict):
                errors.append(_err(key, "应为键值映射", "must be a mapping"))
                continue
            for sub, subvalue in value.items():
                path = f"{key}.{sub}"
                if path in ("application.sections", "application.scene_sections"):
                    check_section_texts(bundle, subvalue, flat, errors, path=path)
                elif path not in fields:
                    errors.append(_err(path, "未知字段", "unknown field"))
                elif subvalue is not None:
                    v = _check_field(bundle, fields[path], subvalue, path, errors)
                    if v is not None:
                        flat[path] = v
        else:
            errors.append(_err(key[:60], "未知字段", "unknown field"))

    # Names of places are read against the bundle's divisions (GB/T 2260); one that
    # matches nothing is a field error with the nearest names.
    place_errors = resolve_place(bundle, flat)[1]
    if flat.get("enterprise.province") in _Digests(unpublished.get("provinces")):
        # A place in a province this edition does not publish: elsewhere (its conditions say so), no error.
        place_errors = []
    errors.extend(place_errors)
    # Itemized lists stand for their plain values (sums, counts): written in before the checks below.
    totals = list_totals(fields, flat, errors, today if isinstance(today, _dt.date) else None)
    if totals:
        flat["itemized.totals"] = totals
    for path, f in fields.items():
        other = f.get("max_field")
        if other and path in flat and other in flat and flat[path] > flat[other]:
            errors.append(_err(path, f"不能大于 {other}（{flat[other]}）", f"must not exceed {other} ({flat[other]})"))
    if errors:
        raise ProfileError(errors)
    return flat


def _check_scenes(bundle, value, flat, errors, root="scenes"):
    if not isinstance(value, dict):
        errors.append(_err(root, "应为“指引编号: [场景编号]”映射", "must map guide id to a list of scene numbers"))
        return
    for guide, numbers in value.items():
        path = f"{root}.{guide}"
        if guide not in bundle["guides"]:
            errors.append(_err(str(path)[:60], f"未知的场景指引 {str(guide)[:40]!r}", f"unknown scene guide {str(guide)[:40]!r}"))
            continue
        if numbers is None:
            continue
        total = sum(len(link["scenes"]) for link in bundle["guides"][guide])
        if not isinstance(numbers, list):
            errors.append(_err(path, "应为场景编号列表", "must be a list of scene numbers"))
            continue
        seen = []
        for i, n in enumerate(numbers):
            if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= total:
                errors.append(_err(f"{path}[{i}]", f"未知的场景编号 {str(n)[:20]}（应为 1–{total}）",
                                   f"unknown scene number {str(n)[:20]} (expected 1–{total})"))
                break
            if n not in seen:
                seen.append(n)
        else:
            flat[path] = sorted(seen)


def name_digest(name: str) -> str:
    """FNV-1a (64 bit) of a name, in hex: how an edition lists what it does not publish without
    naming it (stdlib-free, the same in the browser)."""
    h = 0xcbf29ce484222325
    for b in str(name).encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


class _Digests:
    """``name in digests``: whether a name's digest is listed."""

    def __init__(self, digests):
        self.digests = set(digests or ())

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and bool(self.digests) and name_digest(name) in self.digests

    def __bool__(self) -> bool:
        return bool(self.digests)


def _without_unpublished(profile: dict, elsewhere: dict, skipped: list) -> dict:
    """The profile without what another edition publishes (paths noted in ``skipped``)."""
    out = {}
    for key, value in profile.items():
        if not isinstance(key, str):
            out[key] = value
        elif key in elsewhere["fields"]:
            skipped.append(key)
        elif key in ("scenes", "scenes_proposed", "scenes_declined") and isinstance(value, dict):
            kept = {g: v for g, v in value.items() if g not in elsewhere["guides"]}
            skipped.extend(f"{key}.{g}" for g in value if g in elsewhere["guides"])
            if kept:
                out[key] = kept
        elif key == "declarations" and isinstance(value, dict):
            kept = {d: v for d, v in value.items() if d not in elsewhere["declarations"]}
            skipped.extend(f"declarations.{d}" for d in value if d in elsewhere["declarations"])
            if kept:
                out[key] = kept
        elif isinstance(value, dict) and any(f"{key}.{k}" in elsewhere["fields"] for k in value if isinstance(k, str)):
            kept = {k: v for k, v in value.items() if f"{key}.{k}" not in elsewhere["fields"]}
            skipped.extend(f"{key}.{k}" for k in value if f"{key}.{k}" in elsewhere["fields"])
            if kept:
                out[key] = kept
        else:
            out[key] = value
    return out


def _check_declarations(bundle, value, flat, errors):
    if not isinstance(value, dict):
        errors.append(_err("declarations", "应为“声明编号: 是/否”映射", "must map declaration id to true/false"))
        return
    for did, answer in value.items():
        path = f"declarations.{did}"
        if did not in bundle["declarations"]:
            errors.append(_err(str(path)[:80], f"未知的声明 {str(did)[:40]!r}", f"unknown declaration {str(did)[:40]!r}"))
        elif answer is None:
            continue
        elif not isinstance(answer, bool):
            errors.append(_err(path, "应为是或否（true/false）", "must be true or false"))
        else:
            flat[path] = answer
