"""A picture of the question flow, as SVG markup built on the server (no JavaScript).

``flow_svg(rulebook)`` draws the questions in the order they are asked, top
to bottom, on one main line. A question asked of everyone hangs off the line
with a solid link; a question asked only after certain answers is a side
branch: indented, joined by a dashed link from a diamond (a decision), with
"Only if ..." in its box. The full wording of every box and condition is in
``<desc>`` and on the questions page, so the picture may shorten long text.

Colours and lines are SVG presentation attributes (allowed by a strict
Content-Security-Policy, unlike ``style`` attributes); class names let the
stylesheet adjust them. Pure: no Flask here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from .conditions import All, AnyOf, Condition, Match, Not, describe

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
CHAR = {"bold": 7.6, "plain": 6.9}  # generous average character widths at 14px, used to shorten text
COLOURS = {
    "line": "#505a5f",
    "box": "#ffffff",
    "box_stroke": "#17456b",
    "gated_box": "#f3f2f1",
    "text": "#1b1b1b",
    "muted": "#505a5f",
}

KIND_WORDS = {"one": "one choice", "several": "several choices", "number": "a number"}


def _fit(text: str, width: float, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels (roughly)."""
    limit = max(8, int(width / CHAR["bold" if bold else "plain"]))
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")].rstrip(" ,;:(")
    return cut + "\u2026"


def _wrap(text: str, width: float, max_lines: int = 2) -> list[str]:
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
    lines.append(_fit(rest, width))
    return lines


def _name(qid: str) -> str:
    return qid.replace("_", " ").capitalize()


def brief(condition: Condition, questions: Mapping[str, Question], nested: bool = False) -> str:
    """A shorter plain-words form of a condition for a box.

    A test on several answers says how many first ("Pattern is one of 8
    answers: ..."), so the words stay true when the end is cut off to fit.
    """
    if isinstance(condition, (All, AnyOf)):
        joiner = " and " if isinstance(condition, All) else " or "
        text = joiner.join(brief(item, questions, nested=True) for item in condition.items)
        return f"({text})" if nested and len(condition.items) > 1 else text
    if isinstance(condition, Not):
        if isinstance(condition.item, Match):
            return _brief_test(condition.item, questions, negated=True)
        return f"not ({brief(condition.item, questions)})"
    return _brief_test(condition, questions, negated=False)


_VERBS = {
    # op: (one value, one value negated, several values, several values negated)
    "equals": ("is", "is not", "is one of", "is none of"),
    "one_of": ("is", "is not", "is one of", "is none of"),
    "includes": ("includes", "does not include", "includes any of", "includes none of"),
    "includes_all": ("includes", "does not include", "includes all of", "does not include all of"),
}


def _brief_test(test: Match, questions: Mapping[str, Question], negated: bool) -> str:
    if test.op not in _VERBS:
        return describe(Not(test) if negated else test, questions)
    question = questions.get(test.question)
    labels = [f"\u201c{question.label(v) if question else v}\u201d" for v in test.values]
    one, one_not, several, several_not = _VERBS[test.op]
    if len(labels) == 1:
        return f"{_name(test.question)} {one_not if negated else one} {labels[0]}"
    verb = several_not if negated else several
    return f"{_name(test.question)} {verb} {len(labels)} answers: {', '.join(labels)}"


def _attrs(**attrs: object) -> str:
    return "".join(f" {key.rstrip('_').replace('_', '-')}={quoteattr(str(value))}" for key, value in attrs.items())


def _text(x: float, y: float, text: str, cls: str, colour: str, **extra: object) -> str:
    return f"<text{_attrs(x=x, y=y, class_=cls, fill=colour, font_size=FONT, **extra)}>{escape(text)}</text>"


def flow_svg(rulebook: Rulebook, id_prefix: str = "flow") -> str:
    """The question flow as an accessible SVG (``role="img"``, ``<title>`` and ``<desc>``)."""
    questions = rulebook.question_by_id
    parts: list[str] = []
    y = 8
    # Start marker.
    parts.append(_text(SPINE_X + 14, y + 14, "Start", "flow-end", COLOURS["text"], font_weight="bold"))
    parts.append(f"<circle{_attrs(cx=SPINE_X, cy=y + 9, r=7, class_='flow-dot', fill=COLOURS['box_stroke'])}/>")
    spine_top = y + 16
    y += 30
    always = gated = 0
    descriptions: list[str] = []
    for number, question in enumerate(rulebook.questions, 1):
        is_gated = question.ask_when is not None
        x = GATED_X if is_gated else BOX_X
        width = BOX_RIGHT - x
        lines = [
            (f"{number}. {question.text}", "flow-text", COLOURS["text"]),
            (f"{question.id} \u00b7 {KIND_WORDS[question.kind]}", "flow-meta", COLOURS["muted"]),
        ]
        if question.ask_when is not None:
            gated += 1
            gate = _wrap("Only if " + brief(question.ask_when, questions), width - 32)
            lines += [(line, "flow-gate", COLOURS["text"]) for line in gate]
            descriptions.append(
                f"{number}. {question.id}, a side branch, asked only if {describe(question.ask_when, questions)}."
            )
        else:
            always += 1
            descriptions.append(f"{number}. {question.id}, asked of everyone.")
        height = PAD * 2 + LINE * len(lines) - 4
        middle = y + height / 2
        cls = "flow-box flow-box--gated" if is_gated else "flow-box"
        box = _attrs(
            x=x,
            y=y,
            width=width,
            height=height,
            rx=4,
            class_=cls,
            fill=COLOURS["gated_box" if is_gated else "box"],
            stroke=COLOURS["box_stroke"],
            stroke_width=2 if not is_gated else 1.5,
        )
        parts.append(f"<g{_attrs(class_='flow-question' + (' flow-question--gated' if is_gated else ''))}><rect{box}/>")
        for i, (text, text_cls, colour) in enumerate(lines):
            extra = {"font_style": "italic"} if text_cls == "flow-gate" else {}
            if text_cls == "flow-text":
                extra = {"font_weight": "bold"}
            parts.append(
                _text(
                    x + 12,
                    y + PAD + FONT + i * LINE - 2,
                    _fit(text, width - 24, bold=text_cls == "flow-text"),
                    text_cls,
                    colour,
                    **extra,
                )
            )
        parts.append("</g>")
        if is_gated:
            d = 7
            link = _attrs(
                d=f"M{SPINE_X + 4} {middle} H{x}",
                class_="flow-link flow-link--gated",
                fill="none",
                stroke=COLOURS["line"],
                stroke_width=2,
                stroke_dasharray="6 4",
            )
            parts.append(f"<path{link}/>")
            diamond = _attrs(
                d=f"M{SPINE_X} {middle - d} L{SPINE_X + d} {middle} L{SPINE_X} {middle + d} L{SPINE_X - d} {middle} Z",
                class_="flow-decision",
                fill=COLOURS["box"],
                stroke=COLOURS["line"],
                stroke_width=2,
            )
            parts.append(f"<path{diamond}/>")
        else:
            link = _attrs(
                d=f"M{SPINE_X} {middle} H{x}", class_="flow-link", fill="none", stroke=COLOURS["line"], stroke_width=2
            )
            parts.append(f"<path{link}/>")
        y += height + GAP
    # End: check answers, then the result.
    end_height = 36
    end_box = _attrs(
        x=BOX_X,
        y=y,
        width=BOX_RIGHT - BOX_X,
        height=end_height,
        rx=18,
        class_="flow-box flow-box--end",
        fill=COLOURS["box_stroke"],
        stroke=COLOURS["box_stroke"],
    )
    parts.append(f"<rect{end_box}/>")
    parts.append(
        _text(
            BOX_X + 16, y + 23, "Check your answers, then the summary", "flow-end-text", "#ffffff", font_weight="bold"
        )
    )
    spine_bottom = y + end_height / 2
    spine_attrs = _attrs(
        d=f"M{SPINE_X} {spine_top} V{spine_bottom} H{BOX_X - 2}",
        class_="flow-spine",
        fill="none",
        stroke=COLOURS["line"],
        stroke_width=3,
        marker_end=f"url(#{id_prefix}-arrow)",
    )
    spine = f"<path{spine_attrs}/>"
    total = y + end_height + 8
    title = (
        f"The question flow: {len(rulebook.questions)} questions, {always} asked of everyone, "
        f"{gated} asked only after certain answers"
    )
    desc = (
        "Questions are asked from top to bottom. Questions asked of everyone hang off the main line "
        "with a solid line; questions asked only after certain answers are side branches with a dashed "
        "line from a diamond. "
        + " ".join(descriptions)
        + " Then the person checks their answers and sees the summary."
    )
    marker_attrs = _attrs(
        id=f"{id_prefix}-arrow",
        viewBox="0 0 10 10",
        refX=8,
        refY=5,
        markerWidth=6,
        markerHeight=6,
        orient="auto-start-reverse",
    )
    marker = (
        f"<defs><marker{marker_attrs}>"
        f"<path{_attrs(d='M0 0 L10 5 L0 10 Z', fill=COLOURS['line'])}/></marker></defs>"
    )
    svg_attrs = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        class_="flow",
        viewBox=f"0 0 {WIDTH} {total:g}",
        width=WIDTH,
        height=f"{total:g}",
        role="img",
        aria_labelledby=f"{id_prefix}-title {id_prefix}-desc",
        font_family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
    )
    head = (
        f"<svg{svg_attrs}>"
        f"<title{_attrs(id=f'{id_prefix}-title')}>{escape(title)}</title>"
        f"<desc{_attrs(id=f'{id_prefix}-desc')}>{escape(desc)}</desc>"
    )
    return head + marker + spine + "".join(parts) + "</svg>"
