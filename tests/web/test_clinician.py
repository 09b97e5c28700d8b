"""The clinician's pages under /rules, and the person's own trace at /result/trace.

Every page goes through the page-checking client (one h1, title, unique ids,
no inline script or style, disclaimer). The real rulebook is checked for
completeness (every type, question, red flag and case, with sources linked
and conditions in plain words); lint warnings are checked on small fixture
rulebooks, each seeded with one problem.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.config import TEST_CONFIG
from tests.helpers.repo import make_repo
from tests.pagecheck import PageClient
from tests.stories import PATCH
from tests.web.journey import walk
from triage import clinician, create_app
from triage.changes import ReleaseComparison
from triage.rulebook.diff import Version
from triage.rulebook.revisions import RevisionError
from triage.rulebook import evaluate, load_rulebook, run_cases
from triage.rulebook.plain import explain
from triage.words import case_actual, case_expected, describe, each_test, lint_message
from triage.rulebook.review import answer_words
from triage.rulebook.signoff import append_signoff, file_hash, new_record

RULES_MIN = Path(__file__).resolve().parents[1] / "fixtures" / "rules_min"
TYPE_IDS = [t.id for t in load_rulebook(TEST_CONFIG.get("RULES_DIR")).types]


@pytest.fixture(scope="module")
def rulebook(app):
    return app.extensions["rulebook"]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def hrefs(page) -> set[str]:
    return {a["href"] for a in page.select("a[href]")}


def assert_accessible_tables(page) -> None:
    tables = page.select("main table")
    assert tables, "no tables"
    for table in tables:
        caption = table.select_one("caption")
        assert caption is not None and caption.get_text(strip=True), "a table without a caption"
        for th in table.select("thead th"):
            assert th.get("scope") == "col"
        for th in table.select("tbody th"):
            assert th.get("scope") == "row"
        wrap = table.find_parent("div", class_="table-wrap")
        assert wrap is not None, "a table not wrapped for small screens"
        assert wrap["tabindex"] == "0" and wrap["role"] == "region"
        assert wrap["aria-labelledby"] == caption["id"]


# --- the real rulebook --------------------------------------------------------------------


def test_overview_shows_version_date_counts_review_status_and_sections(client, rulebook):
    page = client.get("/rules/")
    assert page.h1 == "For clinicians: the rulebook"
    text = page.text
    assert rulebook.version in text
    assert rulebook.updated is not None
    assert f"{rulebook.updated.day}{rulebook.updated.strftime(' %B %Y')}" in text
    assert (
        f"{len(rulebook.questions)} questions, {len(rulebook.types)} types, {len(rulebook.red_flags)} red flags"
        in text
    )
    links = hrefs(page)
    assert {"/rules/questions", "/rules/red-flags", "/rules/cases", "/rules/coverage"} <= links
    rows = page.select("#types-caption")[0].find_parent("table").select("tbody tr")
    assert len(rows) == len(rulebook.types)
    for row, hair_type in zip(rows, rulebook.types):
        assert row.select_one("th a")["href"] == f"/rules/types/{hair_type.id}"
        assert row.select_one("th").get_text(strip=True) == hair_type.name
        assert row.select("td")[2].get_text(strip=True) == "Not reviewed"
    # No rule file has been reviewed (rules/reviews.yaml is empty), and the overview says so, in the warnings too.
    assert rulebook.signoffs == ()
    assert f"No rule file has been reviewed by a named clinician yet (0 of {len(rulebook.file_hashes)})" in text
    assert "Rule files not reviewed (or changed since review)" in text
    assert_accessible_tables(page)


def test_footer_link_for_clinicians(client):
    page = client.get("/about")
    assert page.soup.select_one("footer a[href='/rules/']").get_text(strip=True) == "For clinicians"


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_every_type_page_shows_its_evidence_in_plain_words_and_its_sources(client, rulebook, app, type_id):
    hair_type = rulebook.type_by_id[type_id]
    review = clinician.prepare(app)  # built on first use; the same object the pages read
    page = client.get(f"/rules/types/{hair_type.id}")
    assert page.h1 == hair_type.name
    text = page.text
    assert squash(hair_type.summary) in text
    for name in hair_type.other_names:
        assert name in text
    assert f"{hair_type.threshold} points" in text
    assert rulebook.level(hair_type.care_level).label in text
    status = page.soup.select_one(".review-status")
    assert squash(status.get_text(" ")).startswith("Not reviewed by a named clinician. File: types/")
    assert f"SHA-256 {rulebook.file_hashes[f'types/{hair_type.id}.yaml'][:16]}" in text
    for item in hair_type.doctor_may + hair_type.treatments:
        assert squash(item) in text

    table = page.soup.select_one("table.evidence")
    rows = table.select("tbody tr")
    assert len(rows) == len(hair_type.evidence)
    for row, item in zip(rows, hair_type.evidence):
        cells = row.select("td")
        assert squash(cells[2].get_text()) == squash(item.because)
        assert cells[1].get_text(strip=True) == f"{item.points:+d}"
        when = squash(cells[0].get_text(" "))
        for words in each_test(explain(item.when, rulebook.question_by_id)):
            assert squash(words) in when, (words, when)
        assert cells[-1].get_text(strip=True) == str(item.when.where.line)

    links = hrefs(page)
    for source in hair_type.sources:
        assert source.url in links
    for reach in review.reaches[hair_type.id]:
        assert f"/rules/cases/{reach.case_id}" in links
    assert_accessible_tables(page)


def test_evidence_against_a_type_shows_minus_points(client, rulebook):
    hair_type = next(t for t in rulebook.types if any(e.points < 0 for e in t.evidence))
    page = client.get(f"/rules/types/{hair_type.id}")
    against = [s.get_text(strip=True) for s in page.select(".points--against")]
    assert against == [f"{e.points:+d}" for e in hair_type.evidence if e.points < 0]
    assert all(p.startswith("-") for p in against)


def test_unknown_type_and_case_are_404(client):
    client.get("/rules/types/no_such_type", expected_status=404)
    client.get("/rules/cases/no_such_case", expected_status=404)
    client.get("/rules/cases/no_such_case/trace", expected_status=404)


def test_questions_page_lists_every_option_and_when_it_is_asked(client, rulebook):
    page = client.get("/rules/questions")
    assert page.h1 == "Questions and when they are asked"
    for number, question in enumerate(rulebook.questions, 1):
        section = page.soup.select_one(f"#q-{question.id}").find_parent("section")
        text = squash(section.get_text(" "))
        assert squash(question.text) in text
        assert {"one": "One choice", "several": "Several choices", "number": "A number"}[question.kind] in text
        if question.ask_when is None:
            assert "When it is asked Always" in text
        else:
            assert "Only when:" in text
            for words in each_test(explain(question.ask_when, rulebook.question_by_id)):
                assert squash(words) in text
        rows = section.select("tbody tr")
        assert [(r.th.get_text(strip=True), r.td.get_text(strip=True)) for r in rows] == [
            (o.value, o.label) for o in question.options
        ]
    assert_accessible_tables(page)


def test_questions_page_draws_the_branching_as_an_accessible_svg(client, rulebook):
    page = client.get("/rules/questions")
    svgs = page.select("svg")
    assert len(svgs) == 1
    svg = svgs[0]
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.select_one(f"title#{title_id}").get_text(strip=True).startswith("The question flow")
    desc = svg.select_one(f"desc#{desc_id}").get_text()
    boxes = svg.select("g.flow-question")
    assert len(boxes) == len(rulebook.questions)
    gated = [q for q in rulebook.questions if q.ask_when is not None]
    assert len(svg.select("g.flow-question--gated")) == len(gated)
    for number, (box, question) in enumerate(zip(boxes, rulebook.questions), 1):
        texts = [t.get_text() for t in box.select("text")]
        assert texts[0].startswith(f"{number}. ")
        assert texts[1].startswith(question.id)
        assert (question.ask_when is not None) == any(t.startswith("Only if") for t in texts)
        assert f"{number}. {question.id}," in desc
    for question in gated:
        assert describe(question.ask_when, rulebook.question_by_id) in desc
    # The picture sits in a focusable, named scroll region; it has no inline style.
    wrap = svg.find_parent("div", class_="flow-wrap")
    assert wrap["tabindex"] == "0" and wrap["role"] == "region"
    assert not svg.select("[style]") and not svg.select("style")


def test_red_flags_page(client, rulebook, app):
    review = clinician.prepare(app)  # built on first use; the same object the pages read
    page = client.get("/rules/red-flags")
    assert page.h1 == "Red flags"
    links = hrefs(page)
    for flag in rulebook.red_flags:
        section = page.soup.select_one(f"#flag-{flag.id}").find_parent("section")
        text = squash(section.get_text(" "))
        assert squash(flag.message) in text
        assert rulebook.level(flag.level).label in text
        for words in each_test(explain(flag.when, rulebook.question_by_id)):
            assert squash(words) in text
        for source in flag.sources:
            assert source.url in links
        for case_id in review.flag_cases[flag.id]:
            assert f"/rules/cases/{case_id}" in links
    assert "Yes: help is shown at once" in page.text  # self_harm interrupts


def test_cases_page_shows_expected_actual_and_pass(client, rulebook):
    results = run_cases(rulebook)
    page = client.get("/rules/cases")
    rows = page.select("table.cases tbody tr")
    assert len(rows) == len(results) == len(rulebook.cases)
    for row, result in zip(rows, results):
        assert row.select_one("th a")["href"] == f"/rules/cases/{result.case_id}"
        cells = [c.get_text(" ", strip=True) for c in row.select("td")]
        assert cells[0] == case_expected(result.expect)
        assert cells[1] == case_actual(result.assessment)
        assert cells[2] == ("Pass" if result.passed else "Fail")
    summary = squash(page.soup.select_one(".cases-summary").get_text())
    assert summary.startswith(f"{len(results)} cases: {sum(r.passed for r in results)} pass")
    assert_accessible_tables(page)


def test_case_page_shows_answers_in_words_and_the_result(client, rulebook):
    case = next(c for c in rulebook.cases if c.expect.red_flags and c.expect.first)
    result = next(r for r in run_cases(rulebook) if r.case_id == case.id)
    page = client.get(f"/rules/cases/{case.id}")
    assert page.h1 == f"Case: {case.title}"
    pairs = {
        squash(row.dt.get_text(" ")): squash(row.dd.get_text(" "))
        for row in page.select("#answers + dl .summary-list__row")
    }
    for qid, value in case.answers.items():
        question = rulebook.question_by_id[qid]
        assert pairs[f"{squash(question.text)} {qid}"] == " ".join(answer_words(question, value))
    text = page.text
    assert f"Shown first: {rulebook.type_by_id[case.expect.first].name}" in text
    for flag in case.expect.red_flags:
        assert f"Red flag fires: {flag}" in text
    for number, s in enumerate(result.assessment.suggestions, 1):
        assert f"{number}. {s.name}: {s.score} points (threshold {s.threshold})" in text
    assert ("Pass" if result.passed else "Fail") in page.soup.select_one(".result-line").get_text()
    assert f"/rules/cases/{case.id}/trace" in hrefs(page)


def assert_trace_matches(page, rulebook, assessment) -> None:
    """A trace page shows every type's score and threshold, every fired rule, flags and care reasons."""
    rows = page.soup.select_one("#scores-caption").find_parent("table").select("tbody tr")
    shown = {row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.select("td")] for row in rows}
    assert len(shown) == len(rulebook.types)
    for score in assessment.all_scores:
        assert shown[score.name][:3] == [str(score.score), str(score.threshold), "Yes" if score.reached else "No"]
        if score.evidence:
            section = page.soup.select_one(f"#score-{score.type_id}").find_parent("section")
            fired = [
                (r.th.get_text(strip=True), squash(r.select("td")[0].get_text()))
                for r in section.select("tbody tr")
            ]
            assert fired == [(f"{hit.points:+d}", squash(hit.because)) for hit in score.evidence]
            assert section.select_one("tfoot th").get_text(strip=True) == str(score.score)
    for rank, s in enumerate(assessment.suggestions, 1):
        assert shown[s.name][3].startswith(f"Yes, {rank}")
    text = page.text
    for flag in assessment.red_flags:
        assert squash(flag.message) in text
    care = page.soup.select_one("#care-caption").find_parent("table")
    setting = [r for r in care.select("tbody tr") if r.select("td")[-1].get_text(strip=True).startswith("Yes")]
    assert len(setting) == len(assessment.care_reasons)
    assert page.soup.select_one("#care").get_text(strip=True) == f"How soon: {rulebook.level(assessment.care_level).label}"


