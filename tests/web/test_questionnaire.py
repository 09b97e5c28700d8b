"""The patient's journey through the Flask test client: pages, state rules, result."""

from __future__ import annotations

import re

import pytest
from flask import json

from tests.stories import PATCH
from tests.web.journey import post_answer, walk


def session_answers(client) -> dict:
    with client.client.session_transaction() as sess:
        return dict(sess.get("answers", {}))


def test_start_goes_to_the_first_question(client):
    assert client.get("/questions/", expected_status=302).location == "/questions/age"


def test_start_page_links_to_the_questions(client):
    start = client.get("/").select("a.button--start")[0]
    assert start["href"] == "/questions/"


def test_question_page_markup(client):
    post_answer(client, "/questions/age", "14")
    page = client.get("/questions/respondent")
    fieldset = page.select("fieldset")[0]
    assert fieldset.select_one("legend h1").get_text(strip=True) == page.h1
    radios = page.select("input[type=radio]")
    assert radios[0]["id"] == "answer"  # the error summary links here
    assert all(page.select(f"label[for={r['id']}]") for r in radios)
    assert page.select("a.back-link")[0]["href"] == "/questions/age"
    assert page.select(".caption")[0].get_text(strip=True) == "About you"
    assert page.select("button[type=submit]")[0].get_text(strip=True) == "Continue"


def test_hint_is_wired_to_the_fieldset(client):
    post_answer(client, "/questions/age", "40")
    page = client.get("/questions/sex")
    hint = page.select(".hint")[0]
    assert hint["id"] == "answer-hint"
    assert page.select("fieldset")[0]["aria-describedby"] == "answer-hint"


def test_missing_answer_shows_error_summary_and_inline_error(client):
    post_answer(client, "/questions/age", "14")
    page = client.get("/questions/respondent")
    page = client.post("/questions/respondent", data={"csrf_token": page.csrf_token()}, expected_status=200)
    assert page.title.startswith("Error: ")
    link = page.select(".error-summary a")[0]
    assert link["href"] == "#answer"
    error = page.select("#answer-error")[0]
    assert error.get_text(" ", strip=True).startswith("Error:")
    assert "answer-error" in page.select("fieldset")[0]["aria-describedby"]
    assert session_answers(client) == {"age": 14}


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Enter a whole number"), ("abc", "Enter a whole number"), ("12.5", "Enter a whole number"), ("400", "from 0 to 110")],
)
def test_number_question_validation(client, value, message):
    page = post_answer(client, "/questions/age", value, expected_status=200)
    assert message in page.select("#answer-error")[0].get_text()
    assert page.select("input#answer")[0]["aria-describedby"] == "answer-hint answer-error" or page.select(
        "input#answer"
    )[0]["aria-describedby"].endswith("answer-error")


def test_unknown_option_value_is_refused_and_not_stored(client):
    post_answer(client, "/questions/age", "14")
    page = post_answer(client, "/questions/respondent", "martian", expected_status=400)
    assert page.select(".error-summary")
    assert session_answers(client) == {"age": 14}


def test_exclusive_option_cannot_be_combined(client):
    for qid in ("age", "sex"):
        post_answer(client, f"/questions/{qid}", PATCH[qid])
    page = post_answer(client, "/questions/impact", ["low_anxious", "not_much"], expected_status=200)
    assert "on its own" in page.select("#answer-error")[0].get_text()


def test_jumping_ahead_redirects_to_the_first_unanswered_question(client):
    assert client.get("/questions/pattern", expected_status=302).location == "/questions/age"
    post_answer(client, "/questions/age", "15")
    assert client.get("/questions/pattern", expected_status=302).location == "/questions/respondent"


