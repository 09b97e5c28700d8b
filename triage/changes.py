"""The clinical diff for people: ``triage rules diff OLD NEW`` and the /rules/changes page.

``compare(old, new, rules_dir)`` finds the two rulebooks (each a rules folder,
or a git revision whose rules folder is read into a temporary folder), loads
them and returns ``triage.rulebook.diff.diff_rulebooks``; ``render(diff, fmt)``
writes it as text, Markdown or one self-contained HTML page, from the Jinja
templates beside the clinician pages (``templates/clinician/diff.*``, the HTML
autoescaped; the words of each change from ``templates/macros/diff_words.txt``).
``compare_with_last_release(rulebook)`` is what /rules/changes shows: the
running rules against the newest git tag that holds the rules folder; it never
raises, and says why there is nothing to show (its words: clinician/changes.html).

No Flask here.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from triage.rulebook import Rulebook, RulebookError, load_rulebook
from triage.rulebook.diff import RulebookDiff, Version, diff_rulebooks
from triage.rulebook.revisions import RevisionError, describe, extract_rules, newest_release_tag
from triage.words import environment, version_name

FORMATS = ("text", "markdown", "html")
_TEMPLATES = {"text": "clinician/diff.txt", "markdown": "clinician/diff.md", "html": "clinician/diff.html"}


class SideError(Exception):
    """One of the two rulebooks cannot be found or read (a message for the command line);
    ``version`` the rules that cannot be read, and ``errors`` their file:line problems, if
    any; ``git_error`` why git could not give them."""

    def __init__(
        self,
        message: str,
        errors: tuple[str, ...] = (),
        version: Version | None = None,
        git_error: RevisionError | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.version = version
        self.git_error = git_error


@dataclass(frozen=True)
class Side:
    """One of the two rulebooks compared, with which rules it is (named in diff_words.txt)."""

    version: Version
    rulebook: Rulebook


def _read(folder: Path, version: Version) -> Rulebook:
    try:
        # An older version may still have keys since retired (the typed review block).
        return load_rulebook(folder, legacy=True)
    except RulebookError as exc:
        message = f"the rules of {version_name(version)} cannot be read by this version of the app"
        raise SideError(message, tuple(exc.errors), version) from None


def load_side(spec: str, rules_dir: Path, workdir: Path) -> Side:
    """A rules folder (``spec`` is a folder) or the rules folder of git revision ``spec``."""
    path = Path(spec)
    if path.is_dir():
        version = Version("folder", spec)
        return Side(version, _read(path, version))
    try:
        commit, day = describe(rules_dir, spec)
        folder = extract_rules(rules_dir, spec, workdir)
    except RevisionError as exc:
        message = f"'{spec}' is neither a rules folder nor a git revision with rules: {exc}"
        raise SideError(message, git_error=exc) from None
    version = Version("revision", spec, commit, day)
    return Side(version, _read(folder, version))


def compare(old: str, new: str, rules_dir: Path) -> RulebookDiff:
    """What ``new`` changes from ``old`` (each a folder or a git revision of ``rules_dir``'s repository)."""
    with tempfile.TemporaryDirectory(prefix="triage-diff-") as tmp:
        before = load_side(old, rules_dir, Path(tmp) / "old")
        after = load_side(new, rules_dir, Path(tmp) / "new")
    return diff_rulebooks(before.rulebook, after.rulebook, old_label=before.version, new_label=after.version)


def render(diff: RulebookDiff, fmt: str = "text") -> str:
    """The diff as ``text``, ``markdown`` or ``html`` (one self-contained page)."""
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    out = environment(text=True).get_template(_TEMPLATES[fmt]).render(diff=diff)
    return out.rstrip("\n") + "\n"


# --- /rules/changes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseComparison:
    """The running rules against the last tagged release: the diff, or why there is none.

    ``problem`` (in words on changes.html): ``git`` (git cannot say which release came
    before, or give its rules: ``git_error`` says why), ``no_tag`` (no release tagged yet),
    ``unreadable`` (the rules of the release, ``version``, cannot be read by this version of
    the app; ``errors`` their file:line problems) or ``failed`` (reading them failed;
    ``detail`` the kind of error).
    """

    tag: str | None = None
    diff: RulebookDiff | None = None
    problem: Literal["git", "no_tag", "unreadable", "failed"] | None = None
    git_error: RevisionError | None = None
    version: Version | None = None
    detail: str = ""
    errors: tuple[str, ...] = ()


def compare_with_last_release(rulebook: Rulebook) -> ReleaseComparison:
    """The running rulebook against the newest git tag that holds its rules folder. Never raises."""
    rules_dir = Path(rulebook.root)
    try:
        tag = newest_release_tag(rules_dir)
    except RevisionError as exc:
        return ReleaseComparison(problem="git", git_error=exc.with_traceback(None))  # kept: no frames
    if tag is None:
        return ReleaseComparison(problem="no_tag")
    try:
        with tempfile.TemporaryDirectory(prefix="triage-release-") as tmp:
            before = load_side(tag, rules_dir, Path(tmp))
    except SideError as exc:
        if exc.version is None:  # git could not give the release's rules
            git_error = exc.git_error.with_traceback(None) if exc.git_error is not None else None
            return ReleaseComparison(tag=tag, problem="git", git_error=git_error)
        return ReleaseComparison(tag=tag, problem="unreadable", version=exc.version, errors=exc.errors)
    except Exception as exc:  # noqa: BLE001 - the page must say so plainly, never fail
        return ReleaseComparison(tag=tag, problem="failed", detail=exc.__class__.__name__)
    running = Version("running")
    return ReleaseComparison(
        tag=tag, diff=diff_rulebooks(before.rulebook, rulebook, old_label=before.version, new_label=running)
    )