def test_case_trace_shows_every_rule_that_fired(client, rulebook):
    case = next(c for c in rulebook.cases if c.expect.red_flags)
    page = client.get(f"/rules/cases/{case.id}/trace")
    assert page.h1 == f"How this case was worked out: {case.title}"
    assert_trace_matches(page, rulebook, evaluate(rulebook, case.answers))
    assert_accessible_tables(page)


def test_unclear_case_trace_says_no_type_reached(client, rulebook):
    case = next(c for c in rulebook.cases if c.expect.unclear)
    page = client.get(f"/rules/cases/{case.id}/trace")
    assert "no type reached its threshold" in page.text
    assert_trace_matches(page, rulebook, evaluate(rulebook, case.answers))


def test_coverage_matrix_and_warnings(client, rulebook, app):
    review = clinician.prepare(app)  # built on first use; the same object the pages read
    page = client.get("/rules/coverage")
    table = page.soup.select_one("table.matrix")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:-1]
    assert columns == list(review.matrix_questions)
    rows = table.select("tbody tr")
    assert len(rows) == len(rulebook.types)
    for row, hair_type in zip(rows, rulebook.types):
        cells = [td.get_text(strip=True) for td in row.select("td")]
        expected = [
            str(sum(1 for e in hair_type.evidence if any(m.question == q for m in e.when.matches())) or "")
            for q in columns
        ]
        assert cells[:-1] == [c if c != "0" else "" for c in expected]
        assert cells[-1] == str(len(review.reaches[hair_type.id]))
    footer = [td.get_text(strip=True) for td in table.select("tfoot td")][:-1]
    assert footer == [str(sum(1 for c in rulebook.cases if q in c.answers)) for q in columns]
    # Every warning is listed; today, at least every rule file, none of which is reviewed.
    warnings = warnings_on(page)
    for lint in review.lints:
        assert squash(lint_message(lint)) in warnings
    assert len([lint for lint in review.lints if lint.kind == "unreviewed"]) == len(rulebook.file_hashes)
    counts = [squash(li.get_text(" ")) for li in page.soup.select(".review-counts li")]
    assert counts == [
        f"Not reviewed: {len(rulebook.file_hashes)} rule files",
        "Changed since review: 0 rule files",
        "Reviewed: 0 rule files",
    ]
    files = page.soup.select("table.review-files tbody tr")
    assert [row.th.get_text(strip=True) for row in files] == list(rulebook.file_hashes)
    assert_accessible_tables(page)


