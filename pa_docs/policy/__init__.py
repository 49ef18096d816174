"""Policies: the model, the loader and validator, and selection for a case."""

from ..kinds import Rule, code_matches
from ._load import Policies, load_folder, load_policies, load_policy, validate_folder
from ._model import AppliesTo, Criterion, Policy, SubmitTo
from ._select import applies, select_policy

__all__ = [
    "AppliesTo",
    "Criterion",
    "Policies",
    "Policy",
    "Rule",
    "SubmitTo",
    "applies",
    "code_matches",
    "load_folder",
    "load_policies",
    "load_policy",
    "select_policy",
    "validate_folder",
]