def test_question_that_does_not_apply_redirects(client):
    post_answer(client, "/questions/age", "28")
    # who is answering is asked only about children and teenagers
    assert client.get("/questions/respondent", expected_status=302).location == "/questions/sex"
    post_answer(client, "/questions/sex", "male")
    # the patch questions are only asked about patches
    post_answer(client, "/questions/impact", ["not_much"])
    for qid in ("onset", "duration"):
        post_answer(client, f"/questions/{qid}", PATCH[qid])
    post_answer(client, "/questions/pattern", "all_over")
    assert client.get("/questions/treatments", expected_status=302).location == "/questions/shedding"


def test_who_is_answering_is_asked_about_a_teenager_and_sets_the_wording(client):
    post_answer(client, "/questions/age", "14")
    assert client.get("/questions/sex", expected_status=302).location == "/questions/respondent"
    post_answer(client, "/questions/respondent", "parent")
    assert client.get("/questions/sex").h1 == "What sex was your child registered at birth?"
    # an adult is not asked, and reads the wording for themselves
    post_answer(client, "/questions/age?return=check", "30")
    assert "respondent" not in session_answers(client)
    assert client.get("/questions/sex").h1 == "What sex were you registered at birth?"


def test_a_young_child_is_taken_to_have_a_parent_answering(client):
    """Under 12 a parent or carer answers: no 'who is answering' question, the child's wording."""
    post_answer(client, "/questions/age", "7")
    assert client.get("/questions/respondent", expected_status=302).location == "/questions/sex"
    assert client.get("/questions/sex").h1 == "What sex was your child registered at birth?"


def test_unknown_question_is_404(client):
    client.get("/questions/favourite_colour", expected_status=404)


def test_check_answers_and_result_need_every_answer(client):
    assert client.get("/check-answers", expected_status=302).location == "/questions/age"
    assert client.get("/result", expected_status=302).location == "/questions/age"


def test_full_journey_reaches_a_result(client):
    url, asked = walk(client, PATCH)
    assert url == "/check-answers"
    assert len(asked) <= 13
    page = client.get("/check-answers")
    keys = [dt.get_text(strip=True) for dt in page.select(".summary-list__key")]
    assert len(keys) == len(asked)
    change = page.select(".summary-list__actions a")[0]
    assert change["href"] == "/questions/age?return=check"
    assert change.select_one(".visually-hidden").get_text(strip=True)

    result = client.get("/result")
    assert result.select(".care-card")
    assert result.select(".suggestion--first h3")[0].get_text(strip=True) == "Alopecia areata"
    assert result.response.headers.get("Cache-Control") is None or "no-store" in result.response.headers["Cache-Control"]


def words_before_the_first_fold(page) -> int:
    """Words a person reads on the result page before its first fold-away (<details>)."""
    main = page.select("main")[0]
    words = 0
    for element in main.descendants:
        if getattr(element, "name", None) == "details":
            break
        if isinstance(element, str) and not any(p.name in ("script", "style") for p in element.parents):
            if not any("print-only" in (p.get("class") or []) for p in element.parents if hasattr(p, "get")):
                words += len(element.split())
    return words


def test_the_result_is_short_and_doctor_first(client):
    """Care card, then the best-fitting type with its drawing and a few reasons; details fold away."""
    walk(client, PATCH)
    page = client.get("/result")
    main = page.select("main")[0]
    sections = [s for s in main.find_all(["section"], recursive=False)]
    assert "doctor-sheet" in sections[0]["class"] and "print-only" in sections[0]["class"]
    assert "care-card" in sections[1]["class"] and "suggestion--first" in sections[2]["class"]
    first = sections[2]
    assert first.select("h3 svg.picture[aria-hidden=true] use")[0]["href"].endswith("patterns.svg#round_patches")
    assert 1 <= len(first.find("ul", class_="reasons", recursive=False).find_all("li")) <= 3
    assert first.select("details summary")[0].get_text(strip=True) == "More about Alopecia areata"
    assert words_before_the_first_fold(page) < 400
    # The doctor's page: the answers, with lines to write a name and date of birth.
    sheet = sections[0]
    assert sheet.select("h2")[0].get_text(strip=True) == "For your doctor"
    assert "Date of birth" in sheet.get_text() and sheet.select(".write-line")
    assert "How old is the person with the hair loss?" in sheet.get_text()
    assert sheet.select("svg.picture use")[0]["href"].endswith("#round_patches")