def test_review_is_built_once_at_start_not_per_request(app, client, monkeypatch):
    review = clinician.prepare(app)  # built on first use; the same object the pages read

    def fail(*args, **kwargs):
        raise AssertionError("the review was rebuilt during a request")

    monkeypatch.setattr(clinician, "build_review", fail)
    monkeypatch.setattr(clinician, "flow", fail)
    for url in ("/rules/", "/rules/questions", "/rules/coverage", "/rules/cases"):
        client.get(url)
    assert app.extensions[clinician.REVIEW_KEY] is review


# --- the person's own trace ----------------------------------------------------------------


def test_result_links_to_the_trace_and_the_trace_matches_the_result(client, rulebook):
    url, _ = walk(client, PATCH)
    assert url == "/check-answers"
    result = client.get("/result")
    link = result.soup.select_one("a[href='/result/trace']")
    assert link is not None and link.get_text(strip=True) == "See how this was worked out"
    assert "no-print" in link.find_parent("p")["class"]
    with client.client.session_transaction() as sess:
        answers = dict(sess["answers"])
    page = client.get("/result/trace")
    assert page.h1 == "How your summary was worked out"
    assert_trace_matches(page, rulebook, evaluate(rulebook, answers))
    assert page.soup.select_one("a.back-link")["href"] == "/result"
    # the answers used are the person's own, in their words
    assert "One or a few round or oval bald patches" in page.text


