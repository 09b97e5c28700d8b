"""The clinical diff: `triage rules diff OLD NEW` between two rules folders or two git revisions.

The new rulebook is a copy of tests/fixtures/rules_min with one change of each
kind; every change must be listed, with the worked cases whose result moves. The
diff is data; its words come from templates/macros/diff_words.txt, checked here
through triage/words.py and the rendered documents.
"""

from __future__ import annotations

import re

import html5lib
import pytest
from bs4 import BeautifulSoup

from tests.helpers.diff_words import change_line, change_read, item_title, section_line, top3_text
from tests.helpers.repo import git, make_new, make_repo
from tests.helpers.rules import RulesCopy, rules_command
from triage.changes import compare_with_last_release, render
from triage.rulebook import load_rulebook
from triage.rulebook.conditions import parse_condition
from triage.rulebook.diff import (
    Change,
    Fields,
    FlagFacts,
    ItemDiff,
    Level,
    Part,
    Section,
    TypeFacts,
    Version,
    Written,
    canonical,
    diff_rulebooks,
)
from triage.rulebook.engine import Miss
from triage.rulebook.models import HelpLine, SourceRef
from triage.rulebook.plain import explain
from triage.words import each_test, version_name


@pytest.fixture(scope="module")
def new_rules(tmp_path_factory) -> RulesCopy:
    return make_new(tmp_path_factory.mktemp("diff") / "rules")


@pytest.fixture(scope="module")
def diff(rulebook, new_rules):
    return diff_rulebooks(rulebook, new_rules.load())


def item(diff, section, item_id):
    return next(i for i in diff.section(section).items if i.id == item_id)


def test_every_kind_of_change_is_listed(diff):
    assert {
        "types_added", "red_flags_removed", "threshold", "points", "care_level", "condition", "text",
        "source_added", "source_removed", "evidence_added", "evidence_removed", "option_added",
    } <= diff.kinds()
    types, flags, questions = diff.section("types"), diff.section("red_flags"), diff.section("questions")
    assert (len(types.added), len(types.removed), len(types.changed)) == (1, 0, 3)
    assert (len(flags.added), len(flags.removed), len(flags.changed)) == (0, 1, 1)
    assert (len(questions.added), len(questions.removed), len(questions.changed)) == (0, 0, 2)
    assert section_line(types) == "Types of hair loss: 1 added, 3 changed"
    assert section_line(flags) == "Red flags: 1 removed, 1 changed"
    assert section_line(questions) == "Questions: 2 changed"
    assert section_line(diff.section("help_lines")) == "Help lines: no change"
    assert not diff.empty


def test_type_changes_as_data(diff):
    aa = item(diff, "types", "alopecia_areata")
    found = [(c.kind, c.part, c.was, c.now) for c in aa.changes]
    assert ("threshold", Part("threshold"), 5, 6) in found
    assert ("points", Part("evidence", number=1), 4, 5) in found
    text = next(c for c in aa.changes if c.kind == "text")
    assert (text.part, text.old, text.new) == (
        Part("because", number=2),
        "You said the skin in the patches looks normal.",
        "You said the skin in the bald patches looks normal.",
    )
    tc = item(diff, "types", "tinea_capitis")
    level = next(c for c in tc.changes if c.kind == "care_level")
    assert (level.part, level.was, level.now) == (
        Part("care_level"), Level("soon", "See a doctor within weeks"), Level("urgent", "See a doctor within days")
    )
    removed = next(c for c in tc.changes if c.kind == "evidence_removed")
    assert (removed.part, removed.was, removed.old) == (
        Part("old_evidence", number=4), -1, "Nothing was said about the scalp."
    )
    assert each_test(removed.old_when) == ["Scalp has no answer"]


def test_a_changed_condition_is_shown_before_and_after_in_the_clinician_wording(diff):
    phl = item(diff, "types", "pattern_hair_loss")
    condition = next(c for c in phl.changes if c.kind == "condition")
    assert condition.part == Part("evidence", number=2) and condition.about == "It is more common in adults."
    assert each_test(condition.old_when) == ["Age is at least 18"]
    assert each_test(condition.new_when) == ["Age is at least 16"]
    sources = [(c.kind, c.was, c.now) for c in phl.changes if c.kind.startswith("source")]
    assert sources == [
        ("source_added", None, SourceRef(title="Example source three", url="https://example.org/phl3")),
        ("source_removed", SourceRef(title="Example source two", url="https://example.org/phl2"), None),
    ]


