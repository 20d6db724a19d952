"""requirements.lock matches pyproject.toml, so that an install gets what pyproject asks for.

pyproject.toml states the compatible ranges of the runtime dependencies and of the `test`
extra; requirements.lock, compiled from it by `make lock`, pins each of them and everything
they need to one version, with the hashes of the published files, and `make install`
installs exactly that (`pip install --require-hashes`). These tests read both files (no
network) and fail when pyproject.toml changed and the lock was not compiled again.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
EXTRA = "test"

FIX = ("Run `make lock` to compile requirements.lock again from pyproject.toml, "
       "then commit both files.")

HASH = re.compile(r"--hash=(?P<algorithm>\w+):(?P<digest>[0-9a-f]+)")


@dataclass(frozen=True)
class Locked:
    line: str
    requirement: Requirement
    hashes: tuple[tuple[str, str], ...]

    @property
    def version(self) -> Version | None:
        """The exact version pinned with `==`, or None when the line pins none."""
        specs = list(self.requirement.specifier)
        if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version:
            return Version(specs[0].version)
        return None


def declared() -> list[Requirement]:
    """The runtime dependencies and the `test` extra of pyproject.toml."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in
            project["dependencies"] + project["optional-dependencies"][EXTRA]]


def lock_entries() -> list[str]:
    """The lock's requirement lines, each joined with its `\\`-continued hash lines."""
    entries, current = [], ""
    for raw in LOCK.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        current += " " + line.rstrip("\\").strip()
        if not line.endswith("\\"):
            entries.append(current.strip())
            current = ""
    if current.strip():
        entries.append(current.strip())
    return entries


def locked() -> dict[str, Locked]:
    found = {}
    for entry in lock_entries():
        text = entry.split(" --hash=", 1)[0].strip()
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise AssertionError(f"requirements.lock has a line that is not a requirement: "
                                 f"{entry[:120]!r} ({exc}). {FIX}") from None
        found[canonicalize_name(requirement.name)] = Locked(
            entry, requirement, tuple(m.group("algorithm", "digest") for m in HASH.finditer(entry)))
    return found


def test_the_lock_exists():
    assert LOCK.is_file(), f"requirements.lock is missing. {FIX}"


def test_every_dependency_of_pyproject_is_locked_at_a_version_it_allows():
    pins = locked()
    problems = []
    for requirement in declared():
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": EXTRA}):
            continue  # not for this Python or platform
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} is not in the lock")
        elif pin.version is None:
            problems.append(f"{requirement}: the lock has {pin.requirement}, not one exact version")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement}: the lock has {pin.version}, outside that range")
    assert not problems, ("requirements.lock does not match pyproject.toml:\n  "
                          + "\n  ".join(problems) + f"\n{FIX}")


def test_every_locked_package_is_pinned_to_one_version_with_hashes():
    problems = []
    for name, pin in sorted(locked().items()):
        if pin.version is None:
            problems.append(f"{name}: {pin.requirement} is not pinned with ==")
        if not pin.hashes:
            problems.append(f"{name}: no --hash")
        for algorithm, digest in pin.hashes:
            if algorithm != "sha256" or len(digest) != 64:
                problems.append(f"{name}: {algorithm}:{digest[:16]}… is not a sha256 hash")
    assert not problems, ("requirements.lock has lines that `pip install --require-hashes` "
                          "refuses:\n  " + "\n  ".join(problems) + f"\n{FIX}")


def test_the_lock_names_no_package_index_or_local_files():
    """The hashes are those of the published files: installs use pip's default index, and
    nothing in the lock points at one machine's own mirror or folder."""
    options = [line.strip() for line in LOCK.read_text(encoding="utf-8").splitlines()
               if line.strip().startswith(("-i ", "-f ", "--index-url", "--extra-index-url",
                                           "--find-links", "--trusted-host"))]
    local = [entry for entry in lock_entries() if "file:" in entry or " @ " in entry]
    assert not options and not local, (
        f"requirements.lock names an index or local files: {options + local}. {FIX}")