def test_trace_of_incomplete_answers_goes_to_the_first_gap_like_the_result(client):
    assert client.get("/result/trace", expected_status=302).location == "/questions/age"
    walk(client, PATCH)
    with client.client.session_transaction() as sess:
        answers = dict(sess["answers"])
        del answers["onset"]
        sess["answers"] = answers
    assert client.get("/result", expected_status=302).location == "/questions/onset"
    assert client.get("/result/trace", expected_status=302).location == "/questions/onset"


def test_trace_stores_nothing_new_in_the_session(client):
    walk(client, PATCH)
    client.get("/result")
    with client.client.session_transaction() as sess:
        before = dict(sess)
    client.get("/result/trace")
    with client.client.session_transaction() as sess:
        assert dict(sess) == before


# --- lints on seeded fixture rulebooks ----------------------------------------------------------


class Seeded:
    """A copy of tests/fixtures/rules_min that a test seeds with problems, then serves."""

    def __init__(self, root: Path) -> None:
        self.root = root
        shutil.copytree(RULES_MIN, root)

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    def append(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.write_text(path.read_text().rstrip("\n") + "\n" + text)

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text)

    def sign(self, rel: str, reviewer: str = "Dr Example", day: str = "2026-01-05", outcome: str = "approved") -> None:
        """Record a review of the file's current content, as `triage rules review` does."""
        digest = file_hash((self.root / rel).read_bytes())
        record = new_record(
            file=rel, sha256=digest, reviewer=reviewer, role="Consultant dermatologist", outcome=outcome,
            scope=("content", "sources"), day=date.fromisoformat(day),
        )
        append_signoff(self.root, record)

    def client(self) -> PageClient:
        self.app = create_app({**TEST_CONFIG, "RULES_DIR": str(self.root)})
        return PageClient(self.app.test_client())