def test_added_and_removed_items(diff):
    added = item(diff, "types", "frontal_example")
    assert added.status == "added" and added.file == "types/frontal_example.yaml"
    assert added.changes[0].now == TypeFacts(2, Level("routine", "See a doctor when convenient"), 1, 2)
    evidence = added.changes[1]
    assert (evidence.kind, evidence.new) == ("evidence_added", "You said the thinning is at the temples or crown.")
    assert each_test(evidence.new_when) == ["Pattern is \u201cReceding at the temples or thinning on the crown\u201d"]
    flag = item(diff, "red_flags", "unwell_child")
    assert flag.status == "removed"
    assert flag.changes[0].old == "A child with a fever and scalp lumps needs help now."
    kerion = item(diff, "red_flags", "kerion")
    (message,) = kerion.changes
    assert (message.part, message.new) == (Part("message"), "A soft swollen lump on the scalp needs a doctor within days.")
    pattern = item(diff, "questions", "pattern")
    assert [(c.kind, c.part) for c in pattern.changes] == [
        ("option_added", Part("option", option="broken_hairs", label="Short broken hairs"))
    ]
    fever = item(diff, "questions", "fever")
    assert [(c.old, c.new) for c in fever.changes] == [("Have you had a fever?", "Have you had a high temperature?")]


def test_the_worked_cases_whose_result_moves(diff):
    moves = {m.case_id: m for m in diff.moves}
    assert set(moves) == {"child_kerion", "adult_crown"}
    kerion = moves["child_kerion"]  # the emergency flag is gone: emergency -> urgent (tinea is urgent now)
    assert (kerion.old_level, kerion.new_level, kerion.top3_changed) == ("emergency", "urgent", False)
    assert not kerion.passes_now and kerion.failures == (Miss("care_level", "emergency", "urgent"),)
    crown = moves["adult_crown"]  # the new type joins the first three
    assert (crown.old_top3, crown.new_top3) == (("pattern_hair_loss",), ("pattern_hair_loss", "frontal_example"))
    assert crown.passes_now and not crown.level_changed and not crown.top3_reordered
    assert top3_text(diff, crown.new_top3) == "1. Pattern hair loss, 2. Example frontal type"
    assert top3_text(diff, ()) == "no type fits well (unclear)"
    assert diff.cases_compared == 4


# --- the words, from templates/macros/diff_words.txt --------------------------------------------------


def test_the_changes_in_words(diff):
    lines = {(s.key, i.id): [change_line(c) for c in i.changes] for s in diff.sections for i in s.items}
    assert lines["types", "alopecia_areata"] == [
        "Threshold: 6 points, was 5",
        "Evidence 1: +5 points, was +4",
        "Evidence 2: reason shown to the person: changed",
    ]
    assert lines["types", "frontal_example"] == [
        "New type: threshold 2 points, base care level See a doctor when convenient (routine), "
        "1 piece of evidence, 2 sources",
        "Evidence 1: added, +2 points",
    ]
    assert lines["types", "pattern_hair_loss"] == [
        "Evidence 2: when it counts changed (+1 point)",
        "Source: added: Example source three (https://example.org/phl3)",
        "Source: removed: Example source two (https://example.org/phl2)",
    ]
    assert lines["types", "tinea_capitis"] == [
        "Base care level: See a doctor within days (urgent), was See a doctor within weeks (soon)",
        "Evidence 4 of the old file: removed, was -1 point",
    ]
    assert lines["red_flags", "kerion"] == ["What the person reads: changed"]
    assert lines["red_flags", "unwell_child"] == ["Was: care level Get help now (emergency)"]
    assert lines["questions", "pattern"] == ["Option \u201cShort broken hairs\u201d (broken_hairs): added"]
    assert lines["questions", "fever"] == ["Question: changed"]
    types = diff.section("types")
    assert [item_title(types, i) for i in types.items] == [
        "Alopecia areata", "Example frontal type", "Pattern hair loss", "Scalp ringworm (tinea capitis)"
    ]


