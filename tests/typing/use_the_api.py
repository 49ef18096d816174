"""A library user's script that touches every name in ``pa_docs.__all__``.

Never run by the tests: ``tests/test_public_api.py`` type-checks it with ``mypy --strict
--disallow-any-expr``, so a public name that a user would see as ``Any`` fails the suite. (No
assignment here has a type annotation: mypy lets an annotated assignment take an ``Any``.)
"""

from __future__ import annotations

from pathlib import Path

import pa_docs

CLASSES = (
    pa_docs.AppealPlan,
    pa_docs.BatchRow,
    pa_docs.Case,
    pa_docs.CaseStatus,
    pa_docs.CheckResult,
    pa_docs.Criterion,
    pa_docs.Deadline,
    pa_docs.Denial,
    pa_docs.Document,
    pa_docs.Evidence,
    pa_docs.InputWarning,
    pa_docs.Message,
    pa_docs.Policy,
    pa_docs.Profile,
    pa_docs.Result,
    pa_docs.Signer,
    pa_docs.Status,
    pa_docs.ToFill,
    pa_docs.Verdict,
    pa_docs.Wording,
)
ERRORS = (
    pa_docs.PaDocsError,
    pa_docs.InputError,
    pa_docs.CaseError,
    pa_docs.PolicyError,
    pa_docs.NotReadyError,
)


def check(path: Path) -> None:
    case = pa_docs.load_case(path)
    one = pa_docs.load_policy(Path("criteria/aetna-infliximab-ra.yaml"))
    policy = pa_docs.select_policy(case, pa_docs.load_policies(), one.id)
    result = pa_docs.check_case(case, policy)
    for v in result.verdicts:
        print(v.criterion.id, v.status.value, v.result.reason.code, [e.ref for e in v.evidence])
    print(pa_docs.Wording({"lab.met": "{lab}"}).reason(result.verdicts[0].result))
    print(result.status.value, result.warnings, result.to_fill, pa_docs.FILL)


def documents(path: Path, out: Path) -> None:
    case = pa_docs.load_case(path)
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    result = pa_docs.check_case(case, policy)
    profile = pa_docs.load_profile(Path("examples/practice-profile.yaml"))
    packet = pa_docs.build_packet(
        case, policy, result, profile=profile, case_path=path, signer=profile.signer
    )
    letter = pa_docs.build_letter(case, policy, result, profile=profile, case_path=path)
    data = pa_docs.render_document(letter, "html")
    print(len(data), pa_docs.write(packet, "pdf", out / "packet.pdf").name, packet.title)


def appeal(path: Path, denial_path: Path, out: Path) -> None:
    case = pa_docs.load_case(path)
    policy = pa_docs.select_policy(case, pa_docs.load_policies())
    denial = pa_docs.load_denial(denial_path, case.case_id)
    when = pa_docs.deadline(case, denial)
    plan = pa_docs.plan_appeal(case, policy, denial, when.deadline)
    letter = pa_docs.build_appeal(plan, case_path=path)
    sheet = pa_docs.build_p2p(plan, case_path=path)
    print(pa_docs.write(letter, "docx", out / "appeal.docx"), when.file_by, plan.level)
    print(pa_docs.write(sheet, "pdf", out / "p2p.pdf"), denial.reference)


def batch(folder: Path, out: Path) -> None:
    rows = pa_docs.batch([folder], outdir=out, format="html", jobs=1)
    print([(r.case, r.outcome) for r in rows])


def errors(path: Path) -> None:
    try:
        pa_docs.load_case(path)
    except pa_docs.NotReadyError as err:
        print(err.gaps)
    except pa_docs.InputError as err:
        print(err.problems)
    print([c.__name__ for c in CLASSES], [e.__name__ for e in ERRORS])
