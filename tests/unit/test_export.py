"""`triage rules export`: the whole rulebook as one printable HTML or Markdown document."""

from __future__ import annotations

import re

import html5lib
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from tests.helpers.rules import rules_command
from triage.cli_rules import make_cli
from triage.rulebook import load_rulebook, run_cases
from triage.rulebook.plain import explain
from triage.words import each_test


@pytest.fixture
def run():
    return rules_command("export")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def parse(html: str) -> BeautifulSoup:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)  # raises on any parse error
    return BeautifulSoup(html, "html5lib")


def test_html_is_one_self_contained_document_with_everything(run, rules_min, rulebook):
    result = run(rules_min)
    assert result.exit_code == 0, result.output
    soup = parse(result.stdout)
    assert soup.h1.get_text(strip=True) == "The hair-loss rulebook"
    assert rulebook.version in soup.title.get_text()
    # Self-contained: one embedded stylesheet, no script, nothing loaded from anywhere.
    assert len(soup.find_all("style")) == 1
    assert not soup.find_all("script") and not soup.find_all("link") and not soup.find_all("img")
    text = squash(soup.get_text(" "))
    links = {a["href"] for a in soup.find_all("a", href=True)}
    for hair_type in rulebook.types:
        section = soup.find(id=f"type-{hair_type.id}").find_parent("section")
        assert section.h3.get_text(strip=True) == hair_type.name
        section_text = squash(section.get_text(" "))
        for item in hair_type.evidence:
            assert squash(item.because) in section_text
            for words in each_test(explain(item.when, rulebook.question_by_id)):
                assert words in section_text
        for source in hair_type.sources:
            assert source.url in links
        assert f"#type-{hair_type.id}" in links  # contents
    for question in rulebook.questions:
        assert question.text in text
        for option in question.options:
            assert option.label in text
    for flag in rulebook.red_flags:
        assert squash(flag.message) in text
    for case in rulebook.cases:
        assert case.title in text
    results = run_cases(rulebook)
    assert len(soup.find(id="cases").find_next("table").select("tbody tr")) == len(results)
    assert f"{sum(r.passed for r in results)} of {len(results)} pass" in text
    assert "type 'tinea_capitis' has 1 source" in text  # the warnings
    # The review status of every rule file: none is reviewed in the fixture.
    assert "0 of 7 rule files reviewed for their current content, 0 changed since review, 7 not reviewed" in text
    review_rows = soup.find(id="review").find_next("table").select("tbody tr")
    assert [row.th.get_text(strip=True) for row in review_rows] == list(rulebook.file_hashes)
    assert all("Not reviewed by a named clinician" in squash(row.get_text(" ")) for row in review_rows)
    type_section = soup.find(id="type-alopecia_areata").find_parent("section")
    assert "Not reviewed by a named clinician. File: types/alopecia_areata.yaml" in squash(type_section.get_text(" "))
    svg = soup.find("svg")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "export-flow-title export-flow-desc"


def test_html_to_a_file(run, rules_min, rulebook, tmp_path):
    out = tmp_path / "rulebook.html"
    result = run("--output", out, rules_min)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Wrote {out} (html, rulebook version {rulebook.version})\n"
    soup = parse(out.read_text(encoding="utf-8"))
    assert [h3.get_text(strip=True) for h3 in soup.select("section.type h3")] == [t.name for t in rulebook.types]