def test_every_kind_of_change_in_words(rulebook):
    """The kinds the fixture diff lacks, each with its words (a broken macro fails here)."""
    tree = explain(parse_condition({"age": {"below": 12}}), rulebook.question_by_id)
    level = Level("urgent", "See a doctor within days")
    option = {"option": "none", "label": "None of these"}
    source = SourceRef(title="New title", url="https://example.org/s")
    expected = [
        (Change("care_level", Part("level"), was=Level("gone"), now=level),
         "Care level: See a doctor within days (urgent), was gone"),
        (Change("interrupt", Part("interrupt"), was=False, now=True),
         "Interrupts the questions: now interrupts the questions: help is shown at once"),
        (Change("interrupt", Part("interrupt"), was=True, now=False),
         "Interrupts the questions: no longer interrupts the questions"),
        (Change("exclusive", Part("option", **option), was=False, now=True),
         "Option \u201cNone of these\u201d (none): now cannot be combined with other answers"),
        (Change("exclusive", Part("option", **option), was=True, now=False),
         "Option \u201cNone of these\u201d (none): now can be combined with other answers"),
        (Change("option_removed", Part("option", **option)), "Option \u201cNone of these\u201d (none): removed"),
        (Change("text", Part("option", field="label", **option), old="None", new="None of these"),
         "Option \u201cNone of these\u201d (none): label: changed"),
        (Change("text", Part("option", field="picture", **option), new="x"),
         "Option \u201cNone of these\u201d (none): picture: added"),
        (Change("condition", Part("option", field="show_when", **option), new_when=tree),
         "Option \u201cNone of these\u201d (none): when it is offered: was: always"),
        (Change("kind", Part("kind"), was="one", now="several"), "Kind of answer: several choices, was one choice"),
        (Change("range", Part("max"), was=110, now=120), "Max: 120, was 110"),
        (Change("range", Part("unit"), was=None, now="years"), "Unit: years, was None"),
        (Change("condition", Part("ask_when"), new_when=tree), "When it is asked: was: always"),
        (Change("condition", Part("when"), old_when=tree), "When it fires: now: never"),
        (Change("condition", Part("note_when"), old_when=tree, new_when=tree), "When it is added: changed"),
        (Change("condition", Part("child_wording"), new_when=tree),
         "When the questions speak to a parent or carer: was: never"),
        (Change("condition", Part("field", field="extra_rule"), old_when=tree), "Extra rule: now: none"),
        (Change("question_added", Part("new_question"), new="Q?"), "New question: asked always"),
        (Change("question_added", Part("new_question"), new="Q?", new_when=tree), "New question: asked only when:"),
        (Change("question_removed", Part("was"), old_when=tree), "Was: asked only when:"),
        (Change("text", Part("text_child"), old="How old is your child?"), "Question asked of a parent: removed"),
        (Change("text", Part("what_to_do")), "What to do: the same items in a different order"),
        (Change("text", Part("doctor_may"), new="Look."), "What a doctor may check: added"),
        (Change("help_lines", Part("help_lines"), was=(), now=("a", "b")), "Help lines shown: a, b, was none"),
        (Change("help_line_added", Part("new_help_line")), "New help line"),
        (Change("help_line", Part("help_line"), old="x", new="y"), "Help line: changed"),
        (Change("order", Part("order"), was=("a", "b"), now=("b", "a")), "Most urgent first: b, a; was a, b"),
        (Change("care_level_added", Part("new_care_level"), new="Not urgent.", now="Within a week"),
         "New care level: Within a week"),
        (Change("text", Part("label"), old="Soon", new="Sooner"), "What the person reads: changed"),
        (Change("text", Part("timeframe"), old="A", new="B"), "How soon: changed"),
        (Change("care_note_added", Part("new_care_note")), "New care note: adds advice, never changes the care level"),
        (Change("care_note_removed", Part("was")), "Was: advice on the care card"),
        (Change("red_flag_added", Part("new_red_flag"), now=FlagFacts(level, True)),
         "New red flag: care level See a doctor within days (urgent); interrupts the questions"),
        (Change("red_flag_added", Part("new_red_flag"), now=FlagFacts(Level("x"), False)),
         "New red flag: care level x"),
        (Change("type_removed", Part("was"), was=TypeFacts(4, level, 2, 1)),
         "Was: threshold 4 points, base care level See a doctor within days (urgent), 2 pieces of evidence"),
        (Change("type_added", Part("new_type"), now=TypeFacts(1, level, 1, 1)),
         "New type: threshold 1 points, base care level See a doctor within days (urgent), "
         "1 piece of evidence, 1 source"),
        (Change("points", Part("evidence", number=3), was=-2, now=-1), "Evidence 3: -1 point, was -2"),
        (Change("evidence_added", Part("evidence", number=3), now=-2), "Evidence 3: added, -2 points"),
        (Change("source_title", Part("sources"), old="Old title", new="New title", now=source),
         "Source: title changed (https://example.org/s)"),
        (Change("other", Part("field", field="help_roles"), old=Written(None), new=Written(None)),
         "Help roles: changed"),
    ]
    assert [(change_line(c), words) for c, words in expected] == [(words, words) for _, words in expected]


