"""Interpret the rule vocabulary (compare, declaration, all, any, not) in
three-valued logic, with a bilingual message and a gap for every check."""

from __future__ import annotations

from decimal import Decimal

__all__ = ["Vocabulary", "check_rule", "rule_status", "fmt", "RULE_KINDS", "OPERATORS", "LIST_OPERATORS",
           "rule_kind", "rule_parts", "reads"]

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

# The rule vocabulary, once: every walker of the rule tree (catalog checks, questions, plans,
# editions, site text) takes the kinds, the operators and what a rule reads from here.
RULE_KINDS = ("compare", "declaration", "all", "any", "not")

# operator -> (zh, en) words in messages; the keys are the operators a catalog may use
OPS = {
    ">=": ("不少于", "≥"), ">": ("大于", ">"), "<=": ("不超过", "≤"), "<": ("小于", "<"),
    "==": ("为", "="), "!=": ("不为", "≠"), "in": ("属于", "one of"), "not-in": ("不属于", "none of"),
    "intersects": ("包含其中至少一项：", "including at least one of"),
    "includes-all": ("包含全部：", "including all of"), "non-empty": ("至少有一项", "at least one item"),
}
OPERATORS = tuple(OPS)
LIST_OPERATORS = ("in", "not-in", "intersects", "includes-all")  # compared with a list of values


def rule_kind(rule: dict) -> str | None:
    """Which of RULE_KINDS ``rule`` is (its first kind key), or None."""
    return next((k for k in RULE_KINDS if k in rule), None)


def rule_parts(rule: dict) -> list:
    """The rules directly inside ``rule``: the parts of all/any, the one of not, none for a leaf."""
    kind = rule_kind(rule)
    if kind in ("all", "any"):
        return list(rule[kind])
    return [rule["not"]] if kind == "not" else []


def reads(rule: dict) -> set[str]:
    """Every fact ``rule`` reads: compared facts, facts a value refers to ({fact: PATH}),
    and ``declarations.ID`` for declarations."""
    out: set[str] = set()
    todo = [rule]
    while todo:
        r = todo.pop()
        if "compare" in r:
            out.add(r["compare"])
            if isinstance(r.get("value"), dict) and "fact" in r["value"]:
                out.add(r["value"]["fact"])
        elif "declaration" in r:
            out.add(f"declarations.{r['declaration']}")
        todo += rule_parts(r)
    return out