@pytest.fixture
def seeded(tmp_path) -> Seeded:
    return Seeded(tmp_path / "rules")


UNREACHED_TYPE = """\
id: frontal_example
name: Example type nobody reaches
summary: A type that needs more points than any answer can give.
threshold: 9
care_level: routine
evidence:
  - when: {pattern: temples_crown}
    points: 2
    because: You said the thinning is at the temples or crown.
sources:
  - title: Example source one
    url: https://example.org/fe1
  - title: Example source two
    url: https://example.org/fe2
"""

UNCOVERED_FLAG = """
  - id: fever_unsure
    level: urgent
    when:
      fever: not_sure
    message: Not being sure about a fever with scalp lumps is worth a call to a doctor.
    sources:
      - title: Example source
        url: https://example.org/fever
"""

UNANSWERED_QUESTION = """
  - id: nails
    section: your_hair
    text: Have your nails changed?
    kind: one
    options:
      - value: pits
        label: Small dents in the nails
      - value: no
        label: "No"
"""

EVIDENCE_ON_NAILS = """  - when:
      nails: pits
    points: 1
    because: You said your nails have small dents.
doctor_may:"""


def warnings_on(page) -> str:
    return squash(page.soup.select_one("#warnings").parent.get_text(" "))


def test_each_seeded_problem_is_a_warning(seeded):
    seeded.write("types/frontal_example.yaml", UNREACHED_TYPE)
    seeded.append("red_flags.yaml", UNCOVERED_FLAG)
    seeded.append("questions.yaml", UNANSWERED_QUESTION)
    seeded.edit("types/alopecia_areata.yaml", "doctor_may:", EVIDENCE_ON_NAILS)
    seeded.sign("types/frontal_example.yaml")
    client = seeded.client()

    expected = [
        ("Types that no case reaches (1)", "no case reaches 'frontal_example' (Example type nobody reaches)"),
        (
            "Evidence on questions that no case answers (1)",
            "evidence 4 of 'alopecia_areata' looks at the question 'nails', which no case answers",
        ),
        ("Red flags that fire in no case (1)", "red flag 'fever_unsure' fires in no case"),
        ("Types with fewer than 2 sources (1)", "type 'tinea_capitis' has 1 source"),
        ("Rule files not reviewed (or changed since review) (7)", "types/alopecia_areata.yaml has not been reviewed"),
        ("Rule files not reviewed (or changed since review) (7)", "types/tinea_capitis.yaml has not been reviewed"),
        ("Rule files not reviewed (or changed since review) (7)", "red_flags.yaml has not been reviewed"),
    ]
    for url in ("/rules/coverage", "/rules/"):
        text = warnings_on(client.get(url))
        for heading, message in expected:
            assert heading in text, (url, heading)
            assert message in text, (url, message)
        # a reviewed file is not warned about, nor is a type with two sources
        assert "types/frontal_example.yaml has not been reviewed" not in text
        assert "'alopecia_areata' has 1 source" not in text
        # what `triage rules check` warns about is shown too
        assert "Warnings from triage rules check (1)" in text

    # Each page about the problem says so too.
    type_page = client.get("/rules/types/frontal_example")
    assert "No worked case reaches this type" in type_page.text
    assert "Reviewed by Dr Example on 2026-01-05 (approved)" in type_page.text
    aa_page = client.get("/rules/types/alopecia_areata")
    assert "looks at the question 'nails', which no case answers" in aa_page.soup.select_one(".callout--warning").get_text()
    assert "Nails is \u201cSmall dents in the nails\u201d" in aa_page.text
    flags = client.get("/rules/red-flags").soup.select_one("#flag-fever_unsure").find_parent("section")
    assert "no worked case makes this red flag fire" in flags.get_text()
    matrix = client.get("/rules/coverage").soup.select_one("table.matrix")
    assert "nails" in [th.get_text(strip=True) for th in matrix.select("thead th")]
    assert matrix.select("tfoot td.matrix__gap")  # no case answers 'nails'


