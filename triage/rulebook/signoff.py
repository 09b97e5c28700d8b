"""Clinical sign-offs: the review records in ``reviews.yaml`` and each rule file's review status.

A record says that a named clinician reviewed one rule file, and binds that
to the file's content: the SHA-256 of its bytes at the time. The status of a
file is worked out from the records and the file as loaded, never typed:

- ``not_reviewed``: no record names the file;
- ``reviewed``: a record was made for the file's current content (the newest
  such record is the one shown, with its outcome);
- ``changed``: records name the file, but none for its current content: the
  file has changed since it was reviewed, so the review no longer applies.

``file_statuses(rulebook)`` gives the status of every rule file;
``append_signoff(rules_dir, record)`` adds a record to ``reviews.yaml``
(round-trip, so comments survive). Only ``triage rules review``, run by a
person, calls it: nothing records a review on its own.

The status in words ("Reviewed by X on D (approved)", the outcome, scope and
reviewer of a record, the count of files in each state) is written in
``templates/macros/review_words.txt``; Python callers render it through ``triage.words``.

No Flask here.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .loader import REVIEWS_FILE

if TYPE_CHECKING:
    from .conditions import Where
    from .models import Rulebook, SignOff

State = Literal["not_reviewed", "reviewed", "changed"]
STATES: tuple[State, ...] = ("not_reviewed", "changed", "reviewed")

# What a reviews.yaml written from scratch starts with: how to read and add records.
REVIEWS_HEADER = """\
# Clinical reviews: who reviewed which rule file, bound to the file's content.
#
# A record is added by the person who reviewed the file (or by someone
# transcribing their signed reviewer's pack), never by the app on its own:
#
#   triage rules review types/alopecia_areata.yaml --by "Dr A Person" \\
#     --role "Consultant dermatologist" --registration "GMC 1234567" \\
#     --outcome approved --scope content --scope sources --note "..."
#
# which appends, for the file's CURRENT content:
#
#   - file: types/alopecia_areata.yaml   # the rule file, inside this folder
#     sha256: 9f2c...                     # SHA-256 of the file's bytes when reviewed
#     reviewer: Dr A Person
#     role: Consultant dermatologist
#     registration: GMC 1234567           # optional, as the reviewer gives it
#     date: 2026-03-01
#     scope: [content, sources]           # any of: content, sources, care_levels
#     outcome: approved                   # or approved_with_changes, changes_requested
#     notes: Optional free text.          # optional
#
# Records are checked like every rule file (triage rules check). Each file's
# status is worked out, never typed: "not reviewed", "reviewed by X on D", or
# "changed since X reviewed it on D" once the file no longer has the reviewed
# content. Never record a review that did not happen.
"""


def file_hash(raw: bytes) -> str:
    """The SHA-256 of a file's bytes, as lower-case hex (what a record stores)."""
    return hashlib.sha256(raw).hexdigest()


def hash_matches(recorded: str, current: str) -> bool:
    """A record's hash (the full hash, or at least its first 16 digits) matches the current one."""
    return len(recorded) >= 16 and current.startswith(recorded)


@dataclass(frozen=True)
class Signed:
    """A review record with where it is written and whether it is for the file's current content."""

    record: SignOff
    where: Where | None
    current: bool


@dataclass(frozen=True)
class FileStatus:
    """The review status of one rule file, worked out from the records and its content
    (in words: ``status`` in templates/macros/review_words.txt).

    ``history`` holds every record naming the file, newest first; ``latest`` is
    the one the status is about (the newest for the current content when there
    is one, else the newest of all).
    """

    file: str
    name: str  # the type's name, for a type file (what a file holds in words: ``title`` in review_words.txt)
    sha256: str
    state: State
    history: tuple[Signed, ...] = ()

    @property
    def latest(self) -> Signed | None:
        for signed in self.history:
            if signed.current:
                return signed
        return self.history[0] if self.history else None

    @property
    def reviewed(self) -> bool:
        return self.state == "reviewed"

    @property
    def changes_requested(self) -> bool:
        """The current content was reviewed, and the reviewer asked for changes."""
        latest = self.latest
        return self.reviewed and latest is not None and latest.record.outcome == "changes_requested"

    @property
    def tag_class(self) -> str:
        """The tag's style: ok (reviewed, approved), changed, or draft (not reviewed, changes requested)."""
        if self.state == "reviewed":
            return "draft" if self.changes_requested else "ok"
        return "changed" if self.state == "changed" else "draft"

    @property
    def has_warning(self) -> bool:
        """Whether ``triage rules check`` and the coverage warnings warn about the file: not
        reviewed, changed since review, or a reviewer asked for changes (in words:
        ``file_warning`` in templates/macros/lint_words.txt)."""
        if self.state == "not_reviewed":
            return True
        return self.latest is not None and (self.state == "changed" or self.changes_requested)