def test_what_a_change_reads_in_words():
    line = HelpLine(id="x", name="A line", country="UK", who="Anyone", call="111", web="https://example.org/x",
                    use=("emergency",))
    changed = Change("help_line", Part("help_line"), old=line, new=line)
    assert change_read(changed, line) == "A line (UK): call 111, https://example.org/x"
    texts = HelpLine(id="y", name="Texts", country="UK", who="Anyone", text={"to": "85258"}, use=("crisis",))
    assert change_read(Change("help_line_added", Part("new_help_line")), texts) == "Texts (UK): text 85258"
    other = Change("other", Part("field", field="x"))
    assert change_read(other, "plain text") == "plain text"
    assert change_read(other, Written(None)) == "none"
    assert change_read(other, Written(())) == "none"
    assert change_read(other, Written(("a", "b"))) == "a; b"
    roles = Written(Fields((("emergency", "999"), ("crisis", "111"))))
    assert change_read(other, roles) == "emergency: 999; crisis: 111"
    assert change_read(other, Written(Fields(()))) == "none"
    model = Fields((("text", "Ask this?"), ("when_asked", "{age: {below: 12}}")), named=True)
    assert change_read(other, Written((model,))) == "text: Ask this?; when asked: {age: {below: 12}}"


def test_the_parts_that_are_not_one_rule_are_named_in_words():
    levels = Section("care_levels", ())
    named = [
        item_title(levels, ItemDiff(id, None, "changed"))
        for id in ("order", "unclear_level", "care_levels_file")
    ]
    assert named == ["Order of urgency", "When no type fits well", "Other content of care_levels.yaml"]
    level = ItemDiff("soon", "See a doctor within weeks", "changed")
    assert item_title(levels, level) == "See a doctor within weeks"  # the id is added by the templates, once
    assert item_title(Section("questions", ()), ItemDiff("child_wording", None, "changed")) == (
        "Questions worded for a parent or carer"
    )


def test_a_care_level_is_named_once_by_its_label_and_id(rulebook, rules_copy):
    rules_copy.edit("care_levels.yaml", "label: See a doctor within weeks", "label: See a doctor in the next weeks")
    changed = diff_rulebooks(rulebook, rules_copy.load())
    text, markdown = render(changed, "text"), render(changed, "markdown")
    assert "\nChanged: See a doctor in the next weeks (soon)\n" in text and "(soon) (soon)" not in text
    assert "\n### Changed: See a doctor in the next weeks (`soon`)\n" in markdown
    assert "See a doctor in the next weeks <code>soon</code></h3>" in render(changed, "html")


