"""The engine: one enterprise profile evaluated against every scheme.

Standard library only; runs on CPython and under Pyodide. Reads the JSON
bundle compiled from catalogs/ (never YAML).
"""

from .derivations import DERIVED_FROM, fact_inputs, key_link_guide, profile_inputs
from .evaluate import evaluate, evaluate_json
from .plan import apply_change
from .profile import ProfileError, check_profile, name_digest
from .questions import questions, questions_json
from .verdicts import VERDICT_WORDS
from .rules import LIST_OPERATORS, OPERATORS, RULE_KINDS, reads, rule_kind, rule_parts

__all__ = ["VERDICT_WORDS", "evaluate", "evaluate_json", "questions", "questions_json", "apply_change", "ProfileError", "check_profile",
           # the rule vocabulary and the derivation table, for every walker outside core
           "RULE_KINDS", "OPERATORS", "LIST_OPERATORS", "rule_kind", "rule_parts", "reads",
           "DERIVED_FROM", "fact_inputs", "profile_inputs", "key_link_guide",
           "name_digest"]  # an edition names what it does not publish only by digest
