"""Where things go in the picture of the question flow: geometry only.

``flow_layout(rulebook, gates)`` places the questions in the order they are
asked, top to bottom, on one main line. A question asked of everyone hangs
off the line; a question asked only after certain answers is a side branch,
indented, with its condition (``gates[question_id]``, already in words) in its
box. Long text is shortened to fit. The SVG itself, its colours and every
word that is not a rule's own text are in ``templates/clinician/_flow.html``,
where Jinja escapes the text. Pure: no Flask, no markup, no sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Question, Rulebook

WIDTH = 640
SPINE_X = 24
BOX_X = 48
GATED_X = 88
BOX_RIGHT = 616
LINE = 19  # distance between text lines
PAD = 10
GAP = 16  # space between boxes
FONT = 14
DIAMOND = 7  # half the width of a side branch's diamond
END_HEIGHT = 36
CHAR = {"bold": 7.6, "plain": 6.9}  # generous average character widths at 14px, used to shorten text


@dataclass(frozen=True)
class Line:
    """One line of text in a box: ``kind`` is ``title`` (the question), ``meta`` (its id
    and kind, worded by the template: ``text`` is empty) or ``gate`` (its condition)."""

    kind: str
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Box:
    """One question's box; ``middle`` is where its link meets the main line."""

    number: int
    question: Question
    gated: bool
    x: float
    y: float
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class FlowLayout:
    """The whole picture: the boxes, the main line from ``spine_top`` to ``spine_bottom``,
    the closing box at ``end_y`` and the picture's ``height``."""

    boxes: tuple[Box, ...]
    spine_top: float
    spine_bottom: float
    end_y: float
    height: float
    width: int = WIDTH
    spine_x: int = SPINE_X
    box_x: int = BOX_X
    box_right: int = BOX_RIGHT
    end_height: int = END_HEIGHT
    diamond: int = DIAMOND
    font: int = FONT

    @property
    def always(self) -> int:
        """How many questions everyone is asked."""
        return sum(not box.gated for box in self.boxes)

    @property
    def gated(self) -> int:
        """How many questions are side branches."""
        return sum(box.gated for box in self.boxes)


def fit(text: str, width: float, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels (roughly)."""
    limit = max(8, int(width / CHAR["bold" if bold else "plain"]))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")].rstrip(" ,;:(")
    return cut + "\u2026"


def wrap(text: str, width: float, max_lines: int = 2) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of ``width`` pixels, the last one shortened."""
    limit = max(8, int(width / CHAR["plain"]))
    lines: list[str] = []
    rest = text
    while rest and len(lines) < max_lines - 1 and len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            break
        lines.append(rest[:cut])
        rest = rest[cut + 1 :]
    lines.append(fit(rest, width))
    return lines


def flow_layout(rulebook: Rulebook, gates: Mapping[str, str]) -> FlowLayout:
    """Place every question of ``rulebook``; ``gates`` words each side branch's condition."""
    boxes = []
    y = 38
    for number, question in enumerate(rulebook.questions, 1):
        gated = question.ask_when is not None
        x = GATED_X if gated else BOX_X
        width = BOX_RIGHT - x
        texts = [("title", fit(f"{number}. {question.text}", width - 24, bold=True)), ("meta", "")]
        if gated:
            texts += [("gate", line) for line in wrap(gates[question.id], width - 32)]
        lines = tuple(Line(kind, text, x + 12, y + PAD + FONT + i * LINE - 2) for i, (kind, text) in enumerate(texts))
        height = PAD * 2 + LINE * len(lines) - 4
        boxes.append(Box(number, question, gated, x, y, width, height, lines))
        y += height + GAP
    return FlowLayout(
        boxes=tuple(boxes),
        spine_top=24,
        spine_bottom=y + END_HEIGHT / 2,
        end_y=y,
        height=y + END_HEIGHT + 8,
    )
