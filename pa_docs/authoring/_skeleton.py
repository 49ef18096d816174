"""``pa-docs criteria new ID``: a commented policy skeleton and its test folder, valid as written
(its one test passes) so that editing starts from something that runs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import InputError

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

POLICY = """\
# {id}: a payer policy for pa-docs. Every field: docs/policy-format.md; how to write and test
# one: docs/policies.md. Replace each TODO, then run `pa-docs criteria test {folder}`.
id: {id}
payer: TODO payer name               # as documents name it
payer_keys: [todo]                   # the case's coverage.payer keys this policy serves
title: TODO policy title
number: TODO-0000                    # the payer's number as printed; delete if it has none
version: null                        # the version read ("52"); null: documents print none
effective: null                      # the date that version took effect (YYYY-MM-DD)
url: https://example.org/TODO        # the payer's own page or document
last_reviewed: {today}            # when you last compared this file with the payer's text
applies_to:
  items: [adalimumab]                # drugs or device keys (vocabulary names)
  diagnoses: ["L40.0"]               # ICD-10-CM patterns: L40.0, M05.*, I10-I16
initial:
  - id: diagnosis
    kind: diagnosis
    # The payer's words. With `verbatim: true` below they are printed in quotation marks;
    # otherwise write a close paraphrase.
    text: TODO the payer's wording of the criterion
    source:
      provenance: summary            # payer: read in the payer's own document; summary: elsewhere
      verbatim: false                # true only for the payer's exact words (provenance payer)
      section: null                  # where in the document (cited for payer text)
      via: TODO where you read it    # for a summary: the secondary source
      checked: {today}
    rule: {{kind: diagnosis, codes: ["L40.0"]}}
"""

BASE = """\
# The case every {id} test starts from: each test merges its `case:` over it (mappings key
# by key; a list replaces the base's list; null removes a key). Keep it a case that meets every
# criterion, so that each test changes only what it is about.
case_id: TEST-{upper}
request_date: {today}
patient: {{name: Test Patient, birth_date: 1980-01-01, sex: female, member_id: TEST-1}}
coverage: {{payer: todo, line_of_business: commercial}}
prescriber: {{name: "Test Prescriber, MD", npi: "1234567893"}}
request: {{item: adalimumab, diagnosis: L40.0}}
diagnoses:
- {{code: L40.0}}
"""

TEST = """\
# One case and what the policy must say about it. Write, for every criterion, one case where it
# is met, one where it is not met (where the record can contradict it), one where it is missing,
# and one at each edge of each threshold and window.
about: The base case meets every criterion, and the policy is chosen for it
expect:
  status: ready                      # ready | gaps | not_met
  verdicts: {{diagnosis: met}}         # criterion id: met | not_met | missing
  selected: true                     # the policy is chosen with no --policy
"""


def write_skeleton(policy_id: str, folder: Path, today: dt.date) -> list[Path]:
    """Write ``<folder>/<id>.yaml`` and ``<folder>/tests/<id>/`` (a base case and one test).
    Refuses to overwrite anything."""
    if not _ID.match(policy_id):
        raise InputError(
            f"a policy id is lower-case letters, digits and hyphens, got {policy_id!r}",
            field="ID",
        )
    policy = folder / f"{policy_id}.yaml"
    tests = folder / "tests" / policy_id
    for p in (policy, tests):
        if p.exists():
            raise InputError("already exists: not overwritten", file=p)
    values = {
        "id": policy_id,
        "upper": policy_id.upper(),
        "today": today.isoformat(),
        "folder": folder,
    }
    tests.mkdir(parents=True)
    out = [policy, tests / "_base.yaml", tests / "ready.yaml"]
    for path, text in zip(out, (POLICY, BASE, TEST), strict=True):
        path.write_text(text.format(**values), encoding="utf-8")
    return out
