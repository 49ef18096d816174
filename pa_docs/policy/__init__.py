"""Policies: the model, the loader and validator, and selection for a case."""

from ._codes import code_matches
from ._load import Policies, load_policies, load_policy, validate_folder
from ._model import Criterion, Policy, Rule
from ._select import applies, select_policy

__all__ = [
    "Criterion",
    "Policies",
    "Policy",
    "Rule",
    "applies",
    "code_matches",
    "load_policies",
    "load_policy",
    "select_policy",
    "validate_folder",
]
