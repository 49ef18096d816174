"""Output files hold PHI: written whole or not at all, readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pa_docs.render import write_atomic


def test_written_with_mode_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        out = write_atomic(tmp_path / "sub" / "packet.pdf", b"%PDF-1.7 data")
    finally:
        os.umask(old)
    assert out.read_bytes() == b"%PDF-1.7 data"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert os.listdir(out.parent) == ["packet.pdf"]


def test_overwriting_keeps_mode_0600(tmp_path: Path) -> None:
    target = tmp_path / "packet.pdf"
    target.write_bytes(b"old")
    target.chmod(0o644)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("fail_in", ["fsync", "replace"])
def test_a_failed_write_leaves_no_partial_or_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_in: str
) -> None:
    def boom(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fail_in, boom)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(tmp_path / "packet.pdf", b"x" * 100_000)
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "packet.pdf"
    target.write_bytes(b"the packet sent last week")
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    with pytest.raises(OSError):
        write_atomic(target, b"half a new packet")
    assert target.read_bytes() == b"the packet sent last week"
    assert os.listdir(tmp_path) == ["packet.pdf"]


def test_an_interrupt_mid_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "packet.pdf", b"data")
    assert os.listdir(tmp_path) == []
