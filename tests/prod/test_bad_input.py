"""Bad input never causes a server error: forms, sizes, tokens, cookies and paths.

Each gets a 4xx and the friendly page in the site layout (or, for a cookie
that cannot be used, a fresh start), and the answers given so far are kept
wherever the request could be understood.
"""

from __future__ import annotations

import string
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from bench.client import answer_for
from tests.helpers.prod import SECRET, signed_cookie
from tests.pagecheck import PageClient, check_page
from tests.web.journey import post_answer

COOKIE = "triage_session"


def set_cookie(test_client, value: str) -> None:
    """Send ``value`` as the session cookie, however large (a browser drops one over 4 KB,
    an attacker does not)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The 'triage_session' cookie is too large", UserWarning)
        test_client.set_cookie(COOKIE, value)


def session_answers(client: PageClient) -> dict:
    with client.client.session_transaction() as sess:
        return dict(sess.get("answers", {}))


def answered(client: PageClient, *pairs: tuple[str, str]) -> dict:
    for qid, value in pairs:
        post_answer(client, f"/questions/{qid}", value)
    return session_answers(client)


# --- forms ------------------------------------------------------------------------------


def test_missing_or_wrong_csrf_token_is_refused_and_answers_are_kept(client):
    before = answered(client, ("age", "30"))
    for data in ({"answer": "male"}, {"answer": "male", "csrf_token": "forged"}, {"answer": "male", "csrf_token": ""}):
        page = client.post("/questions/sex", data=data, expected_status=400)
        assert page.h1 == "This page has expired"
    assert session_answers(client) == before


def test_a_token_from_another_session_is_refused(app, client):
    other = PageClient(app.test_client())
    token = other.get("/questions/age").csrf_token()
    client.get("/questions/age")
    page = client.post("/questions/age", data={"csrf_token": token, "answer": "30"}, expected_status=400)
    assert page.h1 == "This page has expired"
    assert session_answers(client) == {}


def test_oversize_form_is_a_friendly_413_and_answers_are_kept(client):
    before = answered(client, ("age", "30"))
    token = client.get("/questions/sex").csrf_token()
    page = client.post("/questions/sex", data={"csrf_token": token, "answer": "f" * 20_000}, expected_status=413)
    assert page.h1 == "What you sent was too large"
    assert session_answers(client) == before


def test_too_many_form_parts_is_a_friendly_413(client):
    before = answered(client, ("age", "30"))
    token = client.get("/questions/sex").csrf_token()
    data = MultiDict([("csrf_token", token)] + [(f"f{i}", "1") for i in range(300)])  # MAX_FORM_PARTS is 200
    page = client.post("/questions/sex", data=data, content_type="multipart/form-data", expected_status=413)
    assert page.h1 == "What you sent was too large"
    assert session_answers(client) == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nContent-Disposition: form-data\r\n\r\nbroken"),
        ("multipart/form-data", b"no boundary"),
        ("application/x-www-form-urlencoded", b"answer=%ff%fe&csrf_token=\xff\x00"),
        ("application/json", b'{"answer": "self"}'),
        ("text/plain", b"\x00\x01\x02"),
    ],
)
def test_malformed_bodies_are_a_4xx_and_answers_are_kept(client, content_type, body):
    before = answered(client, ("age", "30"))
    page = client.post("/questions/sex", data=body, content_type=content_type)
    assert 400 <= page.status < 500, page.status
    assert session_answers(client) == before


def answer_until(app, client: PageClient, target: str) -> dict:
    """Answer each question the flow asks (a plain answer: the first option, or 30) until
    ``target`` is the next one; return the answers kept."""
    rulebook = app.extensions["rulebook"]
    url = client.get("/questions/", expected_status=302).location
    while not url.split("?")[0] == f"/questions/{target}":
        assert url.startswith("/questions/"), f"{target!r} was never asked"
        qid = url.split("?")[0].rsplit("/", 1)[1]
        url = post_answer(client, url, answer_for(rulebook.question_by_id[qid], {"age": "30", "sex": "female"})).location
        if url.startswith("/help-now"):
            url = client.get("/questions/", expected_status=302).location
    return session_answers(client)


def first_several_choice(app, client: PageClient) -> str:
    """The first several-choice question a 30-year-old woman is asked."""
    rulebook = app.extensions["rulebook"]
    url = client.get("/questions/", expected_status=302).location
    while url.startswith("/questions/"):
        qid = url.split("?")[0].rsplit("/", 1)[1]
        if rulebook.question_by_id[qid].kind == "several":
            return qid
        url = post_answer(client, url, answer_for(rulebook.question_by_id[qid], {"age": "30", "sex": "female"})).location
    raise AssertionError("no several-choice question was asked")


def test_unknown_option_values_are_a_400_with_the_question_shown_again(app, client):
    qid = first_several_choice(app, client)
    before = session_answers(client)
    assert before  # something was answered first
    option = app.extensions["rulebook"].question_by_id[qid].options[0].value
    page = post_answer(client, f"/questions/{qid}", [option, "martian"], expected_status=400)
    assert page.select(".error-summary")
    assert session_answers(client) == before


@pytest.mark.parametrize(("qid", "value"), [("age", b"30"), ("sex", b"female"), ("scalp", b"itch")])
def test_a_file_upload_instead_of_an_answer_is_refused(app, client, qid, value):
    import io

    before = {} if qid == "age" else answer_until(app, client, "scalp")
    token = client.get(f"/questions/{qid}").csrf_token()
    page = client.post(
        f"/questions/{qid}",
        data={"csrf_token": token, "answer": (io.BytesIO(value), "answer.txt")},
        content_type="multipart/form-data",
    )
    assert 200 <= page.status < 500
    assert session_answers(client) == before


@pytest.mark.parametrize("url", ["/questions/favourite_colour", "/questions/RESPONDENT", "/questions/%00", "/questions/é"])
def test_unknown_question_ids_are_404(client, url):
    client.get(url, expected_status=404)
    client.post(url, data={"answer": "x"}, expected_status=400)  # the CSRF check comes first


# --- paths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/%00", "/\x00", "/about//", "/questions//respondent", "/a" * 3000, "/é", "/%e9", "/%ff", "/%",
        "/🦔", "/questions/respondent/", "/static/../triage/config.py", "/static/%2e%2e/triage/config.py",
        "/rules/../../etc/passwd", "/result/%0d%0aSet-Cookie:x=1",
    ],
)
def test_odd_paths_are_a_friendly_404(client, path):
    page = client.get(path, expected_status=404)
    assert page.h1 == "Page not found"
    assert "Set-Cookie" not in page.response.headers


@pytest.mark.parametrize("path", ["//", "//about", "///privacy"])
def test_leading_slashes_are_the_same_page_never_a_redirect(raw_client, path):
    # Werkzeug reads "//about" as "/about" (Request.path strips repeated leading slashes).
    response = raw_client.get("/", environ_overrides={"PATH_INFO": path})
    assert response.status_code == 200
    check_page(response.get_data(as_text=True))


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE"])
def test_other_methods_are_a_friendly_405(client, method):
    page = client._wrap(client.client.open("/questions/age", method=method), 405)
    assert page.h1 == "Sorry, there is a problem with that request"
    assert set(page.response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_an_unsatisfiable_range_on_a_static_file_is_a_416_with_its_content_range(raw_client):
    response = raw_client.get("/static/css/main.css", headers={"Range": "bytes=99999999-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"].startswith("bytes */")


# --- cookies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "a.b.c", "." * 50, "x" * 4000, ".eJwLyEksSS0GAAtXAvM.AAAA.BBBB", "éé", "\x00",
     "1.", "1.AAAA", "1." + "A" * 80, "1.é" + "A" * 80, "1." + "A" * 5000, "2." + "A" * 80, "1.!!!!"],
)
def test_unreadable_cookies_start_afresh(client, value):
    set_cookie(client.client, value)
    assert client.get("/questions/", expected_status=302).location == "/questions/age"
    client.get("/questions/age")
    client.get("/result", expected_status=302)


def test_a_cookie_signed_by_another_deployment_starts_afresh(app, client):
    set_cookie(client.client, signed_cookie(app, {"answers": {"age": 30}}, secret="another-secret"))
    assert client.get("/questions/", expected_status=302).location == "/questions/age"


# Validly encrypted with this app's key, but not what this app writes.
WEIRD_SESSIONS = [
    ["a", "list"],
    "a string",
    None,
    12,
    {"answers": ["respondent", "self"]},
    {"answers": "respondent=self"},
    {"answers": {"respondent": ["self"]}},
    {"answers": {"respondent": {"nested": {"deeper": [1, 2, 3]}}}},
    {"answers": {"respondent": "self", "age": "28"}},
    {"answers": {"respondent": "self", "age": True}},
    {"answers": {"respondent": "self", "age": 1e308}},
    {"answers": {"respondent": "self", "age": float("nan")}},
    {"answers": {"respondent": "self", "age": -5}},
    {"answers": {"respondent": "self", "age": 10**200}},
    {"answers": {"respondent": "self", "age": 30, "sex": "female", "life_stage": ["none"] * 5000}},
    {"answers": {"respondent": "self", "age": 30, "sex": "female", "life_stage": ["pregnant", "none"]}},
    {"answers": {"respondent": "self", "age": 30, "sex": "female", "life_stage": []}},
    {"answers": {"respondent": None, "age": None}},
    {"answers": {f"q{i}": i for i in range(250)}},
    {"answers": {"respondent": "self"}, "help_shown": [[1], {"a": 1}, None, "x"] * 100},
    {"answers": {"respondent": "self"}, "help_shown": "self_harm"},
    {"answers": {"respondent": "self"}, "last_result": {"types": 5, "care": ["x"], "answers": {"a": 1}}},
    {"answers": {"respondent": "self"}, "last_result": {"types": [["x"], {"y": 1}], "care": {"a": 1}}},
    {"answers": {"respondent": "self"}, "last_result": "string"},
    {"answers": {"respondent": "self"}, "csrf_token": 12345},
    {"answers": {"respondent": "self"}, "csrf_token": "é" * 40},
    {"answers": {"respondent": "self"}, "csrf_token": ["a"]},
    {"answers": {"respondent": "self"}, "_flashes": "x", "_permanent": "yes", " t": [1, 2]},
    {" b": "!!!not base64"},
    {" u": "not-a-uuid"},
    {" d": "not a date"},
    {"answers": {"respondent": "self", "filler": "a" * 1_000_000}},  # far beyond any real session
    {"answers": {"respondent": "self"}, "deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
]


@pytest.mark.parametrize("data", WEIRD_SESSIONS, ids=range(len(WEIRD_SESSIONS)))
def test_validly_signed_sessions_of_the_wrong_shape_never_break_a_page(app, client, data):
    set_cookie(client.client, signed_cookie(app, data))
    first = client.get("/questions/", expected_status=302).location
    assert first.startswith("/questions/")
    page = client.get(first)
    assert page.status == 200
    for url in ("/check-answers", "/result", "/help-now", "/questions/respondent", "/questions/age"):
        response = client.client.get(url)
        assert response.status_code < 500, url
    # Posting the page still works with whatever the cookie held.
    response = client.client.post(first, data={"csrf_token": page.csrf_token(), "answer": "x"})
    assert response.status_code < 500


def signed_raw(app, text: str) -> str:
    """``text`` encrypted with the app's key as it is, JSON or not."""
    return app.session_interface.get_signing_serializer(app).seal(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    ["{", "[" * 50_000 + "]" * 50_000, '{"answers": {"age": 1e999}}', '{"answers": {"age": ' + "1" * 5000 + "}}",
     '{"answers": {"respondent": "self", "respondent": "parent"}}', "\\ud800", '"\\ud800"'],
    ids=["broken", "deep", "infinity", "huge-int", "duplicate-key", "not-json", "lone-surrogate"],
)
def test_validly_signed_payloads_that_are_not_usable_json_start_afresh(app, client, text):
    set_cookie(client.client, signed_raw(app, text))
    first = client.get("/questions/", expected_status=302).location
    assert first in {"/questions/respondent", "/questions/age"}
    client.get(first)


