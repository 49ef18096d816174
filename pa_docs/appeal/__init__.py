"""Appeals: denials, deadlines, reason mapping and appeal letters."""

from ._denial import Denial, DenialReason, load_denial

__all__ = ["Denial", "DenialReason", "load_denial"]
