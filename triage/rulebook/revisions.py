"""Earlier versions of the rules folder, from git: the newest release tag, and a revision's rules.

Used by ``triage rules diff OLD NEW`` (a git revision instead of a folder) and
the /rules/changes page (the running rules against the last tagged release).
Everything here runs ``git`` with fixed arguments and a timeout; when git is
missing, the folder is not in a repository, or a revision is unknown,
``RevisionError`` says so in plain words. Nothing is written outside the
folder a caller gives.

No Flask here.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from pathlib import Path

TIMEOUT = 20


class RevisionError(Exception):
    """Git cannot give what was asked for; the message says why, in plain words."""


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed here") from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise RevisionError(f"git could not be run ({exc.__class__.__name__})") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RevisionError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def _text(cwd: Path, *args: str) -> str:
    return _git(cwd, *args).decode("utf-8", "replace").strip()


def repository(rules_dir: Path) -> tuple[Path, str]:
    """(the repository's top folder, the rules folder's path inside it, such as ``rules``)."""
    folder = Path(rules_dir).resolve()
    if not folder.is_dir():
        raise RevisionError(f"{rules_dir} is not a folder")
    try:
        top = Path(_text(folder, "rev-parse", "--show-toplevel"))
    except RevisionError as exc:
        raise RevisionError(f"the rules folder {rules_dir} is not in a git repository ({exc})") from None
    return top, folder.relative_to(top.resolve()).as_posix() if folder != top.resolve() else ""


def _check_name(revision: str) -> None:
    # A revision is never an option: "--output=..." must not reach git's command line.
    if not revision or revision.startswith("-") or not re.fullmatch(r"[\w./@^~{}:+-]+", revision):
        raise RevisionError(f"'{revision}' is not a git revision")


def resolve(rules_dir: Path, revision: str) -> str:
    """The commit a revision (tag, branch, commit) names, or RevisionError."""
    _check_name(revision)
    top, _ = repository(rules_dir)
    try:
        return _text(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"'{revision}' is not a folder, nor a git revision in {top}") from None


def describe(rules_dir: Path, revision: str) -> str:
    """"v1.0 (commit 1a2b3c4 of 2026-01-05)"."""
    top, _ = repository(rules_dir)
    commit = resolve(rules_dir, revision)
    day = _text(top, "log", "-1", "--format=%cs", commit)
    return f"{revision} (commit {commit[:7]} of {day})"


def has_rules(rules_dir: Path, revision: str) -> bool:
    """The revision holds the rules folder (at the same path as now)."""
    top, prefix = repository(rules_dir)
    try:
        _git(top, "cat-file", "-e", f"{resolve(rules_dir, revision)}:{prefix}")
    except RevisionError:
        return False
    return True


def newest_release_tag(rules_dir: Path) -> str | None:
    """The newest tag (by date) whose commit holds the rules folder; None when there is none."""
    top, _ = repository(rules_dir)
    tags = _text(top, "for-each-ref", "--sort=-creatordate", "--format=%(refname:short)", "refs/tags").splitlines()
    for tag in tags:
        if tag and has_rules(rules_dir, tag):
            return tag
    return None


def extract_rules(rules_dir: Path, revision: str, dest: Path) -> Path:
    """Write the rules folder as it was at ``revision`` into ``dest``; return the extracted folder."""
    top, prefix = repository(rules_dir)
    commit = resolve(rules_dir, revision)
    if not has_rules(rules_dir, revision):
        raise RevisionError(f"{revision} has no {prefix or 'rules'}/ folder")
    archive = _git(top, "archive", "--format=tar", commit, "--", prefix or ".")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")  # refuses absolute paths, links out of dest, devices
    folder = Path(dest) / prefix if prefix else Path(dest)
    if not folder.is_dir():
        raise RevisionError(f"{revision} has no {prefix or 'rules'}/ folder")
    return folder
