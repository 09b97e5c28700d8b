"""Clinical review records (reviews.yaml): validation with file:line errors, the computed status, `triage rules review`.

Every test works on a copy of tests/fixtures/rules_min: no test ever writes a
record into the real rules/ folder.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from tests.helpers.rules import rules_command
from triage.cli_rules import make_cli
from triage.rulebook import load_rulebook
from triage.rulebook.loader import default_rules_dir
from triage.rulebook.review import build_review
from triage.rulebook.signoff import REVIEWS_HEADER, file_statuses
from triage.words import file_title, file_warning, lint_message, review_scope, review_status, reviewer

AA = "types/alopecia_areata.yaml"
REVIEWS = "reviews.yaml"


def sha(rules_copy, rel: str) -> str:
    return hashlib.sha256((rules_copy.root / rel).read_bytes()).hexdigest()


def record(file: str, digest: str, *, reviewer="Dr Ada Example", day="2026-01-05", outcome="approved", extra="") -> str:
    return (
        f"  - file: {file}\n"
        f"    sha256: {digest}\n"
        f"    reviewer: {reviewer}\n"
        f"    role: Consultant dermatologist\n"
        f"    registration: GMC 1234567\n"
        f"    date: {day}\n"
        f"    scope: [content, sources]\n"
        f"    outcome: {outcome}\n"
        f"{extra}"
    )


def write_reviews(rules_copy, *records: str) -> str:
    return rules_copy.write(REVIEWS, "# Reviews of the fixture rules.\nreviews:\n" + "".join(records))


def status(rulebook, file: str):
    return next(s for s in file_statuses(rulebook) if s.file == file)


# --- the status, worked out ---------------------------------------------------------------------


def test_without_reviews_every_rule_file_is_not_reviewed(rulebook):
    statuses = file_statuses(rulebook)
    assert [s.file for s in statuses] == [
        "care_levels.yaml",
        "cases/basic.yaml",
        "questions.yaml",
        "red_flags.yaml",
        "types/alopecia_areata.yaml",
        "types/pattern_hair_loss.yaml",
        "types/tinea_capitis.yaml",
    ]
    assert {s.state for s in statuses} == {"not_reviewed"}
    assert review_status(status(rulebook, AA)) == "Not reviewed by a named clinician"
    assert file_title(status(rulebook, AA)) == "Alopecia areata"


def test_a_record_for_the_current_content_shows_reviewed(rules_copy):
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA)))
    rulebook = rules_copy.load()
    aa = status(rulebook, AA)
    assert aa.state == "reviewed"
    assert review_status(aa) == "Reviewed by Dr Ada Example on 2026-01-05 (approved)"
    assert reviewer(aa.latest) == "Dr Ada Example, Consultant dermatologist (GMC 1234567)"
    assert review_scope(aa.latest) == "content, sources"
    assert file_warning(aa) is None and not aa.has_warning
    # The other files are still not reviewed.
    assert status(rulebook, "types/tinea_capitis.yaml").state == "not_reviewed"
    lints = build_review(rulebook).lints
    assert not [lint for lint in lints if lint.subject == ("type", "alopecia_areata") and lint.kind == "unreviewed"]


def test_editing_the_file_flips_it_to_changed_since(rules_copy):
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA)))
    rules_copy.edit(AA, "points: 4", "points: 5")
    rulebook = rules_copy.load()
    aa = status(rulebook, AA)
    assert aa.state == "changed"
    assert review_status(aa) == "Changed since Dr Ada Example reviewed it on 2026-01-05"
    assert file_warning(aa) == (
        "types/alopecia_areata.yaml has changed since Dr Ada Example reviewed it on 2026-01-05: "
        "the review is for content the file no longer has"
    )
    (lint,) = [lint for lint in build_review(rulebook).lints if lint.subject == ("type", "alopecia_areata")]
    assert lint.kind == "unreviewed"
    # Putting the reviewed content back makes the review count again: the status is computed, never stored.
    rules_copy.edit(AA, "points: 5", "points: 4")
    assert status(rules_copy.load(), AA).state == "reviewed"


def test_even_a_whitespace_edit_is_a_change(rules_copy):
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA)))
    rules_copy.write(AA, rules_copy.text(AA) + "\n")
    assert status(rules_copy.load(), AA).state == "changed"


def test_the_newest_record_for_the_current_content_is_shown(rules_copy):
    old = "ab" * 32
    write_reviews(
        rules_copy,
        record(AA, old, reviewer="Dr Old", day="2025-06-01"),
        record(AA, sha(rules_copy, AA)[:16], reviewer="Dr First", day="2026-01-05"),
        record(AA, sha(rules_copy, AA), reviewer="Dr Second", day="2026-01-05", outcome="approved_with_changes"),
        record(AA, old, reviewer="Dr Later", day="2026-02-01"),
    )
    aa = status(rules_copy.load(), AA)
    assert aa.state == "reviewed"
    # Same day: the one written later is newer. A newer record for older content does not undo it.
    assert review_status(aa) == "Reviewed by Dr Second on 2026-01-05 (approved with changes)"
    assert [(s.record.reviewer, s.current) for s in aa.history] == [
        ("Dr Later", False), ("Dr Second", True), ("Dr First", True), ("Dr Old", False),
    ]


def test_changes_requested_is_reviewed_but_warned_about(rules_copy):
    write_reviews(
        rules_copy,
        record(AA, sha(rules_copy, AA), outcome="changes_requested", extra="    notes: Add the nail pitting source.\n"),
    )
    rulebook = rules_copy.load()
    aa = status(rulebook, AA)
    assert aa.state == "reviewed" and aa.changes_requested
    assert review_status(aa) == "Reviewed by Dr Ada Example on 2026-01-05 (changes requested)"
    (lint,) = [lint for lint in build_review(rulebook).lints if lint.kind == "changes_requested"]
    assert lint_message(lint) == "Dr Ada Example asked for changes to types/alopecia_areata.yaml on 2026-01-05: Add the nail pitting source."


def test_a_review_does_not_change_the_rulebook_version(rules_copy, rulebook):
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA)))
    assert rules_copy.load().version == rulebook.version


def test_the_repository_records_no_review():
    # rules/reviews.yaml starts empty: every status in the app is "not reviewed" until a real review is recorded.
    text = (default_rules_dir() / REVIEWS).read_text(encoding="utf-8")
    assert text == REVIEWS_HEADER + "reviews: []\n"
    assert load_rulebook().signoffs == ()


# --- validation: every problem with its file and line --------------------------------------------


def test_a_bad_hash_is_an_error_at_its_line(rules_copy):
    write_reviews(rules_copy, record(AA, "not-a-hash"))
    rules_copy.error_at(REVIEWS, rules_copy.line(REVIEWS, "sha256: not-a-hash"), "'not-a-hash' is not a content hash", col=13)


def test_a_short_hash_is_an_error(rules_copy):
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA)[:12]))
    rules_copy.error_at(REVIEWS, rules_copy.line(REVIEWS, "sha256:"), "is not a content hash")


def test_a_missing_field_is_an_error_at_the_record(rules_copy):
    text = record(AA, sha(rules_copy, AA)).replace("    role: Consultant dermatologist\n", "")
    write_reviews(rules_copy, text)
    rules_copy.error_at(REVIEWS, rules_copy.line(REVIEWS, "- file:"), "missing key 'role'", col=5)


def test_an_unknown_file_is_an_error_with_a_suggestion(rules_copy):
    write_reviews(rules_copy, record("types/alopecia_aerata.yaml", sha(rules_copy, AA)))
    message = rules_copy.error_at(REVIEWS, rules_copy.line(REVIEWS, "- file:"), "unknown rule file 'types/alopecia_aerata.yaml'")
    assert "(did you mean 'types/alopecia_areata.yaml'?)" in message


def test_a_path_with_the_folder_name_is_explained(rules_copy):
    write_reviews(rules_copy, record(f"rules/{AA}", sha(rules_copy, AA)))
    rules_copy.error_at(REVIEWS, 3, f"write the path inside the rules folder: '{AA}'")


def test_reviews_yaml_itself_cannot_be_reviewed(rules_copy):
    write_reviews(rules_copy, record(REVIEWS, "ab" * 32))
    rules_copy.error_at(REVIEWS, 3, "it is not a rule file that is reviewed")


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragment"),
    [
        ("outcome: approved", "outcome: approve", "outcome:", "'approve' is not allowed (did you mean 'approved'?)"),
        ("scope: [content, sources]", "scope: [content, content]", "scope:", "'content' is listed twice"),
        ("scope: [content, sources]", "scope: []", "scope:", "needs at least 1 item"),
        ("scope: [content, sources]", "scope: [everything]", "scope:", "'everything' is not allowed"),
        ("date: 2026-01-05", "date: 2026-02-30", "date:", "'2026-02-30' is not a real date"),
        ("date: 2026-01-05", "date: 5 Jan 2026", "date:", "is not a date written as YYYY-MM-DD"),
        ("role: Consultant dermatologist", "rol: Consultant dermatologist", "rol:", "unknown key 'rol' (did you mean 'role'?)"),
        ("reviewer: Dr Ada Example", "reviewer: ''", "reviewer:", "must not be empty"),
    ],
)
def test_record_fields_are_checked_strictly(rules_copy, old, new, needle, fragment):
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA)).replace(old, new))
    rules_copy.error_at(REVIEWS, rules_copy.line(REVIEWS, needle), fragment)


def test_a_future_date_is_an_error(rules_copy):
    future = (date.today() + timedelta(days=30)).isoformat()
    write_reviews(rules_copy, record(AA, sha(rules_copy, AA), day=future))
    rules_copy.error_at(REVIEWS, rules_copy.line(REVIEWS, "date:"), "is in the future")


def test_reviews_must_be_a_list(rules_copy):
    rules_copy.write(REVIEWS, "reviews: {}\n")
    rules_copy.error_at(REVIEWS, 1, "expected a list")


# --- triage rules review ---------------------------------------------------------------------------


@pytest.fixture
def review_cli():
    return rules_command("review")


def test_review_writes_a_record_that_validates_and_shows_reviewed(review_cli, rules_copy):
    rules_copy.write(REVIEWS, REVIEWS_HEADER + "reviews: []\n")
    result = review_cli(
        AA, "--by", "Dr Ada Example", "--role", "Consultant dermatologist", "--registration", "GMC 1234567",
        "--outcome", "approved_with_changes", "--scope", "content", "--scope", "care_levels",
        "--note", "Reworded the patch reason.", "--date", "2026-01-05", "--rules", rules_copy.root,
    )
    assert result.exit_code == 0, result.output
    digest = sha(rules_copy, AA)
    assert result.stdout.splitlines() == [
        f"Recorded in {rules_copy.root / REVIEWS}: a review of {AA} (Alopecia areata)",
        "  reviewer: Dr Ada Example, Consultant dermatologist (GMC 1234567)",
        "  date:     2026-01-05",
        "  scope:    content, care levels",
        "  outcome:  approved with changes",
        "  notes:    Reworded the patch reason.",
        f"  content:  sha256 {digest}",
        "Status now: Reviewed by Dr Ada Example on 2026-01-05 (approved with changes).",
        'Any later change to the file makes its status "changed since" until it is reviewed again.',
    ]
    text = rules_copy.text(REVIEWS)
    assert text.startswith(REVIEWS_HEADER)  # the explanation (comments) survives
    assert text.endswith(
        "reviews:\n"
        f"  - file: {AA}\n"
        f"    sha256: {digest}\n"
        "    reviewer: Dr Ada Example\n"
        "    role: Consultant dermatologist\n"
        "    registration: GMC 1234567\n"
        "    date: 2026-01-05\n"
        "    scope: [content, care_levels]\n"
        "    outcome: approved_with_changes\n"
        "    notes: Reworded the patch reason.\n"
    )
    rulebook = rules_copy.load()
    assert review_status(status(rulebook, AA)) == "Reviewed by Dr Ada Example on 2026-01-05 (approved with changes)"
    # `triage rules check` agrees: no warning for the reviewed file, a warning for the others, exit 0.
    check = CliRunner().invoke(make_cli(), ["rules", "check", str(rules_copy.root)])
    assert check.exit_code == 0
    assert f"rules/{AA}:1:1" not in check.stderr
    assert "rules/types/tinea_capitis.yaml:1:1: warning: this file has not been reviewed" in check.stderr
    assert "Clinical review: 1 of 7 rule files reviewed for their current content" in check.stdout


def test_review_appends_and_keeps_earlier_records_and_comments(review_cli, rules_copy):
    write_reviews(rules_copy, record("questions.yaml", sha(rules_copy, "questions.yaml")))
    before = rules_copy.text(REVIEWS)
    result = review_cli(
        "tinea_capitis", "--by", "Dr B", "--role", "GP", "--outcome", "changes_requested", "--rules", rules_copy.root,
    )
    assert result.exit_code == 0, result.output
    text = rules_copy.text(REVIEWS)
    assert text.startswith(before)
    assert "  - file: types/tinea_capitis.yaml\n" in text[len(before):]
    assert f"    date: {date.today().isoformat()}\n" in text
    assert "    scope: [content, sources, care_levels]\n" in text  # the default scope: everything
    rulebook = rules_copy.load()
    assert status(rulebook, "questions.yaml").state == "reviewed"
    assert status(rulebook, "types/tinea_capitis.yaml").changes_requested


def test_review_creates_reviews_yaml_with_its_explanation(review_cli, rules_copy):
    assert not (rules_copy.root / REVIEWS).exists()
    path = rules_copy.root / "types" / "pattern_hair_loss.yaml"  # a path to the file works too
    result = review_cli(path, "--by", "Dr C", "--role", "GP", "--outcome", "approved", "--rules", rules_copy.root)
    assert result.exit_code == 0, result.output
    assert rules_copy.text(REVIEWS).startswith(REVIEWS_HEADER + "reviews:\n  - file: types/pattern_hair_loss.yaml\n")
    assert status(rules_copy.load(), "types/pattern_hair_loss.yaml").state == "reviewed"


def test_review_refuses_an_unknown_file(review_cli, rules_copy):
    result = review_cli("types/alopecia.yaml", "--by", "Dr C", "--role", "GP", "--outcome", "approved", "--rules", rules_copy.root)
    assert result.exit_code == 2
    assert "'types/alopecia.yaml' is not a rule file" in result.stderr
    assert "did you mean 'types/alopecia_areata.yaml'?" in result.stderr
    assert not (rules_copy.root / REVIEWS).exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--by", " ", "--role", "GP", "--outcome", "approved"], "Invalid value for --by: must not be empty"),
        (["--by", "Dr C", "--role", "GP", "--outcome", "fine"], "'fine' is not one of"),
        (["--by", "Dr C", "--role", "GP", "--outcome", "approved", "--date", "01/02/2026"], "not a date written as YYYY-MM-DD"),
        (["--by", "Dr C", "--role", "GP", "--outcome", "approved", "--date", "2999-01-01"], "is in the future"),
        (["--by", "Dr C", "--role", "GP", "--outcome", "approved", "--scope", "all"], "'all' is not one of"),
        (["--role", "GP", "--outcome", "approved"], "Missing option '--by'"),
    ],
)
def test_review_refuses_bad_options(review_cli, rules_copy, args, fragment):
    result = review_cli(AA, *args, "--rules", rules_copy.root)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert not (rules_copy.root / REVIEWS).exists()


def test_review_with_the_pack_hash_refuses_changed_content(review_cli, rules_copy):
    printed = sha(rules_copy, AA)  # the hash on the reviewer's pack
    rules_copy.edit(AA, "points: 4", "points: 5")
    result = review_cli(AA, "--sha256", printed[:16], "--by", "Dr C", "--role", "GP", "--outcome", "approved", "--rules", rules_copy.root)
    assert result.exit_code == 1
    assert f"{AA} has changed since the pack was made" in result.stderr
    assert not (rules_copy.root / REVIEWS).exists()
    current = sha(rules_copy, AA)
    ok = review_cli(AA, "--sha256", current, "--by", "Dr C", "--role", "GP", "--outcome", "approved", "--rules", rules_copy.root)
    assert ok.exit_code == 0, ok.output


def test_review_refuses_invalid_rules(review_cli, rules_copy):
    rules_copy.edit(AA, "care_level: soon", "care_level: son")
    result = review_cli(AA, "--by", "Dr C", "--role", "GP", "--outcome", "approved", "--rules", rules_copy.root)
    assert result.exit_code == 1
    assert "unknown care level 'son'" in result.stderr
    assert not (rules_copy.root / REVIEWS).exists()


def test_the_readme_explains_the_review_workflow_in_five_steps():
    readme = (default_rules_dir().parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## For clinicians") : readme.index("\n## ", readme.index("## For clinicians") + 1)]
    steps = section[section.index("in five steps") :]
    for number, command in enumerate(
        ["triage rules export --for-review", "triage rules review", "triage rules check", "Changed since", "triage rules diff"], 1
    ):
        start = steps.index(f"\n{number}. ")
        end = steps.find(f"\n{number + 1}. ", start)
        assert command in steps[start : end if end != -1 else None], (number, command)
