"""Loading a rules folder: read every file once, validate, cross-check, report every problem.

``load_rulebook(dir)`` returns a ``Rulebook`` or raises ``RulebookError``
whose ``errors`` are every problem found, sorted, each as
``rules/path/file.yaml:LINE:COL: message`` (the path starts with the rules
folder's own name).

Three passes: (1) YAML (syntax, explicit tags, duplicate keys), (2) one
pydantic model per file, (3) checks across files: question ids and option
values in conditions, ``ask_when`` order, ids, care levels, sources, cases,
and the rule files that review records in ``reviews.yaml`` name.

``reviews.yaml`` (optional) is not a rule file: it records who reviewed which
rule file, so it is not part of the rulebook version (recording a review does
not change the rules) and is never itself reviewed.

Loading runs no other program (no git): the version is a hash of the rule files'
bytes and the "last changed" day comes from the files or a build stamp (stamp.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from triage.paths import default_rules_dir  # the one owner of the default rules folder (re-exported)

from . import models as m
from .conditions import Condition, Match, Where, show_value, suggest
from .flow import answer_problems, walk
from .source import Problem, YMap, position, read_yaml
from .stamp import REQUIRED_FILES, REVIEWS_FILE, RULE_FOLDERS, stamped_date


class RulebookError(Exception):
    """The rules folder has problems; ``errors`` lists every one, sorted."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = sorted(errors, key=_error_sort_key)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


_LINE_RE = re.compile(r"^(.*?):(\d+):(\d+): (.*)$", re.S)


def _error_sort_key(line: str) -> tuple[str, int, int, str]:
    """Sort by file, then line and column as numbers (line 9 before line 10)."""
    found = _LINE_RE.match(line)
    if not found:
        return (line, 0, 0, "")
    return (found[1], int(found[2]), int(found[3]), found[4])


# Keys that earlier versions of the rule files had, and what replaced them. An old
# version of the rules (``triage rules diff`` against a git revision) is read with
# ``legacy=True``, which ignores them; otherwise each is an error that says what to do.
RETIRED_TYPE_KEYS = {
    "review": (
        "the 'review:' block is retired: a review is recorded, bound to the file's content, in "
        f"{REVIEWS_FILE} with `triage rules review` (see rules/README.md); delete this block"
    ),
}


def load_rulebook(rules_dir: str | os.PathLike[str] | None = None, *, legacy: bool = False) -> m.Rulebook:
    """Read and validate a rules folder once (default: ``default_rules_dir()``).

    ``legacy=True`` reads an old version of the rules: keys that have since been
    retired (``RETIRED_TYPE_KEYS``) are ignored instead of reported.
    """
    root = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    return _Loader(root, legacy=legacy).load()


# --- pydantic errors -> file:line:col -----------------------------------------------