def test_reassurance_comes_first_where_the_sources_give_it(client):
    after_birth = {
        **PATCH, "age": "31", "onset": "sudden", "duration": "1_3m", "pattern": ["all_over"], "shedding": "handfuls",
        "other_hair": ["none"], "events": ["childbirth"], "body": ["recent_birth", "tired"],
    }
    walk(client, after_birth)
    page = client.get("/result")
    lead = page.select("main p.reassurance")[0].get_text(" ", strip=True)
    assert lead.startswith("Shedding like this after an illness, an operation or having a baby is common")
    # It comes before the care card.
    main = str(page.select("main")[0])
    assert main.index("reassurance") < main.index("care-card")


def test_no_reassurance_when_a_red_flag_sets_the_level(client):
    walk(client, {**PATCH, "impact": ["low_anxious", "self_harm_thoughts"]})
    assert not client.get("/result").select("p.reassurance")


@pytest.mark.parametrize(
    ("who", "pregnancy_question"),
    [
        ({}, True),  # a woman of 28
        ({"sex": "male"}, False),
        ({"age": "60"}, False),
        ({"age": "8"}, False),
    ],
)
def test_questions_for_the_doctor_fit_who_is_answering(client, who, pregnancy_question):
    walk(client, {**PATCH, **who, "body": ["none"]})
    questions = [li.get_text(strip=True) for li in client.get("/result").select("h2 + ul.list li")]
    asked_about_pregnancy = any("pregnant" in q for q in questions)
    assert asked_about_pregnancy is pregnancy_question
    if who.get("age") == "8":  # a parent answers for a child under 12
        assert any("my child" in q for q in questions)
        assert not any(q.startswith("What do you think is causing the hair loss") for q in questions)


def test_tampered_cookie_starts_afresh(client):
    walk(client, PATCH)
    client.client.set_cookie("triage_session", "not-a-valid-signature", domain="localhost")
    assert client.get("/questions/", expected_status=302).location == "/questions/age"
    client.get("/questions/age")


@pytest.mark.parametrize(
    "stored",
    [
        "a string",
        ["a", "list"],
        {"respondent": "martian", "age": "old"},
        {"no_such_question": "x", "respondent": "self"},
        {"respondent": "self", "age": 9999},
        {"respondent": "self", "age": 30, "life_stage": ["pregnant"]},  # does not apply yet: sex unanswered
    ],
)
def test_foreign_session_contents_are_cleaned_not_an_error(client, stored):
    with client.client.session_transaction() as sess:
        sess["answers"] = stored
    location = client.get("/questions/", expected_status=302).location
    assert location in {"/questions/respondent", "/questions/age", "/questions/sex"}
    client.get(location)


def test_missing_csrf_token_is_refused_and_answers_are_kept(client):
    post_answer(client, "/questions/age", "30")
    page = client.post("/questions/sex", data={"answer": "female"}, expected_status=400)
    assert page.h1 == "This page has expired"
    assert session_answers(client) == {"age": 30}


def test_changing_an_answer_drops_what_no_longer_applies_and_asks_new_questions(client):
    walk(client, PATCH)
    assert session_answers(client)["other_hair"] == ["exclamation"]
    # Change the pattern from check answers: the patch signs no longer apply, shedding now does.
    response = post_answer(client, "/questions/pattern?return=check", "all_over")
    assert response.location == "/questions/shedding?return=check"
    answers = session_answers(client)
    assert "other_hair" not in answers  # its only answer was a patch sign, which no longer applies
    assert answers["pattern"] == ["all_over"]
    page = client.get(response.location)
    assert page.select("a.back-link")[0]["href"] == "/check-answers"
    response = post_answer(client, response.location, "more_roots")
    assert response.location == "/questions/other_hair?return=check"
    offered = {i["value"] for i in client.get(response.location).select("input[name=answer]")}
    assert "exclamation" not in offered and "eyebrows_all" in offered
    # Shedding from the root all over: no hair care or texture questions follow.
    assert post_answer(client, response.location, ["none"]).location == "/check-answers"
    # Hairs breaking off instead: texture, then hair care, now apply.
    response = post_answer(client, "/questions/shedding?return=check", "breaking")
    assert response.location == "/questions/texture?return=check"
    response = post_answer(client, response.location, "coiled")
    assert response.location == "/questions/hair_care?return=check"
    assert post_answer(client, response.location, ["relaxers"]).location == "/check-answers"


