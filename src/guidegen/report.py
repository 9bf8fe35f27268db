"""Readable bilingual text reports: a result (``guidegen evaluate`` without --json)
and a question list (``guidegen questions`` without --json).

Each scheme leads with its verdict and, below the pass mark, the plan to reach it;
the details (conditions, points, levels, other gaps) follow.
"""

from __future__ import annotations

__all__ = ["text_report", "questions_report"]

CALL = {"open": ("申报进行中", "call open"), "closed": ("本期已截止", "call closed"),
        "unknown": ("截止日期未定", "no deadline set")}
STATUS = {"pass": "✓", "fail": "✗", "unknown": "?"}


def _both(text: dict) -> str:
    return f"{text['zh']} / {text['en']}"


def _name(level_id, levels) -> str:
    if level_id is None:
        return "无 / none"
    return next((_both(lvl["name"]) for lvl in levels if lvl["id"] == level_id), level_id)


ROUTE = {"claim": ("先确认已有的", "confirm what you have"), "least-cost": ("成本最低", "least cost"),
         "fewest-steps": ("步骤最少", "fewest steps")}


def _plan(lines: list, plan: dict, others: list | None = None) -> None:
    """The chosen route in full (issue #23: its kind, cost, steps), the other routes in one line each."""
    if plan.get("id") in ROUTE:
        zh, en = ROUTE[plan["id"]]
        cost = plan.get("cost") or {}
        lines.append(f"  推荐路线 / Recommended route: {zh} / {en} — 新增投入 new spend {cost.get('spend_wan', 0)} 万元, "
                     f"成本点 cost points {cost.get('weighted', 0)}")
        if plan.get("note"):
            lines.append(f"    {_both(plan['note'])}")
    if plan["reachable"]:
        lines.append(f"  达到{plan['target']}分的路线 / Route to {plan['target']}: "
                     f"{len(plan['steps'])} 步 / step(s) → {plan['total_after']}")
    else:
        lines.append(f"  无法达到{plan['target']}分：可改进项全部做到最多得{plan['total_after']}分 / "
                     f"{plan['target']} cannot be reached: at most {plan['total_after']} with every improvable item")
    for i, step in enumerate(plan["steps"], 1):
        lines.append(f"    {i}. {step['message']['zh']}")
        lines.append(f"       {step['message']['en']}")
    for other in others or []:
        if other.get("id") == plan.get("id") or other.get("id") not in ROUTE:
            continue
        zh, en = ROUTE[other["id"]]
        reach = "可达到 reaches" if other["reachable"] else "达不到 falls short"
        lines.append(f"  其他路线 / Other route: {zh} / {en}: {len(other['steps'])} 步 / step(s), {reach} "
                     f"{other['total_after']}, 成本点 cost points {(other.get('cost') or {}).get('weighted', 0)}")


def _scheme(lines: list, r: dict, verdicts: dict) -> None:
    zh, en = verdicts[r["verdict"]]["zh"], verdicts[r["verdict"]]["en"]
    lines.append("=" * 72)
    lines.append(_both(r["name"]))
    score = r.get("score")
    total = f"  ({score['total']} / {score['max']}, 认定分数线 pass mark {score['pass_mark']})" if score else ""
    lines.append(f"  结论 / Verdict: {zh} / {en}{total}")
    call = r.get("call")
    if call:
        czh, cen = CALL[call["status"]]
        when = f" {call['deadline']}" if call.get("deadline") else ""
        lines.append(f"  申报 / Call: {czh} / {cen}{when}")
        if call.get("note"):
            lines.append(f"    {_both(call['note'])}")
    if r.get("plan"):
        _plan(lines, r["plan"], r.get("plans"))
    if r.get("levels"):
        lines.append(f"  已确认等级 / Level confirmed: {_name(r['level'], r['levels'])}")
        if r.get("reachable_level") and r["reachable_level"] != r["level"]:
            lines.append(f"  可达等级（待确认声明）/ Reachable level (declarations to confirm): "
                         f"{_name(r['reachable_level'], r['levels'])}")
        nxt = r.get("next_level")
        if nxt:
            lines.append(f"  下一等级 / Next level: {_both(nxt['name'])}")
            for m in nxt["missing"][:8]:
                lines.append(f"    {STATUS[m['status']]} {m['message']['zh']} / {m['message']['en']}")
    open_rows = [c for c in r["conditions"] if c["status"] != "pass"]
    if open_rows:
        lines.append("  未满足或未知的条件 / Conditions failed or unknown:")
        for c in open_rows:
            soft = " (提示 / for information)" if c.get("informational") else " (原则上 / soft)" if c["soft"] else ""
            lines.append(f"    {STATUS[c['status']]} {c['id']}{soft}: {c['message']['zh']}")
            lines.append(f"      {c['message']['en']}  [{c['source']}]")
    else:
        lines.append("  所有条件均满足 / All conditions met")
    if score:
        lines.append("  评分 / Score:")
        for item in score["items"]:
            lines.append(f"    {item['id']:<24} {item['points']:>5} / {item['max']:<4} {item['message']['zh'][:60]}")
        verdict = "达到" if score["passed"] else "未达到"
        lines.append(f"    基础 base {score['base']} + 加分 bonus {score['bonus']} = {score['total']} / {score['max']}; "
                     f"{verdict}{score['pass_mark']}分 / {'passes' if score['passed'] else 'below'} the pass mark "
                     f"{score['pass_mark']}")
    # The application pack (issue #16): what the application form still lacks.
    for note in ((r.get("kpis") or {}).get("message"), (r.get("application") or {}).get("message")):
        if note:
            lines.append(f"  申报书 / Application form: {note['zh']} / {note['en']}")
    if r.get("gaps"):
        lines.append("  改进方向 / What would change the result:")
        for g in r["gaps"][:10]:
            pts = f" (+{g['points']})" if g.get("points") else ""
            lines.append(f"    - {g['zh']}{pts}")
            lines.append(f"      {g['en']}")


def text_report(result: dict, verdicts: dict) -> str:
    """The result as bilingual text; ``verdicts``: {verdict: {zh, en}} (messages.yaml, group verdicts)."""
    lines: list[str] = []
    if result.get("today"):
        lines.append(f"评估日期 / Evaluated on: {result['today']}")
    if result.get("derived"):
        lines.append("推定事实 / Derived facts")
        for key, d in result["derived"].items():
            if key.startswith("coverage."):
                continue
            lines.append(f"  {key}: {d['value']}  ({_both(d['how'])})")
        lines.append("")
    for r in result["results"]:
        _scheme(lines, r, verdicts)
    return "\n".join(lines)


def questions_report(bundle: dict, asked: list[dict]) -> str:
    """One line per question, in form order, with the schemes that read it."""
    labels = {f["path"]: f["label"] for s in bundle["profile"]["sections"] for f in s["fields"]}
    lines = [f"{len(asked)} 个问题 / questions"]
    for q in asked:
        if q["kind"] == "field":
            what = f"{q['path']}: {_both(labels[q['path']])}"
        elif q["kind"] == "support_elements":
            what = f"support_elements: {_both(labels['support_elements'])}"
        elif q["kind"] == "scenes":
            what = f"scenes.{q['guide']}: {_both(bundle['guide_info'][q['guide']]['title'])}"
        else:
            what = f"declarations.{q['id']}: {_both(bundle['declarations'][q['id']]['label'])}"
        lines.append(f"  - {what}")
        lines.append(f"      [{', '.join(q['schemes'])}]")
    return "\n".join(lines)