_PATTERN_MESSAGES = {
    m.ID_PATTERN: "is not a valid id: use lower-case letters, digits and _, starting with a letter",
    m.VALUE_PATTERN: "is not a valid option value: use lower-case letters, digits and _",
    m.URL_PATTERN: "is not a web address (it must start with https:// or http://)",
    m.DATE_PATTERN: "is not a date written as YYYY-MM-DD",
    m.SHA256_PATTERN: (
        "is not a content hash: write the file's SHA-256 as lower-case hex, at least its first 16 digits "
        "(triage rules review writes it for you)"
    ),
}


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional from a type annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def _allowed_keys(model: type[BaseModel], path: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys the model allows at ``path`` (for "did you mean")."""
    annotation: Any = model
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if part not in annotation.model_fields:
                return ()
            annotation = annotation.model_fields[part].annotation
        elif typing.get_origin(annotation) in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return ()
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return tuple(annotation.model_fields)
    return ()


def _message(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind, loc, ctx, given = error["type"], error["loc"], error.get("ctx") or {}, error.get("input")
    if kind in ("rule", "condition"):
        return ctx["message"]
    if kind == "missing":
        return f"missing key '{loc[-1]}'"
    if kind == "extra_forbidden":
        key = loc[-1]
        allowed = _allowed_keys(model, tuple(p for p in loc[:-1]))
        hint = suggest(key, allowed)
        listed = f"; allowed keys: {', '.join(allowed)}" if allowed and not hint else ""
        return f"unknown key '{key}'{hint}{listed}"
    simple = {
        "string_type": "expected text",
        "int_type": "expected a whole number",
        "number_type": "expected a number",
        "bool_type": "expected true or false",
        "tuple_type": "expected a list",
        "list_type": "expected a list",
        "dict_type": "expected a mapping (key: value lines)",
        "model_type": "expected a mapping (key: value lines)",
        "model_attributes_type": "expected a mapping (key: value lines)",
    }
    if kind in simple:
        return f"{simple[kind]}, got {show_value(given)}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        return f"{show_value(given)} is not allowed{suggest(given, choices)}; use one of: {', '.join(choices)}"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        if pattern == r"\S":
            return "must not be empty"
        return f"{show_value(given)} {_PATTERN_MESSAGES.get(pattern, 'has the wrong form')}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"has more than {ctx.get('max_length')} item(s)"
    if kind == "greater_than":
        return f"must be greater than {ctx.get('gt')}, got {show_value(given)}"
    return error["msg"]


def _at(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple) else (value,)


def validation_problems(exc: ValidationError, data: Any, rel: str, model: type[BaseModel]) -> list[Problem]:
    """Turn a pydantic ValidationError into located problems (duplicates removed)."""
    problems = []
    for error in exc.errors(include_url=False):
        ctx = error.get("ctx") or {}
        if error["type"] == "condition" and ctx.get("line"):
            line, col = ctx["line"], ctx["col"]
        else:
            path = tuple(error["loc"]) + _at(ctx.get("at"))
            line, col = position(data, path, key=error["type"] == "extra_forbidden")
        problems.append(Problem(rel, line, col, _message(error, model)))
    return sorted(set(problems))


# --- the loader ------------------------------------------------------------------------


# --- conditions against the questions ------------------------------------------

_KIND_WORDS = {"one": "one-choice", "several": "several-choice", "number": "number"}


def check_against(condition: Condition, questions: Mapping[str, m.Question]) -> list[tuple[Where, str]]:
    """Problems of a condition against the questions: unknown ids and options, wrong operators."""
    problems: list[tuple[Where, str]] = []
    for test in condition.matches():
        question = questions.get(test.question)
        if question is None:
            problems.append((test.where, f"unknown question '{test.question}'{suggest(test.question, questions)}"))
            continue
        message = _operator_problem(test, question)
        if message:
            problems.append((test.where, message))
            continue
        if test.op in ("equals", "one_of", "includes", "includes_all"):
            allowed = [o.value for o in question.options]
            for value, where in zip(test.values, test.value_wheres or (test.where,) * len(test.values), strict=False):
                if value not in allowed:
                    problems.append(
                        (where, f"unknown option '{value}' for question '{test.question}'{suggest(value, allowed)}")
                    )
    return problems


def _operator_problem(test: Match, question: m.Question) -> str | None:
    qid, kind, op = test.question, question.kind, test.op
    if op == "answered":
        return None
    if kind == "number" and op not in ("at_least", "below"):
        return f"'{qid}' is a number question: test it with {{at_least: N}} or {{below: N}}"
    if op in ("at_least", "below") and kind != "number":
        return f"'{op}:' only works on number questions; '{qid}' is a {_KIND_WORDS[kind]} question"
    if kind == "several" and op in ("equals", "one_of"):
        return (
            f"'{qid}' is a several-choice question: write '{qid}: {{includes: ...}}' "
            "or '{includes_all: [...]}' instead of a plain value"
        )
    if kind == "one" and op in ("includes", "includes_all"):
        return f"'{qid}' is a one-choice question: write '{qid}: value' or '{qid}: [value, ...]', not '{op}:'"
    return None


class _Loader:
    """Collects problems while reading one rules folder."""

    def __init__(self, root: Path, *, legacy: bool = False) -> None:
        self.root = root
        self.legacy = legacy
        self.name = root.resolve().name  # messages start with the folder's own name
        self.errors: list[Problem] = []
        self.lints: list[Problem] = []
        self.questions_asked: dict[str, int] = {}  # case id -> questions on its branch
        self.data: dict[str, Any] = {}
        self.found: list[str] = []  # every rule file present, sorted
        self.digest = hashlib.sha256()
        self.newest: float | None = None  # the newest modification time of a rule file
        self.hashes: dict[str, str] = {}  # path inside the folder -> SHA-256 of the bytes
        self.reviews_rel = f"{self.name}/{REVIEWS_FILE}"

    def rel(self, path: Path) -> str:
        return f"{self.name}/{path.relative_to(self.root).as_posix()}"

    def error(self, rel: str, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        self.errors.append(Problem(rel, *position(self.data.get(rel), path, key=key), message))

    def error_at(self, where: Where, message: str) -> None:
        self.errors.append(Problem(where.file, where.line, where.col, message))

    def lint(self, rel: str, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        self.lints.append(Problem(rel, *position(self.data.get(rel), path, key=key), f"warning: {message}"))

    # reading

    def files(self) -> list[Path]:
        found = [self.root / name for name in REQUIRED_FILES]
        for folder in RULE_FOLDERS:
            where = self.root / folder
            if where.is_dir():
                found += sorted(where.glob("*.yaml"))
                for odd in sorted(where.glob("*.yml")):
                    self.errors.append(Problem(self.rel(odd), 1, 1, "rule files must end in .yaml"))
            elif folder == "types":
                self.errors.append(Problem(f"{self.name}/types", 1, 1, "the types/ folder is missing"))
        return sorted(found, key=lambda p: p.relative_to(self.root).as_posix())

    def read_all(self) -> None:
        """Read every rule file once; hash (relative path + bytes) for the version."""
        for path in self.files():
            rel = self.rel(path)
            if not path.is_file():
                self.errors.append(Problem(rel, 1, 1, f"file not found: every rules folder needs {path.name}"))
                continue
            self.found.append(rel)
            raw = path.read_bytes()
            mtime = path.stat().st_mtime
            self.newest = mtime if self.newest is None else max(self.newest, mtime)
            inner = path.relative_to(self.root).as_posix()
            self.digest.update(inner.encode("utf-8") + b"\0" + raw + b"\0")
            self.hashes[inner] = hashlib.sha256(raw).hexdigest()
            self.read(raw, rel)
        reviews = self.root / REVIEWS_FILE
        if reviews.is_file():
            self.read(reviews.read_bytes(), self.reviews_rel)

    def read(self, raw: bytes, rel: str) -> None:
        data, problems = read_yaml(raw, rel)
        self.errors += problems
        if data is not None:
            self.data[rel] = data

    def model(self, rel: str, cls: type[BaseModel]) -> Any:
        data = self.data.get(rel)
        if data is None:
            return None
        if not isinstance(data, YMap):
            self.errors.append(Problem(rel, 1, 1, f"expected a mapping (key: value lines), got {show_value(data)}"))
            return None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            self.errors += validation_problems(exc, data, rel, cls)
            return None

    def retire(self, rel: str) -> str:
        """Take retired keys out of a type file's data: ignored (legacy) or each reported once."""
        data = self.data.get(rel)
        if isinstance(data, YMap) and any(key in data for key in RETIRED_TYPE_KEYS):
            kept = YMap({k: v for k, v in data.items() if k not in RETIRED_TYPE_KEYS})
            kept.file, kept.line, kept.col = data.file, data.line, data.col
            kept.key_pos = {k: v for k, v in data.key_pos.items() if k not in RETIRED_TYPE_KEYS}
            kept.value_pos = {k: v for k, v in data.value_pos.items() if k not in RETIRED_TYPE_KEYS}
            if not self.legacy:
                for key, message in RETIRED_TYPE_KEYS.items():
                    if key in data:
                        self.error(rel, (key,), message, key=True)
            self.data[rel] = kept
        return rel

    def load(self) -> m.Rulebook:
        if not self.root.is_dir():
            raise RulebookError([f"{self.root}: not a folder (no rules found here)"])
        self.read_all()
        # A missing file or folder that every rulebook needs: say that alone, not
        # the hundreds of follow-on errors (every case naming an unknown type).
        missing = [p for p in self.errors if p.message.startswith(("file not found", "the types/ folder is missing"))]
        if missing:
            raise RulebookError(str(p) for p in missing)
        name = self.name
        questions_rel, care_rel, flags_rel = (f"{name}/{f}" for f in REQUIRED_FILES)
        questions = self.model(questions_rel, m.QuestionsFile)
        care = self.model(care_rel, m.CareLevelsFile)
        flags = self.model(flags_rel, m.RedFlagsFile)
        hair_types = [
            (rel, self.model(self.retire(rel), m.HairType)) for rel in self.found if rel.startswith(f"{name}/types/")
        ]
        case_files = [(rel, self.model(rel, m.CasesFile)) for rel in self.found if rel.startswith(f"{name}/cases/")]

        by_id = self.check_questions(questions_rel, questions)
        levels = self.check_care(care_rel, care, by_id)
        self.check_types(hair_types, by_id, levels)
        self.check_red_flags(flags_rel, flags, by_id, levels)
        # A type file that failed to load still declares its id (its file name).
        type_ids = {t.id if t else rel.rsplit("/", 1)[-1].removesuffix(".yaml") for rel, t in hair_types}
        flag_ids = {f.id for f in flags.red_flags} if flags else None  # unknown when the file failed
        note_ids = {n.id for n in flags.care_notes} if flags else None
        cases, case_where = self.check_cases(case_files, questions, by_id, levels, type_ids, flag_ids, note_ids)
        signoffs, signoff_where = self.check_reviews(self.model(self.reviews_rel, m.ReviewsFile))

        if self.errors:
            raise RulebookError(str(p) for p in set(self.errors))
        return m.Rulebook(
            root=self.root,
            version=self.digest.hexdigest()[:12],
            sections=questions.sections,
            questions=questions.questions,
            child_wording=questions.child_wording,
            timeline=questions.timeline,
            answer_roles=questions.answer_roles,
            merged_questions=MappingProxyType(dict(questions.merged_questions)),
            types=tuple(t for _, t in hair_types),
            red_flags=flags.red_flags,
            care_notes=flags.care_notes,
            care=care,
            cases=tuple(cases),
            case_where=case_where,
            questions_asked=MappingProxyType(self.questions_asked),
            lints=tuple(str(p) for p in sorted(set(self.lints))),
            updated=self.updated(),
            file_hashes=MappingProxyType(dict(sorted(self.hashes.items()))),
            signoffs=signoffs,
            signoff_where=signoff_where,
        )

    def updated(self) -> date | None:
        """The day the rule files last changed, without running git (stamp.py).

        The day in the folder's build stamp while the rule files are exactly the
        ones it was written for (an installed wheel, whose files all carry the
        time they were installed); otherwise the day (UTC) the newest rule file
        was written.
        """
        if self.newest is None:
            return None
        return stamped_date(self.root, self.hashes) or datetime.fromtimestamp(self.newest, tz=UTC).date()

    # cross-file checks

    def condition(self, condition: Condition | None, by_id: Mapping[str, m.Question | None] | None) -> None:
        """Cross-check a condition; tests on questions that failed to load are skipped."""
        if condition is None or by_id is None:
            return
        valid = {qid: q for qid, q in by_id.items() if q is not None}
        for match in condition.matches():
            if match.question in by_id and by_id[match.question] is None:
                continue
            for where, message in check_against(match, valid):
                self.error_at(where, message)

    def items(self, rel: str, loaded: Any, attr: str, cls: type[BaseModel]) -> list[tuple[int, Any]]:
        """(index, model) of each valid item of list ``attr``.

        When the whole file failed to validate, the items are validated one
        by one so that the good ones are still cross-checked.
        """
        if loaded is not None:
            return list(enumerate(getattr(loaded, attr)))
        data = self.data.get(rel)
        seq = data.get(attr) if isinstance(data, dict) else None
        if not isinstance(seq, tuple):
            return []
        valid = []
        for i, item in enumerate(seq):
            with contextlib.suppress(ValidationError):  # already reported by the file's model
                valid.append((i, cls.model_validate(item)))
        return valid

    def unique(self, rel: str, ids: Iterable[tuple[int, str | None]], path: tuple[Any, ...], what: str) -> None:
        """Report every repeated id (each at ``path + (i, 'id')``)."""
        first: dict[str, int] = {}
        for i, item_id in ids:
            if item_id is None:
                continue
            if item_id in first:
                line, _ = position(self.data.get(rel), path + (first[item_id], "id"))
                self.error(rel, path + (i, "id"), f"duplicate {what} id '{item_id}' (first used on line {line})")
            else:
                first[item_id] = i

    def question_entries(self, rel: str, questions: m.QuestionsFile | None) -> list[tuple[str | None, Any]] | None:
        """(id, Question or None when invalid) for each question, even if the file failed."""
        if questions is not None:
            return [(q.id, q) for q in questions.questions]
        data = self.data.get(rel)
        items = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(items, tuple):
            return None
        entries: list[tuple[str | None, Any]] = []
        for item in items:
            try:
                question: Any = m.Question.model_validate(item)
            except ValidationError:  # already reported by the file's model
                question = None
            raw_id = item.get("id") if isinstance(item, dict) else None
            entries.append((raw_id if isinstance(raw_id, str) else None, question))
        return entries

    def check_questions(self, rel: str, questions: m.QuestionsFile | None) -> dict[str, Any] | None:
        """Ids, sections and ask_when; returns {id: Question, or None when that question is invalid}."""
        entries = self.question_entries(rel, questions)
        if entries is None:
            return None
        self.unique(rel, ((i, qid) for i, (qid, _) in enumerate(entries)), ("questions",), "question")
        by_id: dict[str, Any] = {}
        for qid, q in entries:
            if qid is not None:
                by_id.setdefault(qid, q)
        order = {qid: i for i, (qid, _) in reversed(list(enumerate(entries))) if qid is not None}
        if questions is not None:
            self.condition(questions.child_wording, by_id)
            if questions.timeline is not None:
                self.check_timeline(rel, questions.timeline, by_id)
            if questions.answer_roles is not None:
                self.check_answer_roles(rel, questions.answer_roles, by_id)
            self.check_merged(rel, questions.merged_questions, by_id)
        data: Any = self.data.get(rel)  # the file as read: only consulted when its model did not validate
        sections = questions.sections if questions is not None else data.get("sections")
        for i, (_, q) in enumerate(entries):
            if q is None:
                continue
            if isinstance(sections, dict) and q.section not in sections:
                self.error(
                    rel,
                    ("questions", i, "section"),
                    f"unknown section '{q.section}'{suggest(q.section, sections)}; sections: {', '.join(sections)}",
                )
            self.check_question_conditions(i, q, by_id, order)
        return by_id

    def check_merged(self, rel: str, merged: Mapping[str, str], by_id: Mapping[str, m.Question | None]) -> None:
        """``merged_questions``: each old id is gone, and its answers go to a several-choice question."""
        for old, new in merged.items():
            if old in by_id:
                self.error(
                    rel,
                    ("merged_questions", old),
                    f"'{old}' is still a question; only a removed question can be merged",
                    key=True,
                )
            target = by_id.get(new)
            if new not in by_id:
                self.error(rel, ("merged_questions", old), f"unknown question '{new}'{suggest(new, by_id)}")
            elif target is not None and target.kind != "several":
                self.error(
                    rel,
                    ("merged_questions", old),
                    f"'{new}' is not a several-choice question, so answers cannot be merged into it",
                )

    def check_question_conditions(
        self, i: int, q: m.Question, by_id: Mapping[str, m.Question | None], order: Mapping[str, int]
    ) -> None:
        """A question's ``ask_when`` and its options' ``show_when`` are valid and use only earlier questions."""
        conditions = [("ask_when", q.ask_when)] + [
            (f"show_when of option '{o.value}'", o.show_when) for o in q.options if o.show_when is not None
        ]
        for what, condition in conditions:
            if condition is None:
                continue
            self.condition(condition, by_id)
            for match in condition.matches():
                if order.get(match.question, -1) >= i:
                    which = "itself" if match.question == q.id else f"'{match.question}', a later question"
                    self.error_at(
                        match.where,
                        f"the {what} of '{q.id}' refers to {which}; {what.split()[0]} may only use earlier questions",
                    )

    def check_timeline(self, rel: str, timeline: m.TimelineRoles, by_id: Mapping[str, m.Question | None]) -> None:
        """Each role of ``timeline:`` names a question of the right kind, and answers it really has."""
        at = ("timeline",)
        kinds = {"events": "several", "timing": "one", "onset": "one", "duration": "one"}
        found: dict[str, m.Question | None] = {}
        for role, kind in kinds.items():
            qid = getattr(timeline, role)
            if qid is None:
                continue
            if qid not in by_id:
                message = f"unknown question '{qid}'{suggest(qid, by_id)} for the timeline's '{role}'"
                self.error(rel, at + (role,), message)
                continue
            question = found[role] = by_id[qid]
            if question is not None and question.kind != kind:
                words = {"one": "one-choice", "several": "several-choice"}[kind]
                self.error(rel, at + (role,), f"the timeline's '{role}' must be a {words} question; '{qid}' is not")
        answers = {"not_events": "events", "before_window": "timing"}
        for role, of in answers.items():
            question = found.get(of)
            if question is None:  # unknown or invalid (reported already), or not declared
                continue
            values = getattr(timeline, role)
            for j, value in enumerate(values if isinstance(values, tuple) else (values,)):
                if value is None or value in question.option_values:
                    continue
                path = at + (role, j) if isinstance(values, tuple) else at + (role,)
                self.error(
                    rel,
                    path,
                    f"unknown option '{value}' for question '{question.id}'{suggest(value, question.option_values)}",
                )

    def check_answer_roles(self, rel: str, roles: m.AnswerRoles, by_id: Mapping[str, m.Question | None]) -> None:
        """``answer_roles: not_sure:`` is an answer that some one-choice question offers."""
        value = roles.not_sure
        offered = sorted({o.value for q in by_id.values() if q is not None and q.kind == "one" for o in q.options})
        if value is not None and value not in offered:
            self.error(
                rel,
                ("answer_roles", "not_sure"),
                f"no one-choice question has the answer '{value}'{suggest(value, offered)}, "
                "so no message would name it",
            )

    def check_care(
        self, rel: str, care: m.CareLevelsFile | None, by_id: Mapping[str, m.Question | None] | None = None
    ) -> set[str] | None:
        if care is None:
            return None
        self.unique(rel, enumerate(lv.id for lv in care.levels), ("levels",), "care level")
        self.unique(rel, enumerate(h.id for h in care.help_lines), ("help_lines",), "help line")
        levels = {level.id for level in care.levels}
        self.level(rel, ("unclear_level",), care.unclear_level, levels)
        if care.help_roles is not None:
            used = {use for line in care.help_lines for use in line.use}
            for role in ("emergency", "crisis"):
                use = getattr(care.help_roles, role)
                if use not in used:
                    self.error(
                        rel,
                        ("help_roles", role),
                        f"no help line has the use '{use}', so the {role} help role would show none; "
                        f"tag a help line with it, or name another use{suggest(use, sorted(used))}",
                    )
        for question in care.ask_the_doctor:
            self.condition(question.when, by_id)
        return levels

    def level(self, rel: str, path: tuple[Any, ...], level: str, levels: set[str] | None) -> None:
        if levels is not None and level not in levels:
            ordered = sorted(levels)
            self.error(
                rel, path, f"unknown care level '{level}'{suggest(level, ordered)}; levels: {', '.join(ordered)}"
            )

    def check_types(
        self,
        hair_types: list[tuple[str, m.HairType | None]],
        by_id: Mapping[str, m.Question | None] | None,
        levels: set[str] | None,
    ) -> None:
        first: dict[str, str] = {}
        for rel, t in hair_types:
            if t is None:
                for _, item in self.items(rel, None, "evidence", m.Evidence):
                    self.condition(item.when, by_id)
                continue
            stem = rel.rsplit("/", 1)[-1].removesuffix(".yaml")
            if stem != t.id:
                self.error(rel, ("id",), f"the file name must match the id: rename the file to '{t.id}.yaml'")
            if t.id in first:
                self.error(rel, ("id",), f"duplicate type id '{t.id}' (also in {first[t.id]})")
            first.setdefault(t.id, rel)
            self.level(rel, ("care_level",), t.care_level, levels)
            if t.picture is not None:
                self.picture(rel, t.picture, by_id)
            if by_id is not None:
                for qid in t.unasked:
                    if qid not in by_id:
                        self.error(rel, ("unasked", qid), f"unknown question '{qid}'{suggest(qid, by_id)}", key=True)
            for item in t.evidence:
                self.condition(item.when, by_id)
            if not t.sources:
                self.error(
                    rel, ("sources",), f"type '{t.id}' has no sources; add at least two credible sources", key=True
                )
            elif len(t.sources) < 2:
                self.lint(rel, ("sources",), f"type '{t.id}' has only one source; add at least one more", key=True)

    def picture(self, rel: str, value: str, by_id: Mapping[str, m.Question | None] | None) -> None:
        """A type's ``picture`` must be an option value of a question that has pictures."""
        if by_id is None or any(q is None for q in by_id.values()):
            return  # a question failed to load (reported there): which options are drawn is unknown
        drawn = [q for q in by_id.values() if q is not None and q.pictures is not None]
        values = [option for q in drawn for option in q.option_values]
        if not drawn:
            self.error(rel, ("picture",), f"no question has pictures, so '{value}' cannot be shown: remove 'picture:'")
        elif value not in values:
            where = ", ".join(f"'{q.id}'" for q in drawn)
            self.error(
                rel, ("picture",), f"unknown picture '{value}'{suggest(value, values)}; use an option value of {where}"
            )

    def check_red_flags(
        self,
        rel: str,
        flags: m.RedFlagsFile | None,
        by_id: Mapping[str, m.Question | None] | None,
        levels: set[str] | None,
    ) -> None:
        valid = self.items(rel, flags, "red_flags", m.RedFlag)
        self.unique(rel, ((i, f.id) for i, f in valid), ("red_flags",), "red flag")
        for i, flag in valid:
            self.level(rel, ("red_flags", i, "level"), flag.level, levels)
            self.condition(flag.when, by_id)
            if not flag.sources:
                self.error(
                    rel, ("red_flags", i, "sources"), f"red flag '{flag.id}' has no sources; add a source", key=True
                )
        notes = self.items(rel, flags, "care_notes", m.CareNote)
        self.unique(rel, ((i, n.id) for i, n in notes), ("care_notes",), "care note")
        flag_ids = {f.id for _, f in valid}
        for i, note in notes:
            if note.id in flag_ids:
                self.error(rel, ("care_notes", i, "id"), f"'{note.id}' is already a red flag id; use another id")
            self.condition(note.when, by_id)
            if not note.sources:
                self.error(
                    rel, ("care_notes", i, "sources"), f"care note '{note.id}' has no sources; add a source", key=True
                )

    def check_cases(
        self,
        case_files: list[tuple[str, m.CasesFile | None]],
        questions: m.QuestionsFile | None,
        by_id: Mapping[str, m.Question | None] | None,
        levels: set[str] | None,
        type_ids: set[str],
        flag_ids: set[str] | None,
        note_ids: set[str] | None,
    ) -> tuple[list[m.Case], dict[str, Where]]:
        cases: list[m.Case] = []
        where: dict[str, Where] = {}
        for rel, cases_file in case_files:
            for i, case in self.items(rel, cases_file, "cases", m.Case):
                at = ("cases", i)
                case_where = Where(rel, *position(self.data[rel], at))
                if case.id in where:
                    self.error(rel, at + ("id",), f"duplicate case id '{case.id}' (first used at {where[case.id]})")
                    continue
                where[case.id] = case_where
                cases.append(case)
                self.check_case(rel, at, case, questions, by_id, levels, type_ids, flag_ids, note_ids)
        return cases, where

    def check_case(
        self,
        rel: str,
        at: tuple[Any, ...],
        case: m.Case,
        questions: m.QuestionsFile | None,
        by_id: Mapping[str, m.Question | None] | None,
        levels: set[str] | None,
        type_ids: set[str],
        flag_ids: set[str] | None,
        note_ids: set[str] | None,
    ) -> None:
        if by_id is not None:
            valid = {qid: q for qid, q in by_id.items() if q is not None}
            checkable = {qid: v for qid, v in case.answers.items() if by_id.get(qid, ...) is not None}
            problems = answer_problems(valid, checkable)
            for qid, message in problems:
                self.error(rel, at + ("answers", qid), message, key=qid not in by_id)
            if not problems and questions is not None:
                path, kept = walk(questions.questions, case.answers)
                asked = {q.id for q in path}
                self.questions_asked[case.id] = len(path)
                for qid, value in case.answers.items():
                    if qid not in asked:
                        self.lint(
                            rel, at + ("answers", qid), f"case '{case.id}' answers '{qid}', which would not be asked"
                        )
                    elif kept.get(qid) is not value:
                        self.lint(
                            rel,
                            at + ("answers", qid),
                            f"case '{case.id}' answers '{qid}' with an option that would not be shown",
                        )
        expect = at + ("expect",)
        for key in ("top3", "not_top3"):
            for j, type_id in enumerate(getattr(case.expect, key)):
                self.known(rel, expect + (key, j), type_id, type_ids, "type")
        if case.expect.first is not None:
            self.known(rel, expect + ("first",), case.expect.first, type_ids, "type")
        if flag_ids is not None:
            for j, flag_id in enumerate(case.expect.red_flags):
                self.known(rel, expect + ("red_flags", j), flag_id, flag_ids, "red flag")
        if note_ids is not None:
            for j, note_id in enumerate(case.expect.care_notes):
                self.known(rel, expect + ("care_notes", j), note_id, note_ids, "care note")
        self.level(rel, expect + ("care_level",), case.expect.care_level, levels)

    def known(self, rel: str, path: tuple[Any, ...], value: str, known: set[str], what: str) -> None:
        if value not in known:
            self.error(rel, path, f"unknown {what} '{value}'{suggest(value, sorted(known))}")

    def check_reviews(self, reviews: m.ReviewsFile | None) -> tuple[tuple[m.SignOff, ...], tuple[Where, ...]]:
        """Each review record must name a rule file of this folder; returns the records and their places."""
        rel = self.reviews_rel
        data = self.data.get(rel)
        valid = self.items(rel, reviews, "reviews", m.SignOff)
        known = sorted(self.hashes)
        for i, record in valid:
            if record.file in self.hashes:
                continue
            at = ("reviews", i, "file")
            inner = record.file.removeprefix("./")
            if inner.startswith(f"{self.name}/") and inner.removeprefix(f"{self.name}/") in self.hashes:
                hint = f"; write the path inside the rules folder: '{inner.removeprefix(self.name + '/')}'"
                self.error(rel, at, f"unknown rule file '{record.file}'{hint}")
            elif inner == REVIEWS_FILE:
                self.error(rel, at, f"{REVIEWS_FILE} records reviews; it is not a rule file that is reviewed")
            else:
                self.error(rel, at, f"unknown rule file '{record.file}'{suggest(record.file, known)}")
        if reviews is None:
            return (), ()
        places = tuple(Where(rel, *position(data, ("reviews", i))) for i in range(len(reviews.reviews)))
        return reviews.reviews, places