def test_result_says_what_changed_after_a_change(client):
    walk(client, PATCH)
    client.get("/result")
    post_answer(client, "/questions/impact?return=check", ["self_harm_thoughts"])
    page = client.get("/result")
    changed = page.select("#what-changed")[0].get_text(" ", strip=True)
    assert "How soon to see a doctor changed" in changed


def test_self_harm_answer_interrupts_with_help(client, app):
    url, _ = walk(client, {**PATCH, "impact": ["not_much"]})
    response = post_answer(client, "/questions/impact?return=check", ["low_anxious", "self_harm_thoughts"])
    assert response.location.startswith("/help-now")
    page = client.get(response.location)
    rulebook = app.extensions["rulebook"]
    crisis = rulebook.help_lines_for("crisis")
    assert len(crisis) >= 8
    links = {a["href"] for a in page.select("a[href]")}
    for line in crisis:  # every crisis line in care_levels.yaml, each one tap away
        assert line.name in page.text, line.name
        assert (line.tel or line.sms) in links, line.name
    assert {"tel:116123", "tel:988", "sms:85258?&body=SHOUT", "sms:50808?&body=HELLO", "tel:08001111"} <= links
    # The graded steps of the self-harm flag: talk to someone today; A&E only if not safe now.
    assert "Talk to someone today" in page.text
    # Back goes to the question just answered; no question is left, so the button says where it goes.
    assert page.select("a.back-link")[0]["href"] == "/questions/impact?return=check"
    button = page.select("a.button")[0]
    assert button["href"] == "/check-answers" and button.get_text(strip=True) == "Continue to your answers"
    result = client.get("/result")
    assert "care-card--emergency" in result.select(".care-card")[0]["class"]
    card = result.select(".care-card")[0]
    assert "Talk to someone today" in card.get_text() and "tel:116123" in str(card)


def test_clear_my_answers_empties_the_session(client):
    walk(client, PATCH)
    page = client.get("/result")
    form = page.select("form[action='/clear']")[0]
    token = form.select_one("input[name=csrf_token]")["value"]
    assert client.post("/clear", data={"csrf_token": token}, expected_status=302).location == "/cleared"
    with client.client.session_transaction() as sess:
        assert dict(sess) == {}
    client.get("/cleared")
    assert client.get("/questions/", expected_status=302).location == "/questions/age"


def test_cookie_stays_small_with_every_question_answered(client, app):
    big = {**PATCH}
    for q in app.extensions["rulebook"].questions:
        if q.kind == "several":
            big[q.id] = [o.value for o in q.options if not o.exclusive]
    with client.client.session_transaction() as sess:
        sess["answers"] = big
    response = client.client.get("/check-answers")
    cookie = response.headers.get("Set-Cookie", "")
    assert len(json.dumps(big)) < 3000
    assert len(cookie) < 3500


