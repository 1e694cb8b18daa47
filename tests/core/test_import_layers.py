"""The import layers hold, and the check that keeps them would notice a planted breach.

`make lint` runs `lint-imports` on the installed tree; these tests run it on a copy of
the package, once as it is and once with a service importing a package above it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import amends

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "src"
    shutil.copytree(
        Path(amends.__file__).parent,
        target / "amends",
        ignore=shutil.ignore_patterns("__pycache__", "static", "locale", "*.html"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return target


def _lint(tmp_path: Path, src: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH puts the copy ahead of the installed package.
    env = {**os.environ, "PYTHONPATH": str(src), "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_keeps_every_import_contract(tmp_path: Path) -> None:
    result = _lint(tmp_path, _copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("cases/service.py", "from amends.intake import pipeline as _planted\n"),
        ("commitments/service.py", "from amends.cases import service as _planted\n"),
        ("people/service.py", "from amends.recovery import flows as _planted\n"),
    ],
)
def test_a_service_importing_a_package_above_it_breaks_the_lint(
    tmp_path: Path, module: str, planted: str
) -> None:
    src = _copy(tmp_path)
    path = src / "amends" / module
    path.write_text(path.read_text() + "\n" + planted)
    result = _lint(tmp_path, src)
    assert result.returncode != 0
    assert "Packages import only the layers below them BROKEN" in result.stdout
