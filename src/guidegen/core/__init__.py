"""The engine: one enterprise profile evaluated against every scheme.

Standard library only; runs on CPython and under Pyodide. Reads the JSON
bundle compiled from catalogs/ (never YAML).
"""

from .evaluate import evaluate, evaluate_json
from .plan import apply_change
from .profile import ProfileError, check_profile
from .questions import questions, questions_json

__all__ = ["evaluate", "evaluate_json", "questions", "questions_json", "apply_change", "ProfileError", "check_profile"]