def _type_name(rulebook: Rulebook, file: str) -> str:
    """The name of the type a type file holds ("Alopecia areata"), or "" (another file, or no such type)."""
    if not file.startswith("types/"):
        return ""
    found = rulebook.type_by_id.get(file.removeprefix("types/").removesuffix(".yaml"))
    return found.name if found else ""


def file_statuses(rulebook: Rulebook) -> tuple[FileStatus, ...]:
    """The review status of every rule file, in path order."""
    places = list(rulebook.signoff_where) + [None] * (len(rulebook.signoffs) - len(rulebook.signoff_where))
    by_file: dict[str, list[tuple[int, SignOff, Where | None]]] = {}
    for index, (record, where) in enumerate(zip(rulebook.signoffs, places, strict=False)):
        by_file.setdefault(record.file, []).append((index, record, where))
    statuses = []
    for file, current_hash in rulebook.file_hashes.items():
        # Newest first: by date, then by the order written (a later record on the same day is newer).
        found = sorted(by_file.get(file, ()), key=lambda item: (item[1].date, item[0]), reverse=True)
        history = tuple(Signed(r, w, hash_matches(r.sha256, current_hash)) for _, r, w in found)
        if not history:
            state: State = "not_reviewed"
        elif any(s.current for s in history):
            state = "reviewed"
        else:
            state = "changed"
        statuses.append(FileStatus(file, _type_name(rulebook, file), current_hash, state, history))
    return tuple(statuses)


def status_counts(statuses: tuple[FileStatus, ...]) -> dict[str, int]:
    """How many files are in each state (every state present, in ``STATES`` order)."""
    return {state: sum(1 for s in statuses if s.state == state) for state in STATES}


# --- writing a record -------------------------------------------------------------------------


def new_record(
    *,
    file: str,
    sha256: str,
    reviewer: str,
    role: str,
    outcome: str,
    scope: tuple[str, ...],
    day: date,
    registration: str | None = None,
    notes: str | None = None,
) -> dict[str, Any]:
    """A record as plain data, keys in the order they are written."""
    record: dict[str, Any] = {"file": file, "sha256": sha256, "reviewer": reviewer, "role": role}
    if registration:
        record["registration"] = registration
    record.update(date=day, scope=list(scope), outcome=outcome)
    if notes:
        record["notes"] = notes
    return record


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments and layout survive
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def append_signoff(rules_dir: Path, record: Mapping[str, Any]) -> Path:
    """Append ``record`` to ``rules_dir/reviews.yaml`` (created, with its explanation, if missing).

    The file is read and written round-trip, so its comments and earlier
    records are kept as they are. Returns the file's path.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    path = Path(rules_dir) / REVIEWS_FILE
    yaml = _yaml()
    text = path.read_text(encoding="utf-8") if path.is_file() else REVIEWS_HEADER + "reviews: []\n"
    data = yaml.load(text)
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise ValueError(f"{path}: expected 'reviews:' and a list of records")
    reviews = data.get("reviews")
    if reviews is None:
        reviews = data["reviews"] = CommentedSeq()
    if not isinstance(reviews, CommentedSeq):
        raise ValueError(f"{path}: 'reviews' must be a list of records")
    reviews.fa.set_block_style()  # `reviews: []` becomes a block list once it has a record
    item = CommentedMap()
    for key, value in record.items():
        if isinstance(value, list):
            flow = CommentedSeq(value)
            flow.fa.set_flow_style()  # scope: [content, sources]
            item[key] = flow
        else:
            item[key] = value
    reviews.append(item)
    out = io.StringIO()
    yaml.dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
