"""WTForms forms built from the questions in questions.yaml.

One form class per question, made once when the app starts. Every form has a
single field called ``answer``: a set of radios, a set of checkboxes or a whole
number. WTForms parses what was sent; the one check of it is the question's
``AnswerSpec.problems`` (triage/rulebook/flow.py), for the options the page
showed (``AnswerForm.shown``). A problem is recorded as a ``FormProblem`` (a
code and the words it names, no sentence): the ``problem_text`` macro in
templates/macros/forms.html puts it into words, and the templates render the
fields from the question's options.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, RadioField, SelectMultipleField
from wtforms.validators import ValidationError

from triage import journey
from triage.rulebook import AnswerSpec, Question


@dataclass(frozen=True)
class FormProblem:
    """What is wrong with what a question's form sent, for the page to put into words.

    ``kind`` is the question's kind; ``code`` and ``args``:

    - ``required``: nothing chosen or typed. ``args``: the labels of the answers
      the question offers as a way out: a one-choice question's "I'm not sure"
      (``answer_roles`` in questions.yaml), a several-choice question's
      exclusive answers ("None of these", "I'm not sure").
    - ``unknown_option``: a value that is not among the options the page showed
      (a changed or forged form). ``args``: those values, as sent, each once.
    - ``exclusive``: an exclusive answer with others. ``args``: its label.
    - ``not_number``: not a whole number in plain digits. ``out_of_range``:
      ``args`` are the lowest and the highest number allowed.
    """

    code: str
    kind: str
    args: tuple[Any, ...] = ()


class AnswerForm(FlaskForm):
    """Base class: one question, one ``answer`` field."""

    question_id: str = ""
    # The option values the page showed (show_when hides some); None: every option.
    shown: Collection[str] | None = None
    # What was sent includes a value no option on the page has: it cannot come from the page (a 400).
    refused: bool = False

    def answer_value(self) -> Any:
        """The answer as stored in the session: a string, a list of strings or an int."""
        return self.answer.data


class WholeNumberField(IntegerField):
    """A whole number typed as plain digits (at most 6); anything else leaves ``data`` None."""

    data: int | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and isinstance(valuelist[0], str):  # Flask-WTF also passes uploaded files
            raw = valuelist[0].strip()
            if raw.isascii() and raw.isdigit() and len(raw) <= 6:
                self.data = int(raw)


class CheckAnswer:
    """The form's one check: the question's ``AnswerSpec.problems``, for the options shown.

    Records the first problem as a ``FormProblem`` (the one the page shows), and
    on the form whether a value was sent that no option on the page has.
    """

    def __init__(self, question: Question) -> None:
        self.question = question
        self.spec = AnswerSpec.for_question(question)
        self.labels = {o.value: o.label for o in question.options}

    def __call__(self, form: AnswerForm, field: Field) -> None:
        kind, shown = self.question.kind, form.shown
        raw = field.raw_data or []
        if kind != "number":
            sent = [v for v in raw if isinstance(v, str)]  # an uploaded file is no option value either way
            found = self.spec.problems(sent, shown) if kind == "several" else [
                p for v in sent for p in self.spec.problems(v, shown)
            ]
            form.refused = any(p.code == "unknown_option" for p in found)
        problem = self.problem(field, raw, shown)
        if problem is not None:
            raise ValidationError(problem)

    def problem(self, field: Field, raw: list[Any], shown: Collection[str] | None) -> FormProblem | None:
        kind = self.question.kind
        if not raw or not raw[0]:
            return FormProblem("required", kind, self.ways_out())
        if kind == "number":
            value = field.data if field.data is not None else raw[0]
            found = self.spec.problems(value)
            if not found:
                return None
            if found[0].code == "out_of_range":
                return FormProblem("out_of_range", kind, (self.question.min, self.question.max))
            return FormProblem("not_number", kind)
        data = field.data  # as WTForms read it: a string, or a list of strings
        found = self.spec.problems(data, shown)
        unknown = [p.value for p in found if p.code == "unknown_option"]
        if unknown:
            return FormProblem("unknown_option", kind, tuple(dict.fromkeys(str(v) for v in unknown)))
        exclusive = [p.value for p in found if p.code == "exclusive"]
        if exclusive:  # the first of them as sent
            first = min(exclusive, key=data.index)
            return FormProblem("exclusive", kind, (self.labels[first],))
        return None

    def ways_out(self) -> tuple[str, ...]:
        """The answers a message names for a question left unanswered."""
        if self.question.kind == "several":
            return tuple(o.label for o in self.question.options if o.exclusive)
        if self.question.kind == "one":  # the app's rulebook says which answer is "not sure"
            unsure = journey.rulebook().not_sure_option(self.question)
            return (unsure.label,) if unsure is not None else ()
        return ()


def form_class_for(question: Question) -> type[AnswerForm]:
    """Make the form class for one question model.

    WTForms' own choice check is off (``validate_choice=False``): it would add
    its own message before ours, and needs the choices set on every request.
    ``CheckAnswer`` checks against the options shown instead.
    """
    attrs: dict[str, Any] = {"question_id": question.id}
    validators = [CheckAnswer(question)]
    if question.kind == "one":
        attrs["answer"] = RadioField(question.text, validators=validators, validate_choice=False)
    elif question.kind == "several":
        attrs["answer"] = SelectMultipleField(question.text, validators=validators, validate_choice=False)
    elif question.kind == "number":
        attrs["answer"] = WholeNumberField(question.text, validators=validators)
    else:  # pragma: no cover - the rulebook models allow only these kinds
        raise ValueError(f"unknown question kind {question.kind!r}")
    return type(f"Form_{question.id}", (AnswerForm,), attrs)


def build_form_classes(questions: Iterable[Question]) -> dict[str, type[AnswerForm]]:
    """Form classes for every question, keyed by question id."""
    return {q.id: form_class_for(q) for q in questions}
