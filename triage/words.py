"""The rulebook in words, for Python callers: the flow picture, the exports, the CLI, tests.

The words are written once, in text macro files under ``templates/macros/``
(``words.txt``: conditions, given a ``Plain`` tree from ``triage.rulebook.plain.explain``;
``review_words.txt``, ``case_words.txt``, ``lint_words.txt``, ``diff_words.txt``: the clinical
diff, given a ``triage.rulebook.diff.RulebookDiff``). The HTML pages import those
macros directly; this module renders the same macros with a plain Jinja environment (no
Flask, so the CLI and the export can use it too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from triage.paths import templates_folder
from triage.rulebook.conditions import Condition
from triage.rulebook.diagram import FlowLayout, flow_layout
from triage.rulebook.diff import Version
from triage.rulebook.engine import Assessment, Miss
from triage.rulebook.hidden import HiddenRead
from triage.rulebook.models import Expect, Rulebook
from triage.rulebook.plain import Plain, explain
from triage.rulebook.review import Lint
from triage.rulebook.signoff import FileStatus, Signed, status_counts

WORDS_TEMPLATE = "macros/words.txt"
REVIEW_WORDS_TEMPLATE = "macros/review_words.txt"
CASE_WORDS_TEMPLATE = "macros/case_words.txt"
LINT_WORDS_TEMPLATE = "macros/lint_words.txt"
DIFF_WORDS_TEMPLATE = "macros/diff_words.txt"


@cache
def environment(text: bool = False) -> Environment:
    """A plain Jinja environment over the app's templates, for rendering outside a request.

    HTML is autoescaped, text and Markdown are not. ``text=True`` trims the newline after a
    block tag and the spaces before it (``trim_blocks``, ``lstrip_blocks``), as the text and
    Markdown templates (the diff, the Markdown export) are written for. Both have the
    Markdown filters ``md``, ``md_cell`` and ``md_url``.
    """
    env = Environment(
        loader=FileSystemLoader(str(templates_folder())),
        autoescape=select_autoescape(["html", "svg"]),
        keep_trailing_newline=True,
        trim_blocks=text,
        lstrip_blocks=text,
    )
    env.filters.update(md=markdown_text, md_cell=markdown_cell, md_url=markdown_url)
    return env


# Characters that can start Markdown syntax anywhere in a line, and at the start of a block.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_MD_BLOCK_MARK = re.compile(r"^(\s*)([#>+-])(?=\s|$)")
_MD_NUMBERED = re.compile(r"^(\s*\d+)\.(?=\s|$)")


def markdown_text(value: object) -> str:
    """Text as literal Markdown: ``\\ ` * _ [ ] < > |`` escaped, and a leading ``#``, ``>``,
    ``+``, ``-`` or ``1.`` that would make a heading, a quote or a list."""
    escaped = _MD_INLINE.sub(r"\\\1", str(value))
    escaped = _MD_BLOCK_MARK.sub(r"\1\\\2", escaped)
    return _MD_NUMBERED.sub(r"\1\\.", escaped)


def markdown_cell(value: object) -> str:
    """``markdown_text`` on one line, for a table cell."""
    return markdown_text(" ".join(str(value).split()))


_URL_UNSAFE = str.maketrans({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"})


def markdown_url(value: object) -> str:
    """A link target that cannot end the link early: spaces and brackets percent-encoded."""
    return str(value).translate(_URL_UNSAFE)


@cache
def _module(template: str) -> Any:
    """The macros of one text macro file, loaded once."""
    return environment().get_template(template).module


def _macros() -> Any:
    return _module(WORDS_TEMPLATE)


def _review_macros() -> Any:
    return _module(REVIEW_WORDS_TEMPLATE)


def _case_macros() -> Any:
    return _module(CASE_WORDS_TEMPLATE)


def _lint_macros() -> Any:
    return _module(LINT_WORDS_TEMPLATE)


def _diff_macros() -> Any:
    return _module(DIFF_WORDS_TEMPLATE)


def sentence(tree: Plain) -> str:
    """The whole condition on one line: ``Age is below 12 and (Fever is “Yes” or ...)``."""
    return str(_macros().sentence(tree))


def each_test(tree: Plain | None) -> list[str]:
    """Every single test of the tree in words, in reading order (none for no tree)."""
    return [] if tree is None else [str(_macros().test(test)) for test in tree.tests()]


def brief(tree: Plain) -> str:
    """One line, each test on several answers counting them first (the flow picture's boxes)."""
    return str(_macros().brief(tree))


def gate(tree: Plain) -> str:
    """``Only if ...``: a side branch's condition in the flow picture."""
    return str(_macros().gate(tree))


def lines(tree: Plain, indent: str = "  ", bullet: str = "- ") -> list[str]:
    """The tree as indented bullet lines (Markdown, the terminal)."""
    return str(_macros().lines(tree, indent, bullet)).split("\n")


def describe(condition: Condition, questions: Mapping[str, Any]) -> str:
    """A parsed condition on one line (``sentence`` of its ``Plain`` tree)."""
    return sentence(explain(condition, questions))


def review_status(status: FileStatus) -> str:
    """A rule file's review status: ``Reviewed by X on D (approved)``, ``Changed since X
    reviewed it on D``, ``Not reviewed by a named clinician``."""
    return str(_review_macros().status(status))


def file_title(status: FileStatus) -> str:
    """What a rule file holds: ``Alopecia areata`` (a type's name), ``Red flags and care notes``."""
    return str(_review_macros().title(status))


def review_summary(statuses: tuple[FileStatus, ...]) -> str:
    """``1 of 30 rule files reviewed for their current content, 2 changed since review, 27 not reviewed``."""
    return str(_review_macros().summary(status_counts(statuses), len(statuses)))


def reviewer(signed: Signed) -> str:
    """Who made a review record: ``Dr A Person, Consultant dermatologist (GMC 1234567)``."""
    return str(_review_macros().reviewer(signed))


def review_scope(signed: Signed) -> str:
    """What a review record covers: ``content, sources``."""
    return str(_review_macros().scope(signed))


def review_outcome(signed: Signed) -> str:
    """What the reviewer concluded: ``approved with changes``."""
    return str(_review_macros().outcome(signed))


def case_expected(expect: Expect) -> str:
    """What a worked case expects, short: ``first aa; top3 aa, phl; care soon; flags x``."""
    return str(_case_macros().expected(expect))


def case_actual(assessment: Assessment) -> str:
    """What the rules made of a case's answers, short: ``aa, phl; care soon`` (``unclear; ...``)."""
    return str(_case_macros().actual(assessment))


def case_failure(miss: Miss) -> str:
    """One way a case's result differs: ``expected care level 'urgent', got 'soon'``."""
    return str(_case_macros().failure(miss))


def lint_message(lint: Lint) -> str:
    """A coverage warning in words: ``type 'x' has 1 source; add at least 2``."""
    return str(_lint_macros().message(lint))


def lint_line(lint: Lint) -> str:
    """A coverage warning with its place: ``rules/types/x.yaml:1: warning: type 'x' has ...``."""
    return str(_lint_macros().line(lint))


def file_warning(status: FileStatus, *, name_file: bool = True) -> str | None:
    """What ``triage rules check`` and the coverage warnings say about a rule file's review,
    if anything (``FileStatus.has_warning``). With ``name_file=False`` the file is "this file"
    (the line already starts with its path)."""
    if not status.has_warning:
        return None
    return str(_lint_macros().file_warning(status, status.file if name_file else "this file"))


def hidden_message(hidden: HiddenRead) -> str:
    """Evidence the branching can hide, in words (``'x' reads 'q', which the branching can skip ...``)."""
    return str(_lint_macros().hidden(hidden.type_id, hidden.question_id, hidden.direction))


def version_name(version: Version) -> str:
    """Which rules a side of the diff is: ``git revision v1 (commit 1a2b3c4 of 2026-01-05)``."""
    return str(_diff_macros().version(version))


def flow(rulebook: Rulebook) -> FlowLayout:
    """The layout of the question-flow picture, each side branch worded by ``gate``
    (drawn by ``flow_svg`` in templates/clinician/_flow.html)."""
    questions = rulebook.question_by_id
    gates = {q.id: gate(explain(q.ask_when, questions)) for q in rulebook.questions if q.ask_when is not None}
    return flow_layout(rulebook, gates)
