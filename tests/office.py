"""Which LibreOffice components are installed, for the tests that convert files with them.

`soffice` alone is not enough: distributions ship Calc and Writer as separate packages, and a
conversion to a spreadsheet format fails when only Writer is there (and the other way round).
Each component is a library next to the `soffice` program: `libsclo` for Calc, `libswlo` for
Writer (`program/` on Linux and Windows, `Frameworks/` in the macOS bundle).
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import pytest

LIBRARIES = {"calc": "libsclo", "writer": "libswlo"}


@cache
def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def has_component(component: str, program: str | None = None) -> bool:
    """Whether LibreOffice's `component` ("calc" or "writer") is installed next to `program`."""
    program = program or soffice()
    if program is None:
        return False
    folder = Path(os.path.realpath(program)).parent
    library = LIBRARIES[component]
    return any(
        any(place.glob(f"{library}.*"))
        for place in (folder, folder.parent / "Frameworks")
        if place.is_dir()
    )


def needs(component: str) -> pytest.MarkDecorator:
    """Skip unless LibreOffice with `component` is installed."""
    if soffice() is None:
        return pytest.mark.skipif(True, reason="LibreOffice is not installed")
    return pytest.mark.skipif(
        not has_component(component),
        reason=f"LibreOffice is installed without {component.capitalize()}",
    )