def test_red_flags_of_a_lower_level_are_listed_apart_from_those_that_set_the_care_level(client, app):
    from triage.rulebook import evaluate

    rulebook = app.extensions["rulebook"]
    mixed = None
    for case in rulebook.cases:  # a worked case where flags of two levels fire
        assessment = evaluate(rulebook, case.answers)
        if len({flag.level for flag in assessment.red_flags}) > 1 and not assessment.interrupt:
            mixed = case, assessment
            break
    assert mixed is not None, "no worked case fires red flags of two levels"
    case, assessment = mixed
    walk(client, {k: list(v) if isinstance(v, tuple) else v for k, v in case.answers.items()})
    card = client.get("/result").select(".care-card")[0]
    assert f"care-card--{assessment.care_level}" in card["class"]
    sections = {h3.get_text(strip=True): h3.find_next_sibling("ul").get_text(" ", strip=True) for h3 in card.select("h3")}
    for flag in assessment.red_flags:
        heading = "Why we say this" if flag.level == assessment.care_level else "Also tell the doctor about"
        first_words = " ".join(flag.message.split()[:8])
        assert first_words in sections[heading], (flag.id, heading)


def test_result_timeline_dates_only_what_the_timing_question_asked_about(client):
    shedding = {
        **PATCH, "onset": "sudden", "duration": "1_3m", "pattern": ["all_over"], "shedding": "more_roots",
        "events": ["fever_illness", "new_medicine"], "event_timing": "gt_6m", "other_hair": ["none"],
    }
    walk(client, shedding)
    result = client.get("/result")
    steps = [li.get_text(" ", strip=True) for li in result.select(".timeline li")]
    # The gap answered is the medicine's; the fever still counts as a trigger.
    assert "Telogen effluvium" in result.select(".suggestion h3")[0].get_text()
    assert "no clear reason" not in result.text
    assert "care-card--routine" in result.select(".care-card")[0]["class"]
    assert steps[0] == "More than 6 months before: Starting or changing a medicine"
    assert steps[1] == "In the 6 months before: A high fever or a bad illness"
    assert steps[2].startswith("Then: Hair loss started: Suddenly")
    assert steps[3] == "Now: It has been going on: 1 to 3 months"
    # An illness alone: the gap is not asked, and the timeline says what the question asked about.
    post_answer(client, "/questions/events?return=check", ["fever_illness"])
    assert "event_timing" not in session_answers(client)
    steps = [li.get_text(" ", strip=True) for li in client.get("/result").select(".timeline li")]
    assert steps[0] == "In the 6 months before: A high fever or a bad illness"


def test_body_symptoms_offer_only_what_can_apply(client):
    """Periods, a deepening voice and genital sores are not offered to men or young children."""

    def offered(answers):
        with client.client.session_transaction() as sess:
            sess.clear()
        walk(client, dict(PATCH, **answers))
        page = client.get("/questions/body?return=check")
        return {i["value"] for i in page.select("input[name=answer]")}

    woman = offered({})
    assert {"heavy_periods", "irregular_periods", "deep_voice", "genital_sore", "not_sure"} <= woman
    man = offered({"sex": "male"})
    assert not {"heavy_periods", "irregular_periods", "deep_voice", "excess_hair"} & man
    assert "genital_sore" in man
    child = offered({"age": "7", "respondent": "parent", "sex": "female"})
    assert not {"heavy_periods", "irregular_periods", "deep_voice", "genital_sore"} & child
    # A value that was not offered is refused like any unknown value.
    page = client.get("/questions/body?return=check")
    client.post(
        "/questions/body?return=check",
        data={"csrf_token": page.csrf_token(), "answer": ["heavy_periods"]},
        expected_status=400,
    )


def test_every_question_page_says_where_the_person_is(client):
    """'Question 5 of about 12', counted from the questions that apply so far."""
    url = client.get("/questions/", expected_status=302).location
    seen = []
    while url.startswith("/questions/"):
        page = client.get(url)
        number, total = (int(n) for n in re.findall(r"\d+", page.select("#progress")[0].get_text()))
        seen.append((number, total))
        qid = url.rsplit("/", 1)[1]
        url = post_answer(client, url, PATCH[qid]).location
    assert [n for n, _ in seen] == list(range(1, len(seen) + 1))
    # The last page's total is the number actually asked; earlier totals never overshoot by much.
    assert seen[-1][1] == len(seen)
    assert all(abs(total - len(seen)) <= 3 for _, total in seen)