def test_warnings_link_to_what_they_are_about(seeded):
    seeded.write("types/frontal_example.yaml", UNREACHED_TYPE)
    seeded.append("red_flags.yaml", UNCOVERED_FLAG)
    client = seeded.client()
    page = client.get("/rules/coverage")
    unreached = page.soup.select_one("#lints-type_unreached").find_parent("section")
    assert unreached.select_one("a")["href"] == "/rules/types/frontal_example"
    uncovered = page.soup.select_one("#lints-red_flag_uncovered").find_parent("section")
    assert uncovered.select_one("a")["href"] == "/rules/red-flags#flag-fever_unsure"


def test_evidence_that_holds_in_no_case_is_a_warning(seeded):
    seeded.edit(
        "types/pattern_hair_loss.yaml",
        "sources:",
        "  - when: {pattern: not_sure}\n    points: 1\n    because: You were not sure.\nsources:",
    )
    text = warnings_on(seeded.client().get("/rules/coverage"))
    assert "Evidence that counts in no case (1)" in text
    assert "evidence 4 of 'pattern_hair_loss' (+1) holds in no case" in text


def test_a_failing_case_shows_fail_with_the_reason(seeded):
    seeded.edit("cases/basic.yaml", "      care_level: routine", "      care_level: urgent")
    client = seeded.client()
    page = client.get("/rules/cases")
    row = page.soup.select_one("#case-adult_crown")
    assert row.select_one(".tag--fail").get_text(strip=True) == "Fail"
    assert "expected care level 'urgent', got 'routine'" in row.get_text()
    assert squash(page.soup.select_one(".cases-summary").get_text()) == "4 cases: 3 pass, 1 fail."
    case_page = client.get("/rules/cases/adult_crown")
    assert "Fail" in case_page.soup.select_one(".result-line").get_text()
    assert "Cases that fail (1)" in warnings_on(client.get("/rules/coverage"))
    assert "1 fail" in client.get("/rules/").text


def test_a_clean_rulebook_has_no_warnings(seeded):
    # Give tinea_capitis a second source, then review every rule file: the fixture's only other problems.
    seeded.edit(
        "types/tinea_capitis.yaml",
        "sources:\n",
        "sources:\n  - title: Example source two\n    url: https://example.org/tc2\n",
    )
    for path in sorted(seeded.root.rglob("*.yaml")):
        seeded.sign(path.relative_to(seeded.root).as_posix())
    client = seeded.client()
    review = clinician.prepare(seeded.app)  # built when first asked for, not at start-up
    assert review.lints == () and seeded.app.extensions["rulebook"].lints == ()
    assert "No warnings" in client.get("/rules/coverage").text
    assert "0 warnings" in client.get("/rules/").text


# --- clinical review status (reviews.yaml) --------------------------------------------------------


