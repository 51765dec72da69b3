"""The import contracts of pyproject.toml (import-linter): kept by the tree as it is, and broken by an
import that runs upwards, so that the check can fail."""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404  (runs the project's own linter on a copy of the tree)
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every package the contracts speak of, copied whole, so that none is found in the installed tree.
PACKAGES = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"])
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(  # noqa: S603  # nosec B603
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The project's packages and its configuration, copied."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.toml"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_the_contracts(tree: Path) -> None:
    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_import_from_the_core_up_into_an_app_breaks_the_layers(tree: Path) -> None:
    dates = tree / "mappa" / "dates.py"
    dates.write_text(dates.read_text() + "\nfrom cases.models import Nominal  # noqa: E402,F401\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "Each part of the service imports only the parts below it BROKEN" in result.stdout
    assert "mappa.dates -> cases.models" in result.stdout


def test_two_modules_importing_each_other_break_the_cycle_contract(tree: Path) -> None:
    dates = tree / "mappa" / "dates.py"
    dates.write_text(dates.read_text() + "\nfrom mappa import env  # noqa: E402,F401\n")
    env = tree / "mappa" / "env.py"
    env.write_text(env.read_text() + "\nfrom mappa import dates  # noqa: E402,F401\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "however indirectly BROKEN" in result.stdout
