"""The engine: one enterprise profile evaluated against every scheme.

Standard library only; runs on CPython and under Pyodide. Reads the JSON
bundle compiled from catalogs/ (never YAML).
"""

from .evaluate import evaluate, evaluate_json
from .profile import ProfileError, check_profile

__all__ = ["evaluate", "evaluate_json", "ProfileError", "check_profile"]