def test_the_pages_show_each_rule_file_s_review_status(seeded):
    seeded.sign("types/alopecia_areata.yaml", reviewer="Dr Ada Example", day="2026-01-05")
    seeded.sign("red_flags.yaml", reviewer="Dr Ben Example", day="2026-01-06", outcome="changes_requested")
    seeded.sign("types/tinea_capitis.yaml", reviewer="Dr Cy Example", day="2026-01-07")
    seeded.sign("questions.yaml", reviewer="Dr Cy Example", day="2026-01-07")
    # Edited after their reviews: no longer reviewed.
    seeded.edit("types/tinea_capitis.yaml", "threshold: 5", "threshold: 6")
    seeded.edit("questions.yaml", "text: Have you had a fever?", "text: Have you had a high temperature?")
    client = seeded.client()

    def status_line(url):
        return squash(client.get(url).soup.select_one("main .review-status").get_text())

    assert status_line("/rules/types/alopecia_areata").startswith("Reviewed by Dr Ada Example on 2026-01-05 (approved).")
    assert status_line("/rules/types/tinea_capitis").startswith("Changed since Dr Cy Example reviewed it on 2026-01-07.")
    assert status_line("/rules/types/pattern_hair_loss").startswith("Not reviewed by a named clinician.")
    assert status_line("/rules/red-flags").startswith(
        "Review of red_flags.yaml: Reviewed by Dr Ben Example on 2026-01-06 (changes requested)."
    )
    assert status_line("/rules/questions").startswith("Review of questions.yaml: Changed since Dr Cy Example reviewed it on 2026-01-07.")

    # The type page lists every record, and whether it is for the content the app runs now.
    page = client.get("/rules/types/tinea_capitis")
    history = page.soup.select_one("#review-history-caption").find_parent("table")
    (row,) = history.select("tbody tr")
    assert row.th.get_text(strip=True) == "Dr Cy Example, Consultant dermatologist"
    assert [td.get_text(strip=True) for td in row.select("td")][:4] == [
        "2026-01-07", "content, sources", "Approved", "No: the file has changed since",
    ]
    assert_accessible_tables(page)

    # The overview: a tag per type, and the counts.
    overview = client.get("/rules/")
    tags = {
        row.th.get_text(strip=True): row.select("td")[2].get_text(" ", strip=True)
        for row in overview.soup.select_one("#types-caption").find_parent("table").select("tbody tr")
    }
    assert tags == {
        "Alopecia areata": "Reviewed 2026-01-05",
        "Pattern hair loss": "Not reviewed",
        "Scalp ringworm (tinea capitis)": "Changed 2026-01-07",
    }
    assert "2 of 7 rule files reviewed for their current content, 2 changed since review, 3 not reviewed" in overview.text

    # The coverage page: a count of each status, every file, and the warnings.
    coverage = client.get("/rules/coverage")
    counts = [squash(li.get_text(" ")) for li in coverage.soup.select(".review-counts li")]
    assert counts == ["Not reviewed: 3 rule files", "Changed since review: 2 rule files", "Reviewed: 2 rule files"]
    rows = {
        row.th.get_text(strip=True): squash(row.select("td")[1].get_text(" "))
        for row in coverage.soup.select("table.review-files tbody tr")
    }
    assert rows["red_flags.yaml"] == "Reviewed by Dr Ben Example on 2026-01-06 (changes requested)"
    assert rows["cases/basic.yaml"] == "Not reviewed by a named clinician"
    links = {a.get_text(strip=True): a["href"] for a in coverage.soup.select("table.review-files tbody a")}
    assert links["Alopecia areata"] == "/rules/types/alopecia_areata"
    assert links["Red flags and care notes"] == "/rules/red-flags"
    text = warnings_on(coverage)
    assert "Rule files not reviewed (or changed since review) (5)" in text
    assert "types/tinea_capitis.yaml has changed since Dr Cy Example reviewed it on 2026-01-07" in text
    assert "Rule files a reviewer asked to change (1)" in text
    assert "Dr Ben Example asked for changes to red_flags.yaml on 2026-01-06" in text
    assert "types/alopecia_areata.yaml has not been reviewed" not in text

    # The about page says how much has been reviewed.
    assert "2 of 7 rule files have been reviewed by a named clinician as they are now" in client.get("/about").text


def test_about_page_says_the_rules_are_not_reviewed_yet(client):
    assert "The rules have not yet been reviewed by a named clinician." in client.get("/about").text


# --- what changed since the last release ----------------------------------------------------------


