"""Tools for writing and maintaining policies: policy tests, skeletons, diffs, currency against
the CMS coverage index, and JSON Schemas of the input files."""

from ._tests import Outcome, PolicyTest, Report, run_folder

__all__ = ["Outcome", "PolicyTest", "Report", "run_folder"]
