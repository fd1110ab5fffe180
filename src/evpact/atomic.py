"""Outputs that appear whole or not at all: files are written into a temporary folder beside
the target and moved into place only once every one of them is complete.

A run that fails half way (a full disk, an interrupt, a writer that breaks) leaves the previous
output untouched instead of a mix of new and old files or a truncated ``results.nc``. Files
are moved one by one with ``os.replace`` (atomic on one filesystem), so other files in the
target folder (a sweep's subfolder, a chain map) stay where they are.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import EvpactError


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder to write into; its files replace those of ``out`` on success."""
    if out.exists() and not out.is_dir():
        raise EvpactError(f"{out} exists and is not a folder", "--out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as e:
        raise EvpactError(f"cannot write to {out.parent}: {e.strerror}", "--out") from None
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        for item in sorted(tmp.rglob("*")):
            if item.is_file():
                target = out / item.relative_to(tmp)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(item, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
