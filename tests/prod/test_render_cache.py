"""The render cache (triage/render_cache.py) serves exactly what a fresh render would.

The same requests go to two apps with the same secret: one with the cache,
one without. Every page must be identical, apart from the CSRF token, which
must be the requesting session's own (a token from one session is refused in
another, so a leaked token would show up as a refused answer).
"""

from __future__ import annotations

import re

import pytest

from tests.helpers.config import TEST_CONFIG
from tests.stories import PATCH
from triage import create_app

TOKEN = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+(")')

CHILD = {**PATCH, "respondent": "parent", "age": "9", "sex": "male"}
DIFFUSE = {**PATCH, "pattern": ["all_over"], "other_hair": ["none"]}  # another branch: other questions come before the same ones


def answer(app, answers, qid):
    if qid in answers:
        return answers[qid]
    question = app.extensions["rulebook"].question_by_id[qid]
    return [question.options[0].value] if question.kind == "several" else question.options[0].value


@pytest.fixture(scope="module")
def fresh_app():
    return create_app({**TEST_CONFIG, "TRIAGE_NO_RENDER_CACHE": True})


def normalised(html: str) -> str:
    assert len(TOKEN.findall(html)) <= 1
    return TOKEN.sub(r"\1TOKEN\2", html)


def compare_walk(app, fresh_app, answers, start="/questions/", returning=False):
    """Walk ``answers`` on the cached app; fetch each page from both apps with the same cookie."""
    cached = app.test_client()
    fresh = fresh_app.test_client()
    url = cached.get(start).headers["Location"]
    pages = 0
    while url.startswith("/questions/"):
        cookie = cached.get_cookie("triage_session")
        if cookie is not None:
            fresh.set_cookie("triage_session", cookie.value)
        a = cached.get(url)
        b = fresh.get(url)
        assert a.status_code == b.status_code == 200, url
        assert normalised(a.get_data(as_text=True)) == normalised(b.get_data(as_text=True)), url
        pages += 1
        qid = url.split("?")[0].rsplit("/", 1)[1]
        token = TOKEN.search(a.get_data(as_text=True)).group(0).split('value="')[1][:-1]
        response = cached.post(url, data={"csrf_token": token, "answer": answer(app, answers, qid)})
        assert response.status_code == 302, (url, response.status_code)
        url = response.headers["Location"]
        if url.startswith("/help-now"):
            url = cached.get("/questions/" + ("?return=check" if returning else "")).headers["Location"]
    return cached, pages


@pytest.mark.parametrize("answers", [PATCH, CHILD, DIFFUSE], ids=["adult", "parent for a child", "another branch"])
def test_each_question_page_is_the_same_as_a_fresh_render(app, fresh_app, answers):
    _, pages = compare_walk(app, fresh_app, answers)
    assert pages >= 10


def test_pages_with_answers_already_ticked_and_the_return_link(app, fresh_app):
    cached, _ = compare_walk(app, fresh_app, PATCH)
    fresh = fresh_app.test_client()
    fresh.set_cookie("triage_session", cached.get_cookie("triage_session").value)
    for qid in PATCH:
        for url in (f"/questions/{qid}", f"/questions/{qid}?return=check"):
            a, b = cached.get(url), fresh.get(url)
            assert a.status_code == b.status_code
            assert normalised(a.get_data(as_text=True)) == normalised(b.get_data(as_text=True)), url


def test_every_option_ticked_renders_as_fresh(app, fresh_app):
    """Each option of the first several-choice question, ticked on its own and with another."""
    rulebook = app.extensions["rulebook"]
    question = next(q for q in rulebook.questions if q.kind == "several")
    values = [o.value for o in question.options if not o.exclusive]
    base = {"age": 30, "sex": "female"}
    serializer = app.session_interface.get_signing_serializer(app)
    for chosen in [[v] for v in values] + [values[:2], values[1:3]]:
        cookie = serializer.dumps({"answers": {**base, question.id: chosen}})
        a, b = app.test_client(), fresh_app.test_client()
        a.set_cookie("triage_session", cookie)
        b.set_cookie("triage_session", cookie)
        url = f"/questions/{question.id}"
        page_a, page_b = a.get(url), b.get(url)
        assert page_a.status_code == 200, (url, page_a.status_code)
        html = page_a.get_data(as_text=True)
        assert normalised(html) == normalised(page_b.get_data(as_text=True))
        assert html.count(" checked") == len(chosen)


def test_each_session_gets_its_own_token_and_can_answer(app):
    one, two = app.test_client(), app.test_client()
    page_one = one.get("/questions/age").get_data(as_text=True)
    page_two = two.get("/questions/age").get_data(as_text=True)
    token_one = TOKEN.search(page_one).group(0)
    token_two = TOKEN.search(page_two).group(0)
    assert token_one != token_two
    value = lambda t: t.split('value="')[1][:-1]  # noqa: E731
    assert two.post("/questions/age", data={"csrf_token": value(token_one), "answer": "30"}).status_code == 400
    assert one.post("/questions/age", data={"csrf_token": value(token_one), "answer": "30"}).status_code == 302


@pytest.mark.parametrize("forged", ["\x80", "caf\u00e9", "\u2603" * 80], ids=["control", "accent", "long"])
def test_a_token_with_characters_outside_ascii_is_refused_not_a_server_error(app, forged):
    # hmac.compare_digest raises TypeError on str with non-ASCII characters (found by
    # test_bad_input's fuzzing): the quick check must compare bytes.
    client = app.test_client()
    client.get("/questions/age")
    assert client.post("/questions/age", data={"csrf_token": forged, "answer": "30"}).status_code == 400


def test_the_information_pages_set_no_cookie(app):
    client = app.test_client()
    for url in ("/", "/about", "/privacy"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


def test_no_answer_is_ever_part_of_what_the_cache_keeps(app):
    """The cache keys name pages, never answers: after whole journeys (and coming back to
    every answered question), no answer value and no age appears in any key."""
    from triage.render_cache import EXTENSION

    pages = app.extensions[EXTENSION]
    pages.clear()
    cached, _ = compare_walk(app, create_app({**TEST_CONFIG, "TRIAGE_NO_RENDER_CACHE": True}), CHILD)
    for qid in CHILD:  # back to each question: the answered ones show their answer
        assert cached.get(f"/questions/{qid}").status_code in (200, 302)
    assert pages, "the walk should have filled the cache"

    def flatten(value):
        if isinstance(value, tuple):
            for item in value:
                yield from flatten(item)
        else:
            yield value

    in_keys = {item for key in pages for item in flatten(key)}
    question_ids = set(app.extensions["rulebook"].question_by_id)
    for qid, value in CHILD.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str) and v in question_ids:
                continue  # an option value that happens to be a question id
            assert v not in in_keys and str(v) not in in_keys, (qid, v)
    assert 9 not in in_keys and "9" not in in_keys  # the child's age


def test_answered_pages_come_from_the_cache_with_no_answer_in_it(app, fresh_app):
    """A question the person comes back to is served from the cache, byte for byte as a fresh
    render with the answer; what the cache keeps has a slot where the answer goes, never the answer:
    no option ticked, no number filled in, in any page it holds."""
    from triage.render_cache import ANSWER_VALUE, EXTENSION

    pages = app.extensions[EXTENSION]
    pages.clear()
    answers = {**CHILD, "age": "9"}
    cached, _ = compare_walk(app, fresh_app, answers)
    fresh = fresh_app.test_client()
    fresh.set_cookie("triage_session", cached.get_cookie("triage_session").value)
    answered = [qid for qid in answers if cached.get(f"/questions/{qid}").status_code == 200]
    assert len(answered) >= 10
    size = len(pages)
    for qid in answered:  # now from the cache
        for url in (f"/questions/{qid}", f"/questions/{qid}?return=check"):
            a, b = cached.get(url), fresh.get(url)
            assert a.status_code == b.status_code == 200, url
            html = a.get_data(as_text=True)
            assert normalised(html) == normalised(b.get_data(as_text=True)), url
            assert " checked" in html or 'value="9"' in html, url  # the answer is shown
    assert len(pages) == size + len(answered)  # one more page per question: the "?return=check" one
    with_slots = [key for key in pages if "answer slots" in key[0]]
    assert len(with_slots) == 2 * len(answered)
    numbers = []
    for parts in pages.values():
        text = "".join(parts)
        assert " checked" not in text
        number = re.search(r'name="answer" type="text"[^>]*?value="([^"]*)"', text)
        numbers += [number.group(1)] if number else []
        assert 'value="9"' not in text
    assert sorted(set(numbers)) == ["", ANSWER_VALUE]  # the age page, as first seen and with a slot


# --- fragments of the result page from the rulebook alone (triage/fragments.py) ---------------

FORM_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]+(")')


def _cases(app, count=8):
    """Worked cases that reach the result, with different care levels, help lines and types."""
    rulebook = app.extensions["rulebook"]
    seen, chosen = set(), []
    for case in rulebook.cases:
        variety = (case.expect.care_level, case.expect.unclear, case.expect.first, bool(case.expect.red_flags))
        if variety not in seen:
            seen.add(variety)
            chosen.append(case)
    return chosen[:count]


def _result(app, answers, before=None):
    client = app.test_client()
    data = {"answers": dict(answers), **({"last_result": before} if before else {})}
    client.set_cookie("triage_session", app.session_interface.get_signing_serializer(app).dumps(data))
    return client.get("/result")


def test_the_result_page_is_the_same_with_fragments_kept_or_not(app, fresh_app):
    """Byte for byte (the form's token aside) as the uncached render, the first time and from memory."""
    from triage.render_cache import FRAGMENTS

    app.extensions[FRAGMENTS].clear()
    cases = _cases(app)
    assert len(cases) >= 5
    shown = 0
    for case in cases:
        for before in (None, {"types": ["x"], "care": "x", "answers": "0"}):
            for _ in range(2):  # rendered, then from the kept fragments
                a, b = _result(app, case.answers, before), _result(fresh_app, case.answers, before)
                assert a.status_code == b.status_code, case.id
                if a.status_code != 200:
                    continue
                shown += 1
                html_a, html_b = (FORM_TOKEN.sub(r"\1TOKEN\2", r.get_data(as_text=True)) for r in (a, b))
                assert html_a == html_b, case.id
    assert shown >= 10
    assert app.extensions[FRAGMENTS], "the result pages should have kept fragments"
    assert not fresh_app.extensions[FRAGMENTS]  # off: nothing kept


def test_kept_fragments_hold_rule_text_only(app):
    """Keys are fragment names and rule ids; each kept fragment is what the rulebook alone
    renders for its key (in a request with no session), and holds no answer and none of
    the assessment's own text (its reasons, the answers' labels)."""
    from triage import fragments
    from triage.journey import answer_rows, state_for
    from triage.render_cache import FRAGMENTS
    from triage.rulebook import evaluate

    kept = app.extensions[FRAGMENTS]
    kept.clear()
    rulebook = app.extensions["rulebook"]
    cases = _cases(app)
    for case in cases:
        _result(app, case.answers)
        _result(app, {**case.answers, "age": "9"})
    assert kept
    allowed = (
        set(fragments.RESOLVERS) | set(rulebook.type_by_id) | {line.id for line in rulebook.help_lines}
        | set(fragments.DISCLAIMERS)
    )
    for (key, script_root), html in kept.items():
        assert script_root == ""
        assert all(isinstance(part, str) and part in allowed for part in key), key
        with app.test_request_context("/"):
            macro = getattr(app.jinja_env.get_template(fragments.TEMPLATE).module, key[0])
            assert html == str(macro(*fragments.RESOLVERS[key[0]](rulebook, *key[1:]))), key
    everything = "\n".join(kept.values())
    for case in cases:
        assessment = evaluate(rulebook, case.answers)
        for s in assessment.suggestions:
            for e in (*s.supporting, *s.against):
                assert e.because not in everything, (case.id, e.because)
        with app.test_request_context("/"):
            rows = answer_rows(state_for(case.answers), with_change=False)
        for row in rows:
            for value in row["value"]:
                assert f">{value}<" not in everything, (case.id, value)
    assert ">9<" not in everything and '"9"' not in everything


def test_fragment_keys_take_rule_ids_only(app):
    """Anything that is not a rule id (an answer, free text) is refused before it can be a key."""
    from triage.fragments import fragment
    from triage.render_cache import FRAGMENTS

    rulebook = app.extensions["rulebook"]
    type_id = rulebook.types[0].id
    with app.test_request_context("/"):
        before = dict(app.extensions[FRAGMENTS])
        for name, ids in [
            ("type_heading", ("female",)),
            ("type_heading", (type_id, "30")),
            ("help_lines", ("not-a-line",)),
            ("help_lines", (30,)),
            ("disclaimer", ("short and personal",)),
            ("crisis_footer", ("x",)),
            ("nothing_of_ours", ()),
        ]:
            with pytest.raises(KeyError):
                fragment(name, *ids)
        assert app.extensions[FRAGMENTS] == before


def test_fragment_macros_see_no_page(app):
    """The fragments' template reads only its macros' arguments and url_for: it is never
    imported with a page's context, and no template imports it at all (only fragment())."""
    from pathlib import Path

    from jinja2 import meta

    from triage import fragments
    from triage.paths import templates_folder

    env = app.jinja_env
    source = env.loader.get_source(env, fragments.TEMPLATE)[0]
    assert meta.find_undeclared_variables(env.parse(source)) <= {"url_for"}
    partial = env.loader.get_source(env, "partials/disclaimer.html")[0]
    assert meta.find_undeclared_variables(env.parse(partial)) <= {
        "url_for", "disclaimer_short", "disclaimer_in_content", "emergency_lines",
        "tag",  # set in the partial itself, inside a branch (which jinja2.meta counts as undeclared)
    }
    for path in Path(templates_folder()).rglob("*.html"):
        assert fragments.TEMPLATE not in path.read_text(), path
