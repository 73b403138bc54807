"""requirements.lock holds every dependency of pyproject.toml at its pinned version, each package
with its hashes, so `make install` (pip --require-hashes) installs exactly what was locked.
Fails when a dependency is added or re-pinned without `make lock`."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _locked() -> dict[str, tuple[str, int]]:
    """Each locked package: its version and how many hashes it has."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(
        r"^([A-Za-z0-9._-]+)==(\S+)(?: ; [^\\\n]+)?((?: \\\n    --hash=sha256:[0-9a-f]{64})+)", text, re.M
    )
    return {_name(name): (version, hashes.count("--hash=")) for name, version, hashes in entries}


def test_every_pinned_dependency_is_locked_at_its_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [
        *project["dependencies"],
        *(pin for extra in project["optional-dependencies"].values() for pin in extra),
    ]
    locked = _locked()
    for pin in pins:
        name, version = re.fullmatch(r"([A-Za-z0-9._-]+)(?:\[[a-z,]+\])?==(\S+)", pin).groups()
        assert locked.get(_name(name), ("missing",))[0] == version, f"{pin}: run `make lock`"


def test_every_locked_package_has_hashes():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    requirement_lines = re.findall(r"^[A-Za-z0-9._-]+==\S+", text, re.M)
    locked = _locked()
    assert len(locked) == len(requirement_lines) > 50
    assert all(hashes >= 1 for _, hashes in locked.values())
