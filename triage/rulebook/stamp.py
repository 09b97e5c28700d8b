"""The day the rule files last changed, without running git when they are loaded.

Loading the rules never runs another program. The rulebook's version is a hash of
the rule files' bytes (loader.py); its "last changed" day is the newest rule file's
own modification day, unless the folder holds a build stamp for exactly these files.

The stamp (``STAMP_FILE``) is written when a wheel (or an sdist) is built, by
``setup.py``: installing a wheel gives every file the time it was installed, which
says nothing about the rules. At build time the day is the date of the last commit
that touched the rules folder (``reviews.yaml`` aside, as recording a review does not
change the rules), when the build runs in a git checkout with no uncommitted change
there; otherwise the newest rule file's day. The stamp names the SHA-256 of every
rule file it is for, so it is used only while the files are exactly those: edit one,
or point ``TRIAGE_RULES_DIR`` at other rules, and the files' own dates count again.

Standard library only: ``setup.py`` loads this file by its path, before the app's
dependencies are installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

STAMP_FILE = "build-stamp.json"
REQUIRED_FILES = ("questions.yaml", "care_levels.yaml", "red_flags.yaml")
RULE_FOLDERS = ("types", "cases")
REVIEWS_FILE = "reviews.yaml"

_ABOUT = (
    "Written when this copy of the app was built: the day its rule files last changed, "
    "for the rule files with exactly these SHA-256 hashes (an edited file makes the app use the files' own dates)."
)


def rule_files(root: Path) -> list[Path]:
    """The rule files of ``root`` that the loader reads and hashes, sorted by their path inside it."""
    found = [root / name for name in REQUIRED_FILES if (root / name).is_file()]
    for folder in RULE_FOLDERS:
        found += [path for path in (root / folder).glob("*.yaml") if path.is_file()]
    return sorted(found, key=lambda path: path.relative_to(root).as_posix())


def file_hashes(root: Path) -> dict[str, str]:
    """Path inside ``root`` -> SHA-256 of the bytes, for every rule file (as ``Rulebook.file_hashes``)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in rule_files(root)
    }


def stamped_date(root: Path, hashes: Mapping[str, str]) -> date | None:
    """The day in ``root``'s build stamp, if it has one for exactly these rule files (``hashes``)."""
    try:
        data = json.loads((root / STAMP_FILE).read_text(encoding="utf-8"))
        if data["rule_files"] != dict(hashes):
            return None
        return date.fromisoformat(data["updated"])
    except (OSError, ValueError, TypeError, KeyError):
        return None  # no stamp, or not one this code wrote


def newest_file_date(root: Path) -> date | None:
    """The day (UTC) the newest rule file was written."""
    times = [path.stat().st_mtime for path in rule_files(root)]
    return datetime.fromtimestamp(max(times), tz=UTC).date() if times else None


def committed_date(root: Path) -> date | None:
    """The date of the last commit touching ``root``, if it is in git and unchanged since. Build time only."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args, "--", ".", f":(exclude){REVIEWS_FILE}", f":(exclude){STAMP_FILE}"],
                capture_output=True, text=True, timeout=10, check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    if git("status", "--porcelain", "--untracked-files=all") != "":
        return None  # not a git checkout, git missing, or uncommitted changes
    stamp = git("log", "-1", "--format=%cs")
    try:
        return date.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


def build_date(root: Path) -> date | None:
    """The day to stamp for the rules in ``root``: a stamp already there for these files (a wheel
    built from an sdist), else the last commit's date in a clean git checkout, else the newest file's day."""
    return stamped_date(root, file_hashes(root)) or committed_date(root) or newest_file_date(root)


def write_stamp(source: Path, target: Path) -> date | None:
    """Stamp the rules of ``source`` into the folder ``target`` (their copy in a build); returns the day."""
    day = build_date(source)
    if day is None:
        return None  # no rule files: the loader will say so
    text = json.dumps({"about": _ABOUT, "updated": day.isoformat(), "rule_files": file_hashes(source)}, indent=2)
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f".{STAMP_FILE}.tmp"
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, target / STAMP_FILE)  # a new file, never writing through a hard link to the source
    return day
