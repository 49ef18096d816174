"""The case model and its loader."""

from ._load import load_case
from ._model import (
    Attachment,
    Case,
    Coverage,
    Diagnosis,
    Encounter,
    Finding,
    Lab,
    Outcome,
    Patient,
    Prescriber,
    Request,
    Score,
    Treatment,
    npi_is_valid,
)

__all__ = [
    "Attachment",
    "Case",
    "Coverage",
    "Diagnosis",
    "Encounter",
    "Finding",
    "Lab",
    "Outcome",
    "Patient",
    "Prescriber",
    "Request",
    "Score",
    "Treatment",
    "load_case",
    "npi_is_valid",
]
