"""`triage rules export`: the whole rulebook as one printable HTML or Markdown document."""

from __future__ import annotations

import re

import html5lib
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from triage.cli_rules import make_cli
from triage.rulebook import load_rulebook, run_cases
from triage.rulebook.conditions import Plain, explain


@pytest.fixture
def run():
    cli = make_cli()
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["rules", "export", *[str(a) for a in args]], catch_exceptions=False)

    return invoke


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def plain_tests(tree: Plain) -> list[str]:
    if tree.is_test:
        return [tree.text]
    return [text for item in tree.items for text in plain_tests(item)]


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
            for words in plain_tests(explain(item.when, rulebook.question_by_id)):
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