def test_error_messages_name_the_choices_the_question_offers(client):
    post_answer(client, "/questions/age", "30")
    page = client.post("/questions/sex", data={"csrf_token": client.get("/questions/sex").csrf_token()}, expected_status=200)
    assert page.select("#answer-error")[0].get_text(" ", strip=True) == "Error: Select the answer that fits best"
    post_answer(client, "/questions/sex", "female")
    page = client.post("/questions/impact", data={"csrf_token": client.get("/questions/impact").csrf_token()}, expected_status=200)
    assert "or \u201cIt doesn't affect me much\u201d" in page.select("#answer-error")[0].get_text()
    for qid in ("impact", "onset"):
        post_answer(client, f"/questions/{qid}", PATCH[qid])
    page = client.post("/questions/duration", data={"csrf_token": client.get("/questions/duration").csrf_token()}, expected_status=200)
    assert "or \u201cI'm not sure\u201d if you do not know" in page.select("#answer-error")[0].get_text()


def test_exclusive_answers_are_marked_for_the_script(client):
    for qid in ("age", "sex"):
        post_answer(client, f"/questions/{qid}", PATCH[qid])
    page = client.get("/questions/impact")
    marked = [i["value"] for i in page.select("input[data-exclusive]")]
    assert marked == ["not_much"]


def test_check_answers_says_which_answers_a_change_removed(client):
    walk(client, {**PATCH, "body": ["heavy_periods", "tired"]})
    assert not client.get("/check-answers").select("#removed-answers")
    # Periods are not asked about for a man: changing the sex removes that answer.
    assert post_answer(client, "/questions/sex?return=check", "male").location == "/check-answers"
    assert session_answers(client)["body"] == ["tired"]
    page = client.get("/check-answers")
    removed = [li.get_text(strip=True) for li in page.select("#removed-answers li")]
    assert removed == ["Have you had any of these lately?"]
    # Shown once.
    assert not client.get("/check-answers").select("#removed-answers")


@pytest.mark.parametrize("cleared", [False, True])
def test_an_expired_form_says_truthfully_what_happened_to_the_answers(client, cleared):
    post_answer(client, "/questions/age", "30")
    if cleared:
        with client.client.session_transaction() as sess:
            sess.clear()
    page = client.post("/questions/sex", data={"answer": "female"}, expected_status=400)
    assert page.h1 == "This page has expired"
    if cleared:
        assert "Your earlier answers are no longer here" in page.text
        assert "Your earlier answers are kept" not in page.text
    else:
        assert "Your earlier answers are kept" in page.text


def test_every_question_left_unanswered_names_its_own_ways_out(app, client):
    """The words come from templates/macros/forms.html; the labels they name from the rule files:
    a one-choice question's "not sure" answer (``answer_roles``), a several-choice one's exclusive answers."""
    rulebook = app.extensions["rulebook"]
    url = client.get("/questions/", expected_status=302).location
    seen = set()
    while url.startswith("/questions/"):
        qid = url.rsplit("/", 1)[1]
        question = rulebook.question_by_id[qid]
        page = client.post(url, data={"csrf_token": client.get(url).csrf_token()}, expected_status=200)
        if question.kind == "number":
            expected = "Enter a whole number, like 34"
        elif question.kind == "one":
            unsure = rulebook.not_sure_option(question)
            expected = "Select the answer that fits best" + (
                f", or \u201c{unsure.label}\u201d if you do not know" if unsure else ""
            )
        else:
            ways_out = " or ".join(f"\u201c{o.label}\u201d" for o in question.options if o.exclusive)
            expected = "Select all that apply" + (f", or {ways_out}" if ways_out else "")
        assert page.select("#answer-error")[0].get_text(" ", strip=True) == f"Error: {expected}", qid
        assert page.select(".error-summary a")[0].get_text() == expected
        seen.add(question.kind)
        url = post_answer(client, url, PATCH[qid]).location
    assert seen == {"number", "one", "several"}