def test_the_same_rules_have_no_clinical_change(rulebook, rules_copy):
    rules_copy.edit("types/alopecia_areata.yaml", "evidence:", "# a comment for readers\nevidence:")
    same = diff_rulebooks(rulebook, rules_copy.load())
    assert same.empty and same.old_version != same.new_version
    assert "No clinical change" in render(same, "text")
    assert "only in ways that change neither what a person reads" in render(same, "text")


def test_canonical_ignores_positions_and_single_values():
    assert canonical(parse_condition({"pattern": "x"})) == canonical(parse_condition({"pattern": ["x"]}))
    assert canonical(parse_condition({"not": {"age": {"below": 3}}})) != canonical(parse_condition({"age": {"below": 3}}))


# --- the command and its formats ----------------------------------------------------------------


@pytest.fixture
def run():
    return rules_command("diff")


def test_text(run, rules_min, new_rules):
    result = run(rules_min, new_rules.root)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("What changed in the rules\n")
    assert f"From: the rules folder {rules_min} (version " in out
    assert "- Types of hair loss: 1 added, 3 changed\n" in out
    assert "- Worked cases: 2 of 4 change their first three types or their care level\n" in out
    assert "Added: Example frontal type (frontal_example) in types/frontal_example.yaml\n" in out
    assert "Removed: unwell_child\n" in out
    assert "  * Threshold: 6 points, was 5\n" in out
    assert (
        "  * Evidence 2: when it counts changed (+1 point)\n"
        '      the evidence: "It is more common in adults."\n'
        "      before:\n"
        "        - Age is at least 18\n"
        "      after:\n"
        "        - Age is at least 16\n"
    ) in out
    assert (
        '      before: "You said the skin in the patches looks normal."\n'
        '      after: "You said the skin in the bald patches looks normal."\n'
    ) in out
    assert (
        "* Child with a boggy swelling and fever (child_kerion): FAILS with the new rules\n"
        "    First three before: 1. Scalp ringworm (tinea capitis)\n"
        "    First three now:    1. Scalp ringworm (tinea capitis) (the same)\n"
        "    Care level before:  Get help now (emergency)\n"
        "    Care level now:     See a doctor within days (urgent)\n"
    ) in out


def test_markdown(run, rules_min, new_rules):
    out = run(rules_min, new_rules.root, "--format", "markdown").stdout
    assert out.startswith("# What changed in the rules\n")
    assert "\n## Types of hair loss\n\n### Changed: Alopecia areata (`alopecia_areata`)\n\nFile `types/alopecia_areata.yaml`.\n" in out
    assert "\n### Added: Example frontal type (`frontal_example`)\n\nFile `types/frontal_example.yaml`.\n" in out
    assert "- **Option \u201cShort broken hairs\u201d (broken_hairs)**: added\n" in out
    assert "| Adult thinning at the crown (`adult_crown`) | 1. Pattern hair loss | 1. Pattern hair loss, 2. Example frontal type |" in out


def test_html_is_one_escaped_self_contained_page(run, rules_min, new_rules, tmp_path):
    new_rules.edit("types/frontal_example.yaml", "summary: A made-up", "summary: <b>A</b> made-up")
    out = tmp_path / "diff.html"
    result = run(rules_min, new_rules.root, "--format", "html", "--output", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"Wrote {out} (html: 2 worked cases move)\n"
    html = out.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)
    assert "<b>A</b>" not in html and "&lt;b&gt;A&lt;/b&gt; made-up" in html  # autoescaped
    soup = BeautifulSoup(html, "html5lib")
    assert soup.h1.get_text(strip=True) == "What changed in the rules"
    assert not soup.find_all("script") and not soup.find_all("link")
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    rows = soup.select("table.diff-cases tbody tr")
    assert [row["id"] for row in rows] == ["diff-case-child_kerion", "diff-case-adult_crown"]
    changed = soup.find("del", string="You said the skin in the patches looks normal.")
    assert changed is not None and changed.find_next("ins").get_text() == "You said the skin in the bald patches looks normal."


def test_new_defaults_to_the_rules_folder(run, rules_min, new_rules):
    result = run(rules_min, "--rules", new_rules.root)
    assert result.exit_code == 0
    assert f"To:   the rules folder {new_rules.root} (version " in result.stdout


