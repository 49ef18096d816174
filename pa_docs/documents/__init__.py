"""Documents: the content model, the template context, and the builders of the packet, the letter
of medical necessity, the appeal letter and the peer-to-peer sheet."""

from ._appeal import build_appeal, build_p2p
from ._blocks import Block, Bullets, Contents, Heading, PageBreak, Paragraph, Run, Table, parse
from ._build import build, build_letter, build_packet, refuse_unless_ready
from ._document import Document, Enclosure
from ._profile import Profile, Signer, default_profile, load_profile, parse_signer

__all__ = [
    "Block",
    "Bullets",
    "Contents",
    "Document",
    "Enclosure",
    "Heading",
    "PageBreak",
    "Paragraph",
    "Profile",
    "Run",
    "Signer",
    "Table",
    "build",
    "build_appeal",
    "build_letter",
    "build_p2p",
    "build_packet",
    "default_profile",
    "load_profile",
    "parse",
    "parse_signer",
    "refuse_unless_ready",
]
