"""The words for a scheme's verdict (result.results[].verdict), once for every place that
shows one: the calculator (as ``verdict_KEY`` in its messages), ``guidegen evaluate``'s text
report, the desk's workbook and the engine's own notes. They live in the core because the
engine's notes and the desk page (which runs only the core, the desk and the profile reader
under Pyodide) need them too."""

VERDICT_WORDS = {
    "qualifies": {"zh": "符合认定要求", "en": "Meets the requirements"},
    "short-of-pass-mark": {"zh": "条件符合、分数不够", "en": "Conditions met, score short"},
    "pending": {"zh": "待确认", "en": "To be confirmed"},
    "not-eligible": {"zh": "不符合申报条件", "en": "Not eligible"},
}