def test_markdown(run, rules_min, rulebook, tmp_path):
    out = tmp_path / "rulebook.md"
    result = run("--format", "markdown", "-o", out, rules_min)
    assert result.exit_code == 0
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# The hair-loss rulebook\n")
    assert f"- Version: `{rulebook.version}`" in md
    for hair_type in rulebook.types:
        assert f"\n### {hair_type.name}\n" in md
        for item in hair_type.evidence:
            assert squash(item.because) in md
        for source in hair_type.sources:
            assert f"- [{source.title}]({source.url})" in md
    # A nested condition is a nested list: tinea_capitis' any-of evidence.
    assert (
        "   - When: At least one of these:\n"
        "       - Age is below 16\n"
        "       - Scalp includes all of: \u201cItch\u201d, \u201cPus-filled spots or crusts\u201d\n"
    ) in md
    assert "- When it is asked: only when Pattern is one of: \u201cRound or oval smooth bald patches\u201d, \u201cNot sure\u201d" in md
    for flag in rulebook.red_flags:
        assert f"\n### {flag.id}\n" in md and f"> {flag.message}" in md
    for case in rulebook.cases:
        assert re.search(rf"^\| `{case.id}`: .* \| PASS \|$", md, re.M)
    assert "### Types with fewer than 2 sources (1)" in md
    assert "File `types/alopecia_areata.yaml`. Not reviewed by a named clinician." in md
    assert "Review of `red_flags.yaml`: Not reviewed by a named clinician." in md
    digest = rulebook.file_hashes["questions.yaml"][:16]
    assert f"| `questions.yaml` | Questions | Not reviewed by a named clinician | `{digest}` |" in md


def test_markdown_escapes_rule_text_completely(run, rules_copy, tmp_path):
    """Text from the rule files is literal in Markdown: no emphasis, links, HTML, headings or table breaks."""
    rules_copy.edit("types/alopecia_areata.yaml", "name: Alopecia areata", "name: Alopecia *areata* [x](y) <b>")
    rules_copy.edit(
        "types/alopecia_areata.yaml",
        "The immune system attacks hair roots and leaves smooth round patches.",
        "# The immune_system | attacks `roots`.",
    )
    rules_copy.edit("questions.yaml", "label: Thinning all over the scalp", 'label: "Thinning | all_over"')
    out = tmp_path / "rulebook.md"
    assert run("--format", "markdown", "-o", out, rules_copy.root).exit_code == 0
    md = out.read_text(encoding="utf-8")
    assert "\n### Alopecia \\*areata\\* \\[x\\](y) \\<b\\>\n" in md
    assert "\n\\# The immune\\_system \\| attacks \\`roots\\`.\n" in md
    assert "| `all_over` | Thinning \\| all\\_over |  |" in md
    assert "<b>" not in md and "*areata*" not in md


def test_markdown_to_the_terminal(run, rules_min):
    result = run("--format", "markdown", rules_min)
    assert result.exit_code == 0
    assert result.stdout.startswith("# The hair-loss rulebook\n")
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_the_real_rulebook_exports_every_type(run, fmt, tmp_path):
    rulebook = load_rulebook()
    out = tmp_path / f"rulebook.{fmt}"
    result = run("--format", fmt, "--output", out)
    assert result.exit_code == 0, result.output
    document = out.read_text(encoding="utf-8")
    if fmt == "html":
        document = squash(parse(document).get_text(" "))
    for hair_type in rulebook.types:
        assert hair_type.name in document
    for flag in rulebook.red_flags:
        assert flag.id in document
    assert rulebook.version in document


def test_invalid_rules_exit_1_with_the_errors(run, rules_copy):
    rules_copy.edit("types/alopecia_areata.yaml", "care_level: soon", "care_level: son")
    result = run(rules_copy.root)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "unknown care level 'son'" in result.stderr


def test_unknown_format_is_a_usage_error(run, rules_min):
    result = run("--format", "pdf", rules_min)
    assert result.exit_code == 2
    assert "'pdf' is not one of 'html', 'markdown'" in result.stderr


# --- the reviewer's pack ------------------------------------------------------------------------


