"""WTForms forms built from the questions in questions.yaml.

One form class per question, made once when the app starts (the choices are
fixed per question, so sharing them at class level is safe). Every form has a
single field called ``answer``: a set of radios, a set of checkboxes or a whole
number. WTForms parses and validates; the templates' macros do the rendering.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from triage.rulebook import Question

NUMBER_ERROR = "Enter a whole number, like 34"


def _quoted(label: str) -> str:
    return f"\u201c{label}\u201d"


def one_error(question: Question) -> str:
    """Name the way out the question really offers ("Not sure" only where there is one)."""
    unsure = next((o.label for o in question.options if o.value == "not_sure"), None)
    base = "Select the answer that fits best"
    return f"{base}, or {_quoted(unsure)} if you do not know" if unsure else base


def several_error(question: Question) -> str:
    """Name the question's own "none" and "not sure" answers, where it has them."""
    ways_out = [_quoted(o.label) for o in question.options if o.exclusive]
    base = "Select all that apply"
    return f"{base}, or {' or '.join(ways_out)}" if ways_out else base


class AnswerForm(FlaskForm):
    """Base class: one question, one ``answer`` field."""

    question_id: str = ""

    def answer_value(self) -> Any:
        """The answer as stored in the session: a string, a list of strings or an int."""
        return self.answer.data


class _Exclusive:
    """Several-choice rule: a "none" or "not sure" option cannot be combined with others."""

    def __init__(self, exclusive: Mapping[str, str]) -> None:
        self.exclusive = dict(exclusive)

    def __call__(self, form: AnswerForm, field: SelectMultipleField) -> None:
        chosen = list(field.data or [])
        for value in chosen:
            if value in self.exclusive and len(chosen) > 1:
                raise ValidationError(
                    f"Select \u201c{self.exclusive[value]}\u201d on its own, or untick it"
                )


class WholeNumberField(IntegerField):
    """A whole number typed as plain digits; anything else gets our own plain message."""

    data: int | None

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        if not isinstance(valuelist[0], str):  # Flask-WTF also passes uploaded files
            self.data = None
            raise ValueError(NUMBER_ERROR)
        raw = valuelist[0].strip()
        if not raw:
            self.data = None
            return
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
            self.data = None
            raise ValueError(NUMBER_ERROR)
        self.data = int(raw)


def form_class_for(question: Question) -> type[AnswerForm]:
    """Make the form class for one question model."""
    attrs: dict[str, Any] = {"question_id": question.id}
    if question.kind == "one":
        attrs["answer"] = RadioField(
            question.text,
            choices=[SelectChoice(o.value, o.label) for o in question.options],
            validators=[InputRequired(one_error(question))],
        )
    elif question.kind == "several":
        exclusive = {o.value: o.label for o in question.options if o.exclusive}
        attrs["answer"] = SelectMultipleField(
            question.text,
            choices=[SelectChoice(o.value, o.label) for o in question.options],
            validators=[InputRequired(several_error(question)), _Exclusive(exclusive)],
        )
    elif question.kind == "number":
        low, high = question.min, question.max
        attrs["answer"] = WholeNumberField(
            question.text,
            validators=[
                InputRequired(NUMBER_ERROR),
                NumberRange(low, high, f"Enter a number from {low} to {high}"),
            ],
        )
    else:  # pragma: no cover - the rulebook models allow only these kinds
        raise ValueError(f"unknown question kind {question.kind!r}")
    return type(f"Form_{question.id}", (AnswerForm,), attrs)


def build_form_classes(questions: Iterable[Question]) -> dict[str, type[AnswerForm]]:
    """Form classes for every question, keyed by question id."""
    return {q.id: form_class_for(q) for q in questions}