def test_an_unknown_side_exits_1_and_says_why(run, rules_min, tmp_path):
    result = run("no-such-revision", rules_min, "--rules", rules_min)
    assert result.exit_code == 1
    assert "'no-such-revision' is neither a rules folder nor a git revision with rules" in result.stderr


def test_invalid_rules_on_one_side_are_listed(run, rules_min, rules_copy):
    rules_copy.edit("types/alopecia_areata.yaml", "care_level: soon", "care_level: son")
    result = run(rules_min, rules_copy.root)
    assert result.exit_code == 1
    assert "cannot be read by this version of the app" in result.stderr
    assert "unknown care level 'son'" in result.stderr


# --- git revisions --------------------------------------------------------------------------------


def test_two_git_revisions(run, tmp_path):
    repo = make_repo(tmp_path)
    rules = repo / "rules"
    result = run("v1", "HEAD", "--rules", rules)
    assert result.exit_code == 0, result.output
    out = result.stdout
    commit = git(repo, "rev-parse", "--short=7", "v1")
    assert re.search(rf"^From: git revision v1 \(commit {commit} of \d{{4}}-\d\d-\d\d\) \(version \w+\)$", out, re.M)
    assert "To:   git revision HEAD (commit " in out
    assert "Added: Example frontal type" in out and "Removed: unwell_child" in out
    # A revision against the working folder: the same changes.
    same = run("v1", "--rules", rules).stdout
    assert same.split("\n", 5)[5] == out.split("\n", 5)[5]
    assert git(repo, "status", "--porcelain") == ""  # nothing written into the repository


def test_the_last_release_against_the_running_rules(tmp_path):
    repo = make_repo(tmp_path)
    git(repo, "tag", "not-rules", git(repo, "commit-tree", git(repo, "mktree"), "-m", "empty"))  # newer, but no rules/
    comparison = compare_with_last_release(load_rulebook(repo / "rules"))
    assert comparison.tag == "v1" and comparison.problem is None
    assert "frontal_example" in {i.id for i in comparison.diff.section("types").added}
    assert comparison.diff.new_label == Version("running")
    assert version_name(comparison.diff.new_label) == "the rules this app is running"
    old = comparison.diff.old_label
    assert (old.kind, old.name, len(old.commit)) == ("revision", "v1", 40)
    assert re.fullmatch(rf"git revision v1 \(commit {old.commit[:7]} of \d{{4}}-\d\d-\d\d\)", version_name(old))


def test_no_git_repository_or_no_tag_is_said_plainly(tmp_path, rules_copy):
    outside = compare_with_last_release(rules_copy.load())
    assert (outside.problem, outside.git_error.reason) == ("git", "not_repository")
    assert outside.git_error.where == str(rules_copy.root)
    git(rules_copy.root, "init", "-q")
    git(rules_copy.root, "add", ".")
    git(rules_copy.root, "commit", "-q", "-m", "rules")
    comparison = compare_with_last_release(rules_copy.load())
    assert comparison.diff is None
    assert comparison.problem == "no_tag"


@pytest.mark.parametrize("revision", ["--output=/tmp/x", "v1;rm", ""])
def test_a_revision_is_never_an_option(tmp_path, revision):
    from triage.rulebook.revisions import RevisionError, resolve

    repo = make_repo(tmp_path)
    with pytest.raises(RevisionError, match="is not a git revision"):
        resolve(repo / "rules", revision)


def test_fields_added_to_the_rule_files_later_are_not_missed(rulebook):
    # A field the rule files gain after this diff was written is still compared, in words.
    from triage.rulebook.diff import _other_fields
    from triage.rulebook.models import Model

    class Later(Model):
        id: str
        motto: str | None = None
        steps: tuple[str, ...] = ()

    changes = _other_fields(Later(id="a", motto="x"), Later(id="a", motto="y", steps=("s",)), {"id"}, (rulebook, rulebook))
    assert [(c.part, c.old, c.new) for c in changes] == [
        (Part("field", field="motto"), "x", "y"),
        (Part("field", field="steps"), None, "s"),
    ]
    assert [change_line(c) for c in changes] == ["Motto: changed", "Steps: added"]
