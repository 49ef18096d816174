"""The practice profile: who sends the documents, who signs them, and how they look."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import ConfigDict, Field, field_validator

from .. import _yaml
from .._limits import InputModel
from .._resources import shipped
from ..case._model import npi_is_valid
from ..errors import CaseError, InputError


class _Model(InputModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Signer(_Model):
    name: str
    credentials: str | None = None
    npi: str | None = None

    @field_validator("npi")
    @classmethod
    def _npi(cls, v: str | None) -> str | None:
        if v is not None and not npi_is_valid(v.strip()):
            raise ValueError("not a valid NPI: 10 digits with a correct check digit expected")
        return v


class Profile(_Model):
    """A practice profile. Empty fields fall back to the case's prescriber."""

    practice: str | None = None
    address: str | None = None
    phone: str | None = None
    fax: str | None = None
    logo: str | None = None
    signer: Signer | None = None
    reference_docx: str | None = None
    fax_output: bool = False  # render every document for fax: black on white, nothing below 9 pt
    # the practice's reading of "performed at the time of need" (a policy that gives no number):
    # a test within this many days before the request; never attributed to the payer
    time_of_need_days: int = Field(default=30, ge=1, le=365)
    folder: Path | None = None  # where the profile file lives; its assets are read from there

    def asset(self, name: str | None) -> Path | None:
        """The path of an asset named in the profile (relative to the profile's folder)."""
        if not name or self.folder is None:
            return None
        return (self.folder / name).resolve()


@cache
def default_profile() -> Profile:
    """The neutral profile shipped with pa-docs: every field from the case's prescriber."""
    return load_profile(shipped("templates") / "profile.default.yaml")


def parse_signer(text: str) -> Signer:
    """``"Jordan Lee, MD, FACP, 1234567893"`` (``signer``): a name, optional credentials, and the
    NPI last (a signer must be identifiable by NPI)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) < 2 or not parts[-1].isdigit():
        raise InputError(
            f"must be 'Name, credentials, NPI' (the NPI last, 10 digits), got {text!r}",
            param="signer",
        )
    try:
        return Signer(name=parts[0], credentials=", ".join(parts[1:-1]) or None, npi=parts[-1])
    except ValueError as exc:
        raise InputError(f"{text!r}: not a valid NPI ({parts[-1]})", param="signer") from exc


def load_profile(path: str | Path) -> Profile:
    """Load a practice profile; its logo and reference DOCX must exist beside it."""
    p = Path(path)
    doc = _yaml.load(p, CaseError)
    profile = doc.validate(Profile, CaseError).model_copy(update={"folder": p.resolve().parent})
    for key in ("logo", "reference_docx"):
        name = getattr(profile, key)
        if name:
            asset = profile.asset(name)
            assert asset is not None
            if not asset.is_file():
                raise CaseError(
                    f"file not found: {asset}", file=p, line=doc.line_of((key,)), field=key
                )
            if profile.folder not in asset.parents:
                raise CaseError(
                    "must be a file inside the profile's folder",
                    file=p,
                    line=doc.line_of((key,)),
                    field=key,
                )
            with asset.open("rb") as fh:
                head = fh.read(8)
            if not head.startswith(_MAGIC[key]):
                raise CaseError(
                    f"{_KIND[key]} (got {name!r})", file=p, line=doc.line_of((key,)), field=key
                )
    return profile


_MAGIC = {"logo": (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"), "reference_docx": (b"PK\x03\x04",)}
_KIND = {
    "logo": "the logo is not a PNG or JPEG image",
    "reference_docx": "the reference document is not a DOCX file",
}
