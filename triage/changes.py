"""The clinical diff for people: ``triage rules diff OLD NEW`` and the /rules/changes page.

``compare(old, new, rules_dir)`` finds the two rulebooks (each a rules folder,
or a git revision whose rules folder is read into a temporary folder), loads
them and returns ``triage.rulebook.diff.diff_rulebooks``; ``render(diff, fmt)``
writes it as text, Markdown or one self-contained HTML page, from the Jinja
templates beside the clinician pages (``templates/clinician/diff.*``, the HTML
autoescaped; the words of each change from ``templates/macros/diff_words.txt``).
``compare_with_last_release(rulebook)`` is what /rules/changes shows: the
running rules against the newest git tag that holds the rules folder; it never
raises, and says in plain words why there is nothing to show.

No Flask here.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from triage.rulebook import Rulebook, RulebookError, load_rulebook
from triage.rulebook.diff import RulebookDiff, diff_rulebooks
from triage.rulebook.revisions import RevisionError, describe, extract_rules, newest_release_tag
from triage.words import environment

FORMATS = ("text", "markdown", "html")
_TEMPLATES = {"text": "clinician/diff.txt", "markdown": "clinician/diff.md", "html": "clinician/diff.html"}


class SideError(Exception):
    """One of the two rulebooks cannot be found or read; ``errors`` are its file:line problems, if any."""

    def __init__(self, message: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors


@dataclass(frozen=True)
class Side:
    """One of the two rulebooks compared, with the words that name it."""

    label: str
    rulebook: Rulebook


def _read(folder: Path, label: str) -> Rulebook:
    try:
        # An older version may still have keys since retired (the typed review block).
        return load_rulebook(folder, legacy=True)
    except RulebookError as exc:
        raise SideError(f"the rules of {label} cannot be read by this version of the app", tuple(exc.errors)) from None


def load_side(spec: str, rules_dir: Path, workdir: Path) -> Side:
    """A rules folder (``spec`` is a folder) or the rules folder of git revision ``spec``."""
    path = Path(spec)
    if path.is_dir():
        label = f"the rules folder {spec}"
        return Side(label, _read(path, label))
    try:
        label = f"git revision {describe(rules_dir, spec)}"
        folder = extract_rules(rules_dir, spec, workdir)
    except RevisionError as exc:
        raise SideError(f"'{spec}' is neither a rules folder nor a git revision with rules: {exc}") from None
    return Side(label, _read(folder, label))


def compare(old: str, new: str, rules_dir: Path) -> RulebookDiff:
    """What ``new`` changes from ``old`` (each a folder or a git revision of ``rules_dir``'s repository)."""
    with tempfile.TemporaryDirectory(prefix="triage-diff-") as tmp:
        before = load_side(old, rules_dir, Path(tmp) / "old")
        after = load_side(new, rules_dir, Path(tmp) / "new")
    return diff_rulebooks(before.rulebook, after.rulebook, old_label=before.label, new_label=after.label)


def render(diff: RulebookDiff, fmt: str = "text") -> str:
    """The diff as ``text``, ``markdown`` or ``html`` (one self-contained page)."""
    if fmt not in _TEMPLATES:
        raise ValueError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    out = environment(text=True).get_template(_TEMPLATES[fmt]).render(diff=diff)
    return out.rstrip("\n") + "\n"


# --- /rules/changes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseComparison:
    """The running rules against the last tagged release: the diff, or why there is none."""

    tag: str | None = None
    diff: RulebookDiff | None = None
    problem: str | None = None
    errors: tuple[str, ...] = ()


def compare_with_last_release(rulebook: Rulebook) -> ReleaseComparison:
    """The running rulebook against the newest git tag that holds its rules folder. Never raises."""
    rules_dir = Path(rulebook.root)
    try:
        tag = newest_release_tag(rules_dir)
    except RevisionError as exc:
        return ReleaseComparison(problem=f"Git cannot say which release came before: {exc}.")
    if tag is None:
        return ReleaseComparison(
            problem="No release has been tagged in git yet, so there is no earlier release to compare with."
        )
    try:
        with tempfile.TemporaryDirectory(prefix="triage-release-") as tmp:
            before = load_side(tag, rules_dir, Path(tmp))
    except SideError as exc:
        return ReleaseComparison(
            tag=tag, problem=f"The rules of the release {tag} cannot be compared: {exc.message}.", errors=exc.errors
        )
    except Exception as exc:  # noqa: BLE001 - the page must say so plainly, never fail
        return ReleaseComparison(
            tag=tag, problem=f"The rules of the release {tag} could not be read ({exc.__class__.__name__})."
        )
    now = "the rules this app is running"
    return ReleaseComparison(
        tag=tag, diff=diff_rulebooks(before.rulebook, rulebook, old_label=before.label, new_label=now)
    )
