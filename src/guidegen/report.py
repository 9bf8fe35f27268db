"""Readable bilingual text report of a result (``guidegen evaluate`` without --json)."""

from __future__ import annotations

__all__ = ["text_report"]

VERDICT = {
    "eligible": ("符合申报条件", "eligible"),
    "ineligible": ("不符合申报条件", "ineligible"),
    "unknown": ("尚不能判断（有未填写或未声明的条件）", "not yet decidable (facts or declarations missing)"),
}
STATUS = {"pass": "✓", "fail": "✗", "unknown": "?"}


def _both(text: dict) -> str:
    return f"{text['zh']} / {text['en']}"


def text_report(result: dict) -> str:
    lines: list[str] = []
    if result.get("derived"):
        lines.append("推定事实 / Derived facts")
        for key, d in result["derived"].items():
            if key.startswith("coverage."):
                continue
            lines.append(f"  {key}: {d['value']}  ({_both(d['how'])})")
        lines.append("")
    for r in result["results"]:
        zh, en = VERDICT[r["eligibility"]]
        lines.append("=" * 72)
        lines.append(_both(r["name"]))
        lines.append(f"  结论 / Verdict: {zh} / {en}")
        open_rows = [c for c in r["conditions"] if c["status"] != "pass"]
        if open_rows:
            lines.append("  未满足或未知的条件 / Conditions failed or unknown:")
            for c in open_rows:
                soft = " (原则上 / soft)" if c["soft"] else ""
                lines.append(f"    {STATUS[c['status']]} {c['id']}{soft}: {c['message']['zh']}")
                lines.append(f"      {c['message']['en']}  [{c['source']}]")
        else:
            lines.append("  所有条件均满足 / All conditions met")
        if r.get("score"):
            s = r["score"]
            lines.append("  评分 / Score:")
            for item in s["items"]:
                lines.append(f"    {item['id']:<24} {item['points']:>5} / {item['max']:<4} {item['message']['zh'][:60]}")
            verdict = "达到" if s["passed"] else "未达到"
            lines.append(f"    基础 base {s['base']} + 加分 bonus {s['bonus']} = {s['total']} / {s['max']}; "
                         f"{verdict}{s['pass_mark']}分 / {'passes' if s['passed'] else 'below'} the pass mark {s['pass_mark']}")
        if r.get("levels"):
            lines.append(f"  当前等级 / Level reached: {r['level'] or '无 / none'}")
            nxt = r.get("next_level")
            if nxt:
                lines.append(f"  下一等级 / Next level: {_both(nxt['name'])}")
                for m in nxt["missing"][:8]:
                    lines.append(f"    {STATUS[m['status']]} {m['message']['zh']} / {m['message']['en']}")
        if r.get("gaps"):
            lines.append("  改进方向 / What would change the result:")
            for g in r["gaps"][:10]:
                pts = f" (+{g['points']})" if g.get("points") else ""
                lines.append(f"    - {g['zh']}{pts}")
                lines.append(f"      {g['en']}")
    return "\n".join(lines)
