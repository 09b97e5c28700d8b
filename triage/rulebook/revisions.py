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
    """Git cannot give what was asked for.

    ``reason`` says why, as data: ``no_git`` (git is not installed), ``git_failed`` (it
    could not be run; ``detail`` the kind of error), ``git_said`` (``detail`` git's own last
    line), ``not_folder``, ``not_repository`` (``detail`` git's own words), ``not_revision``
    or ``no_rules`` (the revision holds no rules folder). ``where`` the folder or revision
    it is about. ``str()`` is the same in words, for the command line; a page words it from
    ``reason`` (clinician/changes.html).
    """

    def __init__(self, reason: str, message: str, *, detail: str = "", where: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail
        self.where = where


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        raise RevisionError("no_git", "git is not installed here") from None
    except (OSError, subprocess.SubprocessError) as exc:
        kind = exc.__class__.__name__
        raise RevisionError("git_failed", f"git could not be run ({kind})", detail=kind) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = lines[-1] if lines else f"git {args[0]} failed"
        raise RevisionError("git_said", said, detail=said)
    return done.stdout


def _text(cwd: Path, *args: str) -> str:
    return _git(cwd, *args).decode("utf-8", "replace").strip()


def repository(rules_dir: Path) -> tuple[Path, str]:
    """(the repository's top folder, the rules folder's path inside it, such as ``rules``)."""
    folder = Path(rules_dir).resolve()
    if not folder.is_dir():
        raise RevisionError("not_folder", f"{rules_dir} is not a folder", where=str(rules_dir))
    try:
        top = Path(_text(folder, "rev-parse", "--show-toplevel"))
    except RevisionError as exc:
        message = f"the rules folder {rules_dir} is not in a git repository ({exc})"
        raise RevisionError("not_repository", message, detail=str(exc), where=str(rules_dir)) from None
    return top, folder.relative_to(top.resolve()).as_posix() if folder != top.resolve() else ""


def _check_name(revision: str) -> None:
    # A revision is never an option: "--output=..." must not reach git's command line.
    if not revision or revision.startswith("-") or not re.fullmatch(r"[\w./@^~{}:+-]+", revision):
        raise RevisionError("not_revision", f"'{revision}' is not a git revision", where=revision)


def resolve(rules_dir: Path, revision: str) -> str:
    """The commit a revision (tag, branch, commit) names, or RevisionError."""
    _check_name(revision)
    top, _ = repository(rules_dir)
    try:
        return _text(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    except RevisionError:
        message = f"'{revision}' is not a folder, nor a git revision in {top}"
        raise RevisionError("not_revision", message, where=revision) from None


def describe(rules_dir: Path, revision: str) -> tuple[str, str]:
    """The commit a revision names and the day it was made: ``("1a2b3c4...", "2026-01-05")``."""
    top, _ = repository(rules_dir)
    commit = resolve(rules_dir, revision)
    return commit, _text(top, "log", "-1", "--format=%cs", commit)


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
        raise RevisionError("no_rules", f"{revision} has no {prefix or 'rules'}/ folder", where=revision)
    archive = _git(top, "archive", "--format=tar", commit, "--", prefix or ".")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")  # refuses absolute paths, links out of dest, devices
    folder = Path(dest) / prefix if prefix else Path(dest)
    if not folder.is_dir():
        raise RevisionError("no_rules", f"{revision} has no {prefix or 'rules'}/ folder", where=revision)
    return folder