def test_reviewers_pack_of_a_type_file_has_its_cases_warnings_status_and_a_sign_off_box(run, rules_min, rulebook):
    result = run("--for-review", "types/tinea_capitis.yaml", "--rules", rules_min)
    assert result.exit_code == 0, result.output
    soup = parse(result.stdout)
    assert soup.h1.get_text(strip=True) == "Reviewer's pack"
    assert not soup.find_all("script") and not soup.find_all("link") and len(soup.find_all("style")) == 1
    text = squash(soup.get_text(" "))
    digest = rulebook.file_hashes["types/tinea_capitis.yaml"]
    # Just that file: its evidence, not the other types'.
    tinea = rulebook.type_by_id["tinea_capitis"]
    for item in tinea.evidence:
        assert squash(item.because) in text
    assert "You said the patches are round and smooth." not in text  # alopecia areata's evidence
    assert f"Content (SHA-256) {digest}" in text
    assert "Review status now Not reviewed by a named clinician" in text
    # The worked cases that touch it, and what the coverage check says about it.
    cases = soup.find("caption", string=re.compile("Worked cases that show")).find_parent("table")
    assert [row.code.get_text() for row in cases.select("tbody tr")] == ["child_kerion"]
    warnings = soup.find(id="file-1-warnings").find_next("ul").get_text(" ")
    assert "type 'tinea_capitis' has 1 source" in warnings
    # The sign-off box: name, role, registration, date, what was reviewed, outcome ticks, notes, signature.
    box = soup.select_one("section.signoff")
    assert box.h3.get_text(" ", strip=True) == "Sign-off: types/tinea_capitis.yaml"
    rows = [squash(th.get_text(" ")) for th in box.select("table.signoff-box th")]
    assert rows == [
        "Name", "Role", "Registration, as you give it (for example GMC 1234567)", "Date (YYYY-MM-DD)",
        "What I reviewed (tick all that apply)", "Outcome (tick one)", "Notes (the changes you ask for, if any)", "Signature",
    ]
    outcome = squash(box.select("table.signoff-box td")[5].get_text(" "))
    assert outcome == "\u2610 Approved \u2610 Approved with changes \u2610 Changes requested"
    assert f"content SHA-256 beginning {digest[:16]}" in squash(box.get_text(" "))
    assert f"triage rules review types/tinea_capitis.yaml --sha256 {digest[:16]} --by" in squash(box.get_text(" "))


def test_reviewers_pack_of_several_files(run, rules_min, rulebook, tmp_path):
    out = tmp_path / "pack.html"
    result = run("--for-review", "red_flags.yaml", "alopecia_areata", "cases/basic.yaml", "questions.yaml", "care_levels.yaml",
                 "--rules", rules_min, "--output", out)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"Wrote {out} (reviewer's pack of red_flags.yaml, types/alopecia_areata.yaml, cases/basic.yaml, questions.yaml, care_levels.yaml"
    )
    soup = parse(out.read_text(encoding="utf-8"))
    assert [squash(h2.get_text(" ")) for h2 in soup.select("section.file > h2")] == [
        "Red flags and care notes: red_flags.yaml",
        "Alopecia areata: types/alopecia_areata.yaml",
        "Worked cases: basic: cases/basic.yaml",
        "Questions: questions.yaml",
        "Care levels and help lines: care_levels.yaml",
    ]
    assert len(soup.select("section.signoff")) == 5
    text = squash(soup.get_text(" "))
    for flag in rulebook.red_flags:
        assert squash(flag.message) in text
    assert "Worked cases it fires in: child_kerion." in text
    for case in rulebook.cases:
        assert case.title in text
    assert soup.find("svg")["aria-labelledby"] == "pack-flow-title pack-flow-desc"
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_reviewers_pack_shows_recorded_reviews(run, rules_copy):
    review = CliRunner().invoke(
        make_cli(),
        ["rules", "review", "types/alopecia_areata.yaml", "--by", "Dr Ada Example", "--role", "GP", "--outcome", "approved",
         "--date", "2026-01-05", "--rules", str(rules_copy.root)],
    )
    assert review.exit_code == 0, review.output
    text = squash(parse(run("--for-review", "types/alopecia_areata.yaml", "--rules", rules_copy.root).stdout).get_text(" "))
    assert "Review status now Reviewed by Dr Ada Example on 2026-01-05 (approved)" in text
    assert "Dr Ada Example, GP 2026-01-05 content, sources, care levels Approved Yes" in text


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--for-review"], "--for-review needs the rule files"),
        (["--for-review", "types/nope.yaml"], "'types/nope.yaml' is not a rule file"),
        (["--for-review", "--format", "markdown", "questions.yaml"], "the reviewer's pack is an HTML document"),
    ],
)
def test_reviewers_pack_refuses_bad_requests(run, rules_min, args, fragment):
    result = run(*args, "--rules", rules_min)
    assert result.exit_code == 2
    assert fragment in result.stderr
