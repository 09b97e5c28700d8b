"""The session cookie is encrypted, bounded in time, and rotates keys (triage/session.py).

A real cookie from a whole journey (pregnant, thoughts of self-harm, illness,
medicines) is decoded every way a curious person might (base64, URL
decoding, zlib) and must show no answer and no question id; the same
cookie, decrypted with the key, does hold them, so the search is not empty.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import urllib.parse
import zlib
from datetime import timedelta

import pytest

from bench.client import answer_for
from tests.helpers.config import TEST_CONFIG
from tests.pagecheck import PageClient
from triage import create_app
from triage.session import CLOCK_SKEW, KEY_ID_BYTES, MAX_TOKEN, NONCE_BYTES, PAD, TAG_BYTES, CookieCipher

COOKIE = "triage_session"
OLD = "the-old-secret-0123456789abcdef-0123456789"
NEW = "the-new-secret-0123456789abcdef-0123456789"
HOURS = 4

# A person whose answers must never be readable from the cookie.
SENSITIVE = {
    "age": "34",
    "sex": "female",
    "events": ["stress", "new_medicine"],
    "body": ["pregnant", "tired", "irregular_periods", "fever"],
    "history": ["thyroid"],
    "impact": ["self_harm_thoughts", "low_anxious"],
}
# Words that must not be found: answer values and the session's own keys, and (added by
# the test) the id of every question asked. (Short ones, such as "34" or "yes", turn up in
# random base64 by chance.)
SECRET_WORDS = [
    "pregnant", "self_harm", "irregular_periods", "new_medicine", "thyroid", "female", "fever",
    "answers", "help_shown", "last_result", "csrf_token",
]


def journey(client: PageClient, app, answers: dict, stop_after: int | None = None) -> list[str]:
    """Answer what the app asks (from ``answers``, else the first option), through help-now."""
    rulebook = app.extensions["rulebook"]
    url = client.get("/questions/", expected_status=302).location
    asked: list[str] = []
    while url.startswith("/questions/") and (stop_after is None or len(asked) < stop_after):
        qid = url.split("?")[0].rsplit("/", 1)[1]
        asked.append(qid)
        token = client.get(url).csrf_token()
        value = answer_for(rulebook.question_by_id[qid], answers)
        url = client.post(url, data={"csrf_token": token, "answer": value}, expected_status=302).location
        if url.startswith("/help-now"):
            client.get(url)
            url = client.get("/questions/", expected_status=302).location
    return asked


def cookie_of(client: PageClient) -> str:
    cookie = client.client.get_cookie(COOKIE)
    assert cookie is not None and cookie.value
    return cookie.value


def every_reading(value: str) -> list[bytes]:
    """``value`` as it is and decoded every plausible way, recursively a little."""
    seen: list[bytes] = []
    todo = [value.encode("latin-1", "replace"), urllib.parse.unquote(value).encode("latin-1", "replace")]
    while todo and len(seen) < 500:
        data = todo.pop()
        if data in seen:
            continue
        seen.append(data)
        text = data.decode("latin-1")
        for part in [text, *re.split(r"[.:|]", text)]:
            part = part.strip()
            for decode in (base64.urlsafe_b64decode, base64.b64decode):
                for skip in range(4):  # base64 that starts mid-block
                    chunk = part[skip:]
                    try:
                        todo.append(decode(chunk + "=" * (-len(chunk) % 4)))
                    except (binascii.Error, ValueError):
                        pass
        for wbits in (15, -15, 31):
            for start in range(min(len(data), 40)):  # zlib after a prefix (key id, nonce, time)
                try:
                    todo.append(zlib.decompress(data[start:], wbits))
                except zlib.error:
                    pass
    return seen


def found_words(readings: list[bytes], words=SECRET_WORDS) -> set[str]:
    return {w for w in words for r in readings if w.encode() in r or w.encode("utf-16-le") in r}


@pytest.fixture(scope="module")
def journey_cookie(app):
    client = PageClient(app.test_client())
    asked = journey(client, app, SENSITIVE)
    assert {"impact", "body", "history"} <= set(asked)
    client.get("/check-answers")
    client.get("/result")
    return cookie_of(client), asked


def test_a_real_cookie_from_a_whole_journey_shows_no_answer_and_no_question(app, journey_cookie):
    cookie, asked = journey_cookie
    words = SECRET_WORDS + [qid for qid in asked if len(qid) >= 5]
    readings = every_reading(cookie)
    assert len(readings) > 3  # it did decode the base64
    assert found_words(readings, words) == set()
    # The same cookie, decrypted with the key, holds every one of them: the search works.
    plaintext, _, _ = app.session_interface.get_signing_serializer(app).open(cookie)
    assert found_words(every_reading(plaintext.decode("ascii")), words) == set(words)


def test_the_search_finds_answers_in_a_merely_signed_cookie(app):
    """What the cookie used to be (itsdangerous, signed and compressed): the same search reads it."""
    from itsdangerous import URLSafeTimedSerializer

    data = {"answers": {"body": ["pregnant"], "impact": ["self_harm_thoughts"]}, "help_shown": ["self_harm"]}
    for payload in (data, {**data, "filler": "x" * 400}):  # uncompressed, and compressed ('.' prefix)
        signed = URLSafeTimedSerializer("k", salt="cookie-session").dumps(payload)
        assert {"pregnant", "self_harm", "answers"} <= found_words(every_reading(signed))


def test_the_cookie_is_version_and_key_id_then_nonce_and_padded_ciphertext(app, journey_cookie):
    journey_cookie, _ = journey_cookie
    assert journey_cookie.startswith("1.")
    assert re.fullmatch(r"1\.[A-Za-z0-9_-]+", journey_cookie)
    raw = base64.urlsafe_b64decode(journey_cookie[2:] + "=" * (-len(journey_cookie[2:]) % 4))
    body = len(raw) - KEY_ID_BYTES - NONCE_BYTES - TAG_BYTES
    assert body > 0 and body % PAD == 0
    assert len(journey_cookie) < MAX_TOKEN  # a browser drops a cookie over 4 KB, answers and all
    # The same session written twice gives two unrelated cookies (a fresh nonce each time).
    cipher = app.session_interface.get_signing_serializer(app)
    data = cipher.loads(journey_cookie)
    again = cipher.dumps(data)
    nonce = slice(KEY_ID_BYTES, KEY_ID_BYTES + NONCE_BYTES)
    assert base64.urlsafe_b64decode(again[2:] + "==")[nonce] != raw[nonce]
    assert again != cipher.dumps(data)
    assert cipher.loads(again) == data


def test_answers_of_different_lengths_give_cookies_of_the_same_length(app):
    cipher = app.session_interface.get_signing_serializer(app)
    short = cipher.dumps({"answers": {"age": 30, "sex": "male", "pulling": "no"}})
    long = cipher.dumps({"answers": {"age": 30, "sex": "female", "pulling": "not_sure"}})
    assert len(short) == len(long)


@pytest.mark.parametrize("where", ["version", "key id", "nonce", "ciphertext", "tag", "truncated", "extended"])
def test_a_changed_cookie_starts_afresh_without_an_error(app, where):
    client = PageClient(app.test_client())
    journey(client, app, SENSITIVE, stop_after=3)
    good = cookie_of(client)
    nxt = client.get("/questions/", expected_status=302).location
    assert nxt != "/questions/age"  # the untouched cookie carries on where it was

    raw = bytearray(base64.urlsafe_b64decode(good[2:] + "=" * (-len(good[2:]) % 4)))
    offset = {"key id": 1, "nonce": KEY_ID_BYTES + 3, "ciphertext": KEY_ID_BYTES + NONCE_BYTES + 20, "tag": len(raw) - 2}
    if where == "version":
        bad = "2." + good[2:]
    elif where == "truncated":
        bad = good[:-8]
    elif where == "extended":
        bad = good + "AAAA"
    else:
        raw[offset[where]] ^= 0x01
        bad = "1." + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    fresh = PageClient(app.test_client())
    fresh.client.set_cookie(COOKIE, bad)
    assert fresh.get("/questions/", expected_status=302).location == "/questions/age"
    fresh.get("/questions/age")
    fresh.get("/result", expected_status=302)


# --- lifetime ------------------------------------------------------------------------


def fresh_start(app, cookie: str) -> bool:
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client.get("/questions/").headers["Location"] == "/questions/age"


def test_the_default_lifetime_is_four_hours(app):
    assert app.permanent_session_lifetime == timedelta(hours=HOURS)
    assert app.config["SESSION_PERMANENT"] is False  # and a browser-session cookie, no Expires


@pytest.mark.parametrize(
    ("age_seconds", "starts_afresh"),
    [
        (0, False),
        (HOURS * 3600 - 120, False),
        (HOURS * 3600 + 120, True),
        (30 * 24 * 3600, True),  # Flask's own default lifetime was 31 days
        (-(CLOCK_SKEW - 60), False),  # another server's clock a little ahead
        (-(CLOCK_SKEW + 3600), True),  # written "in the future"
    ],
)
def test_a_cookie_older_than_the_limit_starts_afresh(app, age_seconds, starts_afresh):
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"answers": {"age": 30, "sex": "female"}}, issued_at=int(time.time()) - age_seconds
    )
    assert fresh_start(app, cookie) is starts_afresh


def test_triage_session_hours_sets_the_limit(monkeypatch):
    monkeypatch.setenv("TRIAGE_SESSION_HOURS", "1")
    short = create_app(TEST_CONFIG)
    assert short.permanent_session_lifetime == timedelta(hours=1)
    cipher = short.session_interface.get_signing_serializer(short)
    two_hours_ago = cipher.dumps({"answers": {"age": 30}}, issued_at=int(time.time()) - 2 * 3600)
    half_an_hour_ago = cipher.dumps({"answers": {"age": 30}}, issued_at=int(time.time()) - 1800)
    assert fresh_start(short, two_hours_ago)
    assert not fresh_start(short, half_an_hour_ago)


def test_saving_an_answer_renews_the_time(app):
    cipher = app.session_interface.get_signing_serializer(app)
    nearly_old = int(time.time()) - HOURS * 3600 + 300
    client = PageClient(app.test_client())
    client.client.set_cookie(COOKIE, cipher.dumps({"answers": {"age": 30}}, issued_at=nearly_old))
    assert cipher.issued_at(cookie_of(client)) == nearly_old
    token = client.get("/questions/sex").csrf_token()  # the token is saved with the old time...
    client.post("/questions/sex", data={"csrf_token": token, "answer": "female"}, expected_status=302)
    renewed = cipher.issued_at(cookie_of(client))  # ...and the answer with the time it was saved
    assert renewed >= int(time.time()) - 60
    assert cipher.loads(cookie_of(client))["answers"] == {"age": 30, "sex": "female"}


def test_clearing_empties_the_browser_cookie_and_says_what_happened(app):
    client = PageClient(app.test_client())
    journey(client, app, SENSITIVE, stop_after=3)
    copy = cookie_of(client)
    token = client.get("/questions/age").csrf_token()
    response = client.post("/clear", data={"csrf_token": token}, expected_status=302).response
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{COOKIE}=;") and "Expires=Thu, 01 Jan 1970" in set_cookie
    assert client.client.get_cookie(COOKIE) is None
    page = client.get("/cleared")
    text = page.text
    assert "cookie" in text and "on our server" in text and "4 hours" in text
    assert "Nothing you entered is kept" not in text
    # What the page says about a copy made earlier is true: it still works until the limit...
    assert not fresh_start(app, copy)
    # ...and not after.
    cipher = app.session_interface.get_signing_serializer(app)
    old_copy = cipher.dumps(cipher.loads(copy), issued_at=int(time.time()) - HOURS * 3600 - 60)
    assert fresh_start(app, old_copy)


# --- key rotation --------------------------------------------------------------------


@pytest.fixture(scope="module")
def old_app():
    return create_app({**TEST_CONFIG, "SECRET_KEY": OLD})


@pytest.fixture(scope="module")
def rotated_app():
    return create_app({**TEST_CONFIG, "SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": [OLD]})


@pytest.fixture(scope="module")
def new_only_app():
    return create_app({**TEST_CONFIG, "SECRET_KEY": NEW, "SECRET_KEY_FALLBACKS": []})


def old_cookie(old_app) -> str:
    return old_app.session_interface.get_signing_serializer(old_app).dumps({"answers": {"age": 30, "sex": "female"}})


def test_the_previous_key_still_reads_and_the_cookie_is_written_again_with_the_new_key(old_app, rotated_app):
    client = rotated_app.test_client()
    client.set_cookie(COOKIE, old_cookie(old_app))
    response = client.get("/questions/")
    assert response.headers["Location"] not in ("/questions/age", "/questions/sex")  # the answers were read
    reissued = client.get_cookie(COOKIE).value
    assert reissued != old_cookie(old_app)
    assert CookieCipher([NEW]).loads(reissued)["answers"] == {"age": 30, "sex": "female"}
    with pytest.raises(ValueError):
        CookieCipher([OLD]).loads(reissued)  # the previous key never encrypts


def test_a_cookie_from_a_rotated_out_key_starts_afresh(old_app, new_only_app):
    assert fresh_start(new_only_app, old_cookie(old_app))


def test_a_cookie_from_another_deployment_starts_afresh(app):
    other = CookieCipher(["another-deployment-0123456789abcdef-0123"]).dumps({"answers": {"age": 30}})
    assert fresh_start(app, other)


def test_keys_are_derived_not_used_as_they_are():
    cipher = CookieCipher([NEW])
    token = cipher.dumps({"answers": {"age": 30}})
    raw = base64.urlsafe_b64decode(token[2:] + "=" * (-len(token[2:]) % 4))
    assert NEW.encode()[:KEY_ID_BYTES] != raw[:KEY_ID_BYTES]
    assert CookieCipher([NEW]).keys[0].key_id == raw[:KEY_ID_BYTES]  # the same secret, the same key id
    assert CookieCipher([OLD]).keys[0].key_id != raw[:KEY_ID_BYTES]
