# The Python side of the calculator's worker, run inside Pyodide after the
# guidegen wheel is unpacked. The build inlines this file into worker.js;
# tests/pyodide/run_cases.mjs runs the same text under Node, so the browser and
# the parity test call guidegen.core exactly the same way.
#
# Expects the global `_bundle_text` (the compiled catalog bundle as JSON text);
# defines `_evaluate(profile_json, schemes_json=None, today=None) -> str`.
import json

from guidegen.core import evaluate_json as _evaluate_json

_BUNDLE = json.loads(_bundle_text)  # noqa: F821 - set by the host before running this file
del _bundle_text  # noqa: F821


# The evaluation date (call status) is passed on when the engine takes it.
_code = _evaluate_json.__code__
_TAKES_TODAY = "today" in _code.co_varnames[:_code.co_argcount + _code.co_kwonlyargcount]
del _code


def _evaluate(profile_json, schemes_json=None, today=None):
    schemes = None if schemes_json is None else json.loads(schemes_json)
    if today is not None and _TAKES_TODAY:
        return _evaluate_json(_BUNDLE, profile_json, schemes, today=today)
    return _evaluate_json(_BUNDLE, profile_json, schemes)