def test_valid_answers_in_an_odd_cookie_are_kept(app, client):
    data = {"answers": {"respondent": "self", "age": 28.0, "sex": "marsian", "junk": [1, 2]}, "help_shown": 5}
    set_cookie(client.client, signed_cookie(app, data))
    assert client.get("/questions/", expected_status=302).location == "/questions/sex"
    token = client.get("/questions/sex").csrf_token()
    client.post("/questions/sex", data={"csrf_token": token, "answer": "female"}, expected_status=302)
    # "respondent" is not asked of an adult, so it is not kept
    assert session_answers(client) == {"age": 28, "sex": "female"}


def test_a_huge_several_choice_answer_is_dropped_and_the_rest_kept(app, client):
    qid = first_several_choice(app, PageClient(app.test_client()))
    option = app.extensions["rulebook"].question_by_id[qid].options[0].value
    data = {"answers": {"respondent": "self", "age": 30, "sex": "female", qid: [option] * 100}}  # fits a cookie
    set_cookie(client.client, signed_cookie(app, data))
    assert client.get("/questions/", expected_status=302).location == f"/questions/{qid}"
    client.get(f"/questions/{qid}")


# --- anything at all -------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)
KEYS = st.sampled_from(["answers", "help_shown", "last_result", "csrf_token", "_flashes", "other"])
QIDS = st.sampled_from(["respondent", "age", "sex", "life_stage", "onset", "pattern", "impact", "nope"])
OPTION_VALUES = st.sampled_from(["self", "parent", "female", "none", "pregnant", "sudden", "round_patches", "30"])
SESSIONS = st.one_of(
    JSON,
    st.dictionaries(KEYS, JSON, max_size=4),
    st.fixed_dictionaries(
        {"answers": st.dictionaries(QIDS, OPTION_VALUES | st.lists(OPTION_VALUES, max_size=4) | JSON, max_size=8)},
        optional={"help_shown": JSON, "last_result": JSON, "csrf_token": JSON},
    ),
)
COOKIES = st.one_of(
    st.none(),
    st.text(alphabet=string.ascii_letters + string.digits + ".-_", max_size=200),
    st.tuples(st.just("signed"), SESSIONS),
    st.tuples(st.just("foreign"), SESSIONS),
)
PATHS = st.one_of(
    st.sampled_from(
        ["/", "/about", "/privacy", "/rules/", "/questions/", "/questions/respondent", "/questions/age",
         "/questions/life_stage", "/questions/impact", "/check-answers", "/result", "/result/trace", "/help-now",
         "/help-now?return=check", "/questions/respondent?return=check", "/clear", "/cleared", "/static/css/main.css"]
    ),
    # Not "//...": the test client reads that as another host ("//." fails in its IDNA encoder);
    # leading slashes have their own test above.
    st.text(max_size=60).map(lambda s: "/" + s.lstrip("/")),
    st.text(alphabet="/%0123456789abcdefABCDEF.?=&#", max_size=60).map(lambda s: "/" + s.lstrip("/")),
)
FORMS = st.lists(
    st.tuples(st.sampled_from(["answer", "csrf_token", "answer[]", "x"]) | st.text(max_size=8), st.text(max_size=40)),
    max_size=6,
)
BODIES = st.one_of(
    st.tuples(st.just("form"), FORMS),
    st.tuples(st.just("raw"), st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data",
                                               "multipart/form-data; boundary=x", "application/json", "text/plain"]),
              st.binary(max_size=300)),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "POST", "HEAD", "PUT"]),
    path=PATHS,
    cookie=COOKIES,
    body=BODIES,
    real_token=st.booleans(),
)
def test_no_request_causes_a_server_error(app, method, path, cookie, body, real_token):
    client = app.test_client()
    if cookie is not None:
        if isinstance(cookie, tuple):
            kind, data = cookie
            value = signed_cookie(app, data) if kind == "signed" else signed_cookie(app, data, secret=SECRET + "x")
        else:
            value = cookie
        set_cookie(client, value)
    kwargs = {}
    if method in ("POST", "PUT"):
        if body[0] == "form":
            fields = list(body[1])
            if real_token:
                page = client.get("/questions/age")
                token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[-1].split('"')[0]
                fields.append(("csrf_token", token))
            kwargs["data"] = MultiDict(fields)
        else:
            kwargs["data"] = body[2]
            kwargs["content_type"] = body[1]
    with client.open(path, method=method, **kwargs) as response:
        assert response.status_code < 500, (method, path, response.status_code)
        if response.status_code >= 400 and method != "HEAD" and response.mimetype == "text/html":
            check_page(response.get_data(as_text=True))  # the friendly page, in the site layout