def fmt(value, beside=()) -> str:
    """A number as people write it: 3.8, 300, 33.33, 9.996.

    A number with at most four decimals is shown exactly; a longer one (a computed share)
    to two decimals, or more where the rounded figure would land on the other side of, or
    on, a threshold it is compared with (``beside``: a number or numbers): 9.996 % beside a
    failed ≥ 10 % band never reads "10 %", a gap of 0.004 never reads "0".
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)):
        return str(value)
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    if not value.is_finite():
        return str(value)
    bounds = [Decimal(str(b)) for b in (beside if isinstance(beside, (list, tuple)) else [beside])
              if isinstance(b, (Decimal, int, float)) and not isinstance(b, bool)]
    if value == value.quantize(Decimal("0.0001")):
        return format(value.normalize(), "f")
    for places in range(2, 13):
        q = value.quantize(Decimal(1).scaleb(-places))
        if all((q < b) == (value < b) and (q == b) == (value == b) for b in bounds):
            break
    return format(q.normalize(), "f")


class Vocabulary:
    """Labels for facts and ids, built once per bundle."""

    def __init__(self, bundle: dict):
        self.facts: dict[str, dict] = {}
        self.ids: dict[str, dict] = {}
        for sec in bundle["profile"]["sections"]:
            for f in sec["fields"]:
                self.facts[f["path"]] = {"label": f["label"], "unit": f.get("unit")}
                for o in f.get("options", []):
                    self.ids.setdefault(str(o["value"]), o["label"])
        for path, f in bundle["facts"].items():
            self.facts[path] = {"label": f["label"], "unit": f.get("unit")}
        for did, d in bundle["declarations"].items():
            self.facts[f"declarations.{did}"] = {"label": d["label"], "unit": None}
        for sid, s in bundle["sectors"].items():
            self.ids[sid] = s["name"]
        for key in ("technologies", "modes"):
            for v in bundle[key]:
                self.ids[v["id"]] = v["name"]
        self.guides = {gid: info["title"] for gid, info in bundle["guide_info"].items()}
        for info in bundle["guide_info"].values():
            for a in info.get("areas", []):
                self.ids[a["id"]] = a["name"]
            for cat in info.get("support_elements", []):
                for st in cat["subtypes"]:
                    self.ids[st["id"]] = st["name"]
        for cls in bundle["size_classes"]["classes"]:
            self.ids[cls["id"]] = cls["name"]
        # Division codes (derived.prefecture_code) read as names: 430200 → 株洲市 / Zhuzhou.
        for row in bundle.get("regions", {}).get("items", []):
            self.ids.setdefault(row["code"], {"zh": row["name"], "en": row["en"]})

    def how_to_give(self, path: str) -> dict:
        """What the user does to supply a missing fact: coverage comes from scenes."""
        parts = path.split(".")
        if parts[0] == "coverage" and len(parts) > 2 and parts[1] in self.guides:
            if parts[2] == "support":
                return {"zh": "请勾选工厂具备的支撑要素", "en": "tick the support elements the factory has"}
            title = self.guides[parts[1]]
            return {"zh": f"请勾选已实施的场景：{title['zh']}", "en": f"tick the scenes you run in: {title['en']}"}
        if parts[0] == "sector":
            path = "enterprise.industry_division"
        return {"zh": f"请填写：{self.label(path, 'zh')}", "en": f"fill in: {self.label(path, 'en')}"}

    def label(self, path: str, lang: str) -> str:
        f = self.facts.get(path)
        return f["label"][lang] if f else path

    def unit(self, path: str, lang: str, count=None) -> str:
        """The unit after a figure; in English a plural noun unit is singular after 1 ("1 award")."""
        f = self.facts.get(path)
        u = f and f.get("unit")
        if not u or not u[lang]:
            return ""
        if lang == "zh" or u[lang] == "%":
            return u[lang]
        word = u[lang]
        if count is not None and not isinstance(count, bool) and count == 1 and word.isalpha() and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        return " " + word

    def show(self, value, lang: str, beside=()) -> str:
        if isinstance(value, bool):
            return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
        if isinstance(value, list):
            if not value:
                return "无" if lang == "zh" else "none"
            return ("、" if lang == "zh" else ", ").join(self.show(v, lang) for v in value)
        if isinstance(value, str) and value in self.ids:
            return self.ids[value][lang]
        return fmt(value, beside)


def _resolve(value, facts):
    if isinstance(value, dict) and "fact" in value:
        return facts.get(value["fact"])
    return value


def _num(v):
    return Decimal(str(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def _compare(op, actual, expected) -> bool:
    if op == "non-empty":
        return bool(actual)
    if op in ("in", "not-in"):
        hit = actual in expected
        return hit if op == "in" else not hit
    if op == "intersects":
        return bool(set(actual or []) & set(expected or []))
    if op == "includes-all":
        return set(expected or []) <= set(actual or [])
    a, e = _num(actual), _num(expected)
    if op == "==":
        return a == e
    if op == "!=":
        return a != e
    try:
        return {">=": a >= e, ">": a > e, "<=": a <= e, "<": a < e}[op]
    except TypeError:
        return False


def check_rule(rule: dict, facts: dict, vocab: Vocabulary, template: dict | None = None) -> dict:
    """Return {status, message: {zh, en}, gap: {zh, en} | None, missing: [paths]}."""
    if "compare" in rule:
        return _check_compare(rule, facts, vocab, template)
    if "declaration" in rule:
        path = f"declarations.{rule['declaration']}"
        label = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
        answer = facts.get(path)
        if answer is None:
            return {"status": UNKNOWN, "message": {"zh": f"尚未声明：{label['zh']}", "en": f"Not yet declared: {label['en']}"},
                    "gap": {"zh": f"请确认并声明：{label['zh']}", "en": f"Confirm and declare: {label['en']}"},
                    "missing": [path]}
        if answer:
            return {"status": PASS, "message": {"zh": f"已声明：{label['zh']}", "en": f"Declared: {label['en']}"},
                    "gap": None, "missing": []}
        return {"status": FAIL, "message": {"zh": f"声明不符合：{label['zh']}", "en": f"Declared as not met: {label['en']}"},
                "gap": {"zh": f"需满足：{label['zh']}", "en": f"Must hold: {label['en']}"}, "missing": []}
    if "not" in rule:
        inner = check_rule(rule["not"], facts, vocab)
        status = {PASS: FAIL, FAIL: PASS, UNKNOWN: UNKNOWN}[inner["status"]]
        msg = {"zh": f"不应满足：{inner['message']['zh']}", "en": f"must not hold: {inner['message']['en']}"}
        return {"status": status, "message": msg, "gap": msg if status == FAIL else None, "missing": inner["missing"]}
    kind = "all" if "all" in rule else "any"
    parts = [check_rule(p, facts, vocab) for p in rule[kind]]
    statuses = [p["status"] for p in parts]
    if kind == "all":
        status = FAIL if FAIL in statuses else UNKNOWN if UNKNOWN in statuses else PASS
        shown = [p for p in parts if p["status"] != PASS] or parts
        joiner = ("；", "; ")
    else:
        status = PASS if PASS in statuses else UNKNOWN if UNKNOWN in statuses else FAIL
        shown = [p for p in parts if p["status"] == PASS] or parts
        joiner = ("；或 ", "; or ")
    message = {lang: joiner[i].join(p["message"][lang] for p in shown) for i, lang in enumerate(("zh", "en"))}
    if template:
        message = _fill(template, {}, message)
    gap = None
    if status != PASS:
        gaps = [p for p in parts if p["status"] != PASS and p["gap"]]
        if kind == "any":
            gaps = gaps[:1] if gaps else []
        if gaps:
            gap = {lang: joiner[i].join(g["gap"][lang] for g in gaps) for i, lang in enumerate(("zh", "en"))}
    missing = [m for p in parts for m in p["missing"]]
    return {"status": status, "message": message, "gap": gap, "missing": missing}


def _fill(template: dict, values: dict, default: dict) -> dict:
    out = {}
    for lang in ("zh", "en"):
        try:
            out[lang] = template[lang].format(**values[lang]) if values else default[lang]
        except (KeyError, IndexError, ValueError):
            out[lang] = default[lang]
    return out


def _check_compare(rule, facts, vocab, template):
    path, op = rule["compare"], rule["op"]
    actual = facts.get(path)
    expected = _resolve(rule.get("value"), facts)
    ref = rule.get("value") if isinstance(rule.get("value"), dict) else None
    labels = {lang: vocab.label(path, lang) for lang in ("zh", "en")}
    units = {lang: vocab.unit(path, lang) for lang in ("zh", "en")}
    op_zh, op_en = OPS[op]

    def want(lang):
        if op == "non-empty":
            return op_zh if lang == "zh" else op_en
        shown = vocab.show(expected, lang) if expected is not None else vocab.label(ref["fact"], lang)
        if ref:
            shown = f"{vocab.label(ref['fact'], lang)}（{shown}）" if lang == "zh" else f"{vocab.label(ref['fact'], lang)} ({shown})"
        if op in ("==", "!=") and isinstance(expected, bool):
            return f"{op_zh}{shown}" if lang == "zh" else f"{op_en} {shown}"
        if op == "in" and expected and all(isinstance(v, bool) for v in expected):
            return "（回答是或否）" if lang == "zh" else "(answered yes or no)"
        return f"{op_zh}{shown}{units['zh']}" if lang == "zh" else f"{op_en} {shown}{units['en']}"

    # The actual figure is shown with the precision its comparison needs (9.996 beside ≥ 10).
    near = expected if isinstance(expected, (int, float, Decimal)) else ()
    values = {lang: {"value": vocab.show(expected, lang) if expected is not None else "?",
                     "actual": vocab.show(actual, lang, near) if actual is not None else "?"} for lang in ("zh", "en")}
    # A yes/no question reads as one: "“X” must be yes; the answer is no" (never "X = yes").
    yes_no = op in ("==", "!=") and isinstance(expected, bool)
    if yes_no:
        wanted = expected if op == "==" else not expected
        word = {"zh": "是" if wanted else "否", "en": "yes" if wanted else "no"}
    if actual is None or (ref is not None and expected is None):
        missing = [path] if actual is None else [ref["fact"]]
        if yes_no:
            default = {"zh": f"需“{labels['zh']}”为“{word['zh']}”，尚未回答",
                       "en": f"“{labels['en']}” must be {word['en']}; not answered yet"}
        elif op == "in" and expected and all(isinstance(v, bool) for v in expected):
            default = {"zh": f"请回答“{labels['zh']}”（是或否），尚未回答",
                       "en": f"Please answer “{labels['en']}” (yes or no); not answered yet"}
        else:
            default = {"zh": f"需{labels['zh']}{want('zh')}，尚未填写",
                       "en": f"{labels['en']} must be {want('en')}; not answered yet"}
        gap = vocab.how_to_give(missing[0])
        return {"status": UNKNOWN, "message": default, "gap": gap, "missing": missing}
    ok = _compare(op, actual, expected)
    if yes_no:
        said = {"zh": "是" if actual is True else "否" if actual is False else vocab.show(actual, "zh"),
                "en": "yes" if actual is True else "no" if actual is False else vocab.show(actual, "en")}
        default = ({"zh": f"“{labels['zh']}”：{said['zh']}，符合要求", "en": f"“{labels['en']}”: {said['en']}, as required"} if ok else
                   {"zh": f"需“{labels['zh']}”为“{word['zh']}”，当前回答“{said['zh']}”",
                    "en": f"“{labels['en']}” must be {word['en']}; the answer is {said['en']}"})
        message = _fill(template, values, default) if template else default
        gap = None if ok else {"zh": f"“{labels['zh']}”需为“{word['zh']}”", "en": f"“{labels['en']}” needs to be {word['en']}"}
        return {"status": PASS if ok else FAIL, "message": message, "gap": gap, "missing": []}
    has = {"zh": f"当前{vocab.show(actual, 'zh', near)}{units['zh']}",
           "en": f"the answer is {vocab.show(actual, 'en', near)}{units['en']}"}
    default = {"zh": f"需{labels['zh']}{want('zh')}，{has['zh']}", "en": f"{labels['en']} must be {want('en')}; {has['en']}"}
    message = _fill(template, values, default) if template else default
    gap = None if ok else _gap(op, path, actual, expected, labels, units, vocab)
    return {"status": PASS if ok else FAIL, "message": message, "gap": gap, "missing": []}


def _gap(op, path, actual, expected, labels, units, vocab) -> dict:
    a, e = _num(actual), _num(expected)
    if op in (">=", ">") and isinstance(a, Decimal | int) and isinstance(e, Decimal | int):
        diff = Decimal(e) - Decimal(a) + (Decimal(1) if op == ">" and float(e).is_integer() else 0)
        return {"zh": f"{labels['zh']}还需增加{fmt(Decimal(diff), 0)}{units['zh']}（达到{fmt(Decimal(e))}{units['zh']}）",
                "en": f"raise {labels['en']} by {fmt(Decimal(diff), 0)}{units['en']} (to {fmt(Decimal(e))}{units['en']})"}
    if op == "includes-all":
        missing = [x for x in expected if x not in (actual or [])]
        return {"zh": f"还需覆盖：{vocab.show(missing, 'zh')}", "en": f"still to cover: {vocab.show(missing, 'en')}"}
    if op == "intersects":
        return {"zh": f"需至少实现其中一项：{vocab.show(list(expected), 'zh')}",
                "en": f"achieve at least one of: {vocab.show(list(expected), 'en')}"}
    if op == "non-empty":
        return {"zh": f"需至少一项{labels['zh']}", "en": f"needs at least one item of {labels['en']}"}
    return {"zh": f"需{labels['zh']}{OPS[op][0]}{vocab.show(expected, 'zh')}{units['zh']}",
            "en": f"needs {labels['en']} {OPS[op][1]} {vocab.show(expected, 'en')}{units['en']}"}


def rule_status(rule: dict, facts: dict) -> str:
    """The status check_rule gives, without building messages (the plan search calls it often)."""
    if "compare" in rule:
        actual = facts.get(rule["compare"])
        expected = _resolve(rule.get("value"), facts)
        if actual is None or (isinstance(rule.get("value"), dict) and expected is None):
            return UNKNOWN
        return PASS if _compare(rule["op"], actual, expected) else FAIL
    if "declaration" in rule:
        answer = facts.get(f"declarations.{rule['declaration']}")
        return UNKNOWN if answer is None else PASS if answer else FAIL
    if "not" in rule:
        return {PASS: FAIL, FAIL: PASS, UNKNOWN: UNKNOWN}[rule_status(rule["not"], facts)]
    statuses = [rule_status(p, facts) for p in rule.get("all", rule.get("any", []))]
    if "all" in rule:
        return FAIL if FAIL in statuses else UNKNOWN if UNKNOWN in statuses else PASS
    return PASS if PASS in statuses else UNKNOWN if UNKNOWN in statuses else FAIL
