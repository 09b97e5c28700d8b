"""The session cookie: encrypted, bounded in time, read defensively.

A person's answers (age, sex, pregnancy, illnesses, medicines, thoughts of
self-harm) live only in one cookie in their own browser. Anyone who gets hold
of that cookie (a shared computer, a copied browser profile, an extension, a
proxy that logs cookies) must not be able to read it or change it. So the
cookie is authenticated encryption, not just a signature:

- AES-256-GCM (``cryptography``), with a fresh random 96-bit nonce for every
  cookie written. The key is derived from ``SECRET_KEY`` with HKDF-SHA256
  (its own salt and purpose, so the same secret used for anything else,
  Flask-WTF's CSRF tokens for example, gives an unrelated key);
- the token says its format version and which key wrote it (a 4-byte key id,
  also derived with HKDF, which tells nothing about the key), and both are
  authenticated as associated data:
  ``1.<base64url(key id | nonce | ciphertext and tag)>``;
- the plaintext is the time it was written (seconds since 1970, 8 bytes)
  and compact JSON, padded with spaces to a multiple of ``PAD`` bytes, so
  that the length of the cookie says little about the answers in it.

Rotation: ``SECRET_KEY_FALLBACKS`` (``TRIAGE_SECRET_KEY_PREVIOUS``) holds
older keys. They decrypt, never encrypt; a cookie read with one is written
again with the current key on that response.

Lifetime: a cookie written more than ``PERMANENT_SESSION_LIFETIME`` ago
(``TRIAGE_SESSION_HOURS``, 4 hours by default) is refused: the person starts
afresh, without an error. The time is inside the encryption, so it cannot be
changed, and it is renewed each time the session is written, which is when
an answer is saved. Nothing is kept on the server: "Clear my answers" empties
the browser's cookie, and a copy of the cookie made earlier stops working
when its time is up.

Defensive reading, as before: any cookie that cannot be read (too long, bad
base64, an unknown version or key, a failed authentication, a time out of
range, bad JSON, not an object) is no cookie at all, a new empty session. Of
what can be read, only the keys this app writes are kept, each with the type
it writes (``answers``: a mapping, ``help_shown``: a list, ``last_result``: a
mapping, ``csrf_token``: a short ASCII string). What is inside ``answers`` and
``last_result`` is checked where it is used (:mod:`triage.questionnaire`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

VERSION = "1"
PREFIX = VERSION + "."
KEY_ID_BYTES = 4
NONCE_BYTES = 12
TAG_BYTES = 16
TIME_BYTES = 8
# Plaintext is padded to a multiple of this, so a cookie's length hides most of what
# the answers are (a "yes" and a "not sure" give the same length).
PAD = 256
# A browser keeps at most 4 KB per cookie; anything longer did not come from here.
MAX_TOKEN = 4096
# A cookie written this far in the future (another server's clock) is still accepted.
CLOCK_SKEW = 300

_HKDF_SALT = b"triage.session.v1"


class BadCookie(ValueError):
    """The cookie cannot be used (never shown to anyone: it means a fresh start)."""


def _hkdf(secret: str | bytes, info: bytes, length: int) -> bytes:
    material = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=_HKDF_SALT, info=info).derive(material)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text.isascii():
        raise BadCookie("not base64")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise BadCookie("not base64") from exc


class _Key:
    __slots__ = ("aead", "key_id")

    def __init__(self, secret: str | bytes) -> None:
        self.aead = AESGCM(_hkdf(secret, b"session cookie: AES-256-GCM key", 32))
        self.key_id = _hkdf(secret, b"session cookie: key id", KEY_ID_BYTES)


class CookieCipher:
    """Seals and opens session cookies with ``secrets[0]``; the others only open.

    ``dumps``/``loads`` take and give the session as a JSON-able object, so
    this is what :meth:`SafeSessionInterface.get_signing_serializer` returns
    (Flask's session machinery calls ``dumps`` when it saves a session).
    """

    def __init__(self, secrets: Sequence[str | bytes]) -> None:
        if not secrets:
            raise ValueError("at least one secret is needed")
        self.keys = [_Key(secret) for secret in secrets]
        self._by_id: dict[bytes, _Key] = {}
        for key in self.keys:
            self._by_id.setdefault(key.key_id, key)  # the current key wins a (2**-32) clash

    @staticmethod
    def _aad(key_id: bytes) -> bytes:
        return b"triage session " + VERSION.encode() + b" " + key_id

    # --- bytes -------------------------------------------------------------------------

    def seal(self, plaintext: bytes, issued_at: int | None = None) -> str:
        """Encrypt ``plaintext`` (padded here) with the current key, stamped with ``issued_at``."""
        key = self.keys[0]
        stamp = int(time.time()) if issued_at is None else int(issued_at)
        body = struct.pack(">Q", max(stamp, 0)) + plaintext
        body += b" " * (-len(body) % PAD)
        nonce = os.urandom(NONCE_BYTES)
        sealed = key.aead.encrypt(nonce, body, self._aad(key.key_id))
        return PREFIX + _b64encode(key.key_id + nonce + sealed)

    def open(self, token: str) -> tuple[bytes, int, bool]:
        """(plaintext with its padding, issued-at time, whether the current key sealed it).

        Raises BadCookie for anything that is not a cookie sealed by one of the keys.
        """
        if not isinstance(token, str) or len(token) > MAX_TOKEN or not token.startswith(PREFIX):
            raise BadCookie("not a session token of this version")
        raw = _b64decode(token[len(PREFIX):])
        if len(raw) < KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES + TIME_BYTES:
            raise BadCookie("too short")
        key_id, nonce, sealed = (
            raw[:KEY_ID_BYTES],
            raw[KEY_ID_BYTES : KEY_ID_BYTES + NONCE_BYTES],
            raw[KEY_ID_BYTES + NONCE_BYTES :],
        )
        key = self._by_id.get(key_id)
        if key is None:
            raise BadCookie("written with a key this server does not have")
        try:
            body = key.aead.decrypt(nonce, sealed, self._aad(key_id))
        except InvalidTag as exc:
            raise BadCookie("does not authenticate") from exc
        (issued_at,) = struct.unpack(">Q", body[:TIME_BYTES])
        return body[TIME_BYTES:], issued_at, key is self.keys[0]

    # --- objects -----------------------------------------------------------------------

    def dumps(self, obj: Any, issued_at: int | None = None) -> str:
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
        return self.seal(text.encode("ascii"), issued_at)

    def loads(self, token: str, max_age: float | None = None, now: float | None = None) -> Any:
        return self.loads_with_key(token, max_age, now)[0]

    def loads_with_key(self, token: str, max_age: float | None = None, now: float | None = None) -> tuple[Any, bool]:
        """(the session object, whether the current key sealed it); BadCookie if unusable."""
        plaintext, issued_at, current = self.open(token)
        now = time.time() if now is None else now
        if issued_at > now + CLOCK_SKEW:
            raise BadCookie("written in the future")
        if max_age is not None and now - issued_at > max_age:
            raise BadCookie("expired")
        try:
            data = json.loads(plaintext.decode("ascii"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise BadCookie("not JSON") from exc
        return data, current

    def issued_at(self, token: str) -> int:
        """When ``token`` was written (for tests and for the operator's curiosity)."""
        return self.open(token)[1]


def _csrf_token(value: Any) -> bool:
    # Flask-WTF writes a SHA-1 hex digest and compares it with hmac.compare_digest,
    # which raises TypeError on anything but bytes or ASCII text.
    return isinstance(value, str) and len(value) <= 128 and value.isascii() and value.isalnum()


# The keys this app writes, and what each must look like.
SESSION_KEYS: dict[str, Callable[[Any], bool]] = {
    "answers": lambda value: isinstance(value, dict),
    "help_shown": lambda value: isinstance(value, (list, tuple)),
    "last_result": lambda value: isinstance(value, dict),
    "removed": lambda value: isinstance(value, (list, tuple)),  # question ids a change removed answers from
    "csrf_token": _csrf_token,
}


class SafeSessionInterface(SecureCookieSessionInterface):
    """An encrypted cookie session that never fails on what a cookie holds (see the module docs)."""

    def __init__(self) -> None:
        self._ciphers: dict[tuple[Any, ...], CookieCipher] = {}

    def get_signing_serializer(self, app: Flask) -> CookieCipher | None:  # type: ignore[override]
        """The cipher for the app's current key and its fallbacks (built once per set of keys)."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cipher = self._ciphers.get(keys)
        if cipher is None:
            cipher = CookieCipher(keys)
            self._ciphers = {keys: cipher}  # one set of keys at a time: no growth
        return cipher

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cipher = self.get_signing_serializer(app)
        if cipher is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        try:
            data, current = cipher.loads_with_key(value, max_age=max_age)
        except Exception:  # noqa: BLE001 - any unusable cookie is simply no cookie
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        session = self.session_class(
            {key: value for key, value in data.items() if key in SESSION_KEYS and SESSION_KEYS[key](value)}
        )
        if not current:
            session.modified = True  # written again with the current key on this response
        return session
