# The Python side of the calculator's worker, run inside Pyodide after the
# guidegen wheel is unpacked. The build inlines this file into worker.js;
# tests/pyodide/run_cases.mjs runs the same text under Node, so the browser and
# the parity test call guidegen.core exactly the same way.
#
# Expects the global `_bundle_text` (the compiled catalog bundle as JSON text), or
# `_bundle_parts` (the bundle's parts as JSON texts, guidegen.runtime.bundle_parts: their
# union is the bundle); defines `_evaluate(profile_json, schemes_json=None, today=None) -> str` and
# `_questions(schemes_json=None, profile_json=None) -> str` (the questions the chosen schemes read;
# the profile's place, when given, leaves out a call's own rows outside its region).
import json

from guidegen.core import evaluate_json as _evaluate_json
from guidegen.core import questions_json as _questions_json

if "_bundle_parts" in globals():
    _BUNDLE = {}
    for _part in _bundle_parts:  # noqa: F821 - set by the host before running this file
        _BUNDLE.update(json.loads(_part))
    del _bundle_parts, _part  # noqa: F821
else:
    _BUNDLE = json.loads(_bundle_text)  # noqa: F821 - set by the host before running this file
    del _bundle_text  # noqa: F821


# A JS null or undefined arrives as a JsNull / JsUndefined object, not None: only text counts.
def _evaluate(profile_json, schemes_json=None, today=None):
    schemes = json.loads(schemes_json) if isinstance(schemes_json, str) else None
    return _evaluate_json(_BUNDLE, profile_json, schemes, today=today if isinstance(today, str) else None)


def _questions(schemes_json=None, profile_json=None):
    # profile_json (optional): the answers' place; outside a call's region its own rows are not asked (issue 22)
    return _questions_json(_BUNDLE, schemes_json if isinstance(schemes_json, str) else None,
                           profile_json if isinstance(profile_json, str) else None)
