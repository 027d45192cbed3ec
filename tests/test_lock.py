"""The lock file (requirements.lock, written by `make lock`) pins every dependency setup.cfg names, at a
version its lower bound allows: a dependency added without `make lock` fails here, not on a fresh machine."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def declared() -> list[Requirement]:
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines() + config["options.extras_require"]["test"].splitlines()
    return [Requirement(line) for line in (raw.strip() for raw in lines) if line]


def locked() -> dict[str, list[tuple[str, str]]]:
    """Package -> its pins as (version, marker) (a universal lock may pin one package per Python version)."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\[\],-]+)==([^\s;]+)\s*(?:;\s*(.*))?$", line)
        if match:
            name = canonicalize_name(match.group(1).split("[")[0])
            pins.setdefault(name, []).append((match.group(2), match.group(3) or ""))
    return pins


def test_the_lock_should_pin_every_declared_dependency_within_its_bounds():
    pins = locked()
    problems = []
    for requirement in declared():
        versions = pins.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement.name}: not in requirements.lock (run `make lock`)")
            continue
        for version, marker in versions:
            applies = not marker or Marker(marker).evaluate({"python_full_version": "3.11.7", "python_version": "3.11"})
            if applies and version not in requirement.specifier:
                problems.append(f"{requirement.name}: locked {version}, setup.cfg asks {requirement.specifier}")
    assert problems == []


def test_make_should_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install --quiet -r $(LOCK)" in makefile and "--no-deps -e ." in makefile