def test_changes_page_renders_for_the_running_rules(client):
    page = client.get("/rules/changes")
    assert page.h1 == "Changes since the last release"
    assert "triage rules diff OLD NEW" in page.text
    assert "/rules/changes" in hrefs(client.get("/rules/"))


def test_changes_page_outside_git_says_so_plainly(seeded):
    page = seeded.client().get("/rules/changes")
    assert page.status == 200
    callout = squash(page.soup.select_one(".callout").get_text(" "))
    assert callout.startswith("Nothing to compare with Git cannot say which release came before: the rules folder")
    assert "is not in a git repository" in callout


def test_changes_page_against_the_last_tagged_release(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    app = create_app({**TEST_CONFIG, "RULES_DIR": str(repo / "rules")})
    client = PageClient(app.test_client())
    page = client.get("/rules/changes")
    assert "Compared with the release v1 , the newest git tag that holds the rules folder." in page.text
    summary = [squash(li.get_text(" ")) for li in page.soup.select("#diff-summary + ul li")]
    assert summary[0] == "Types of hair loss : 1 added, 3 changed"
    added = page.soup.select_one("#diff-types").find_parent("section")
    assert "Added Example frontal type frontal_example" in squash(added.get_text(" "))
    condition = squash(page.soup.find(string=re.compile("when it counts changed")).find_parent("li").get_text(" "))
    assert "Before Age is at least 18 After Age is at least 16" in condition
    moved = [row["id"] for row in page.soup.select("table.diff-cases tbody tr")]
    assert moved == ["diff-case-child_kerion", "diff-case-adult_crown"]
    assert_accessible_tables(page)
    # Worked out once per process, not per request.
    monkeypatch.setattr(clinician, "compare_with_last_release", lambda rulebook: (_ for _ in ()).throw(AssertionError("again")))
    assert client.get("/rules/changes").status == 200


@pytest.mark.parametrize(
    ("comparison", "words"),
    [
        (ReleaseComparison(problem="no_tag"), "No release has been tagged in git yet, so there is no earlier release"),
        (
            ReleaseComparison(problem="git", git_error=RevisionError("no_git", "")),
            "Git cannot say which release came before: git is not installed here.",
        ),
        (
            ReleaseComparison(problem="git", tag="v2", git_error=RevisionError("no_rules", "", where="v2")),
            "Git cannot say which release came before: v2 has no rules folder.",
        ),
        (
            ReleaseComparison(
                problem="unreadable",
                tag="v1",
                version=Version("revision", "v1", "1a2b3c4d5e", "2026-01-05"),
                errors=("rules/questions.yaml:3:1: unknown key",),
            ),
            "The rules of the release v1 cannot be compared: the rules of git revision v1 (commit 1a2b3c4 of 2026-01-05)"
            " cannot be read by this version of the app. rules/questions.yaml:3:1: unknown key",
        ),
        (ReleaseComparison(problem="failed", tag="v1", detail="OSError"), "The rules of the release v1 could not be read (OSError)."),
    ],
    ids=["no-tag", "no-git", "no-rules", "unreadable", "failed"],
)
def test_changes_page_says_why_there_is_nothing_to_compare(seeded, monkeypatch, comparison, words):
    monkeypatch.setattr(clinician, "compare_with_last_release", lambda rulebook: comparison)
    page = seeded.client().get("/rules/changes")
    callout = squash(page.soup.select_one(".callout").get_text(" "))
    assert callout.startswith("Nothing to compare with " + words)


def test_the_review_is_built_when_first_asked_for_not_at_start(seeded):
    """Start-up does not run every worked case: the first /rules/ page (or gunicorn's master) does."""
    client = seeded.client()
    assert clinician.REVIEW_KEY not in seeded.app.extensions
    client.get("/")
    assert clinician.REVIEW_KEY not in seeded.app.extensions
    # A person's own trace explains their answers without it (it ran into gunicorn's
    # timeout under load when it built the whole review on first use).
    walk(client, PATCH)
    trace = client.get("/result/trace")
    assert trace.h1 == "How your summary was worked out"
    assert trace.soup.select("td.evidence__when")[0].get_text(strip=True)
    assert clinician.REVIEW_KEY not in seeded.app.extensions
    client.get("/rules/")
    assert clinician.REVIEW_KEY in seeded.app.extensions
