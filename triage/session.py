"""The signed session cookie, read defensively.

Flask's cookie session trusts whatever carries a valid signature. Here a
cookie with a valid signature can still hold the unexpected: one written by
an older version of the app, by another deployment that shares the secret, or
by hand by someone who has the key. None of that may ever cause a server
error, so this session interface:

- treats any cookie that cannot be read (bad signature, bad base64, bad JSON,
  a tagged value that does not decode, a payload that inflates to more than
  ``MAX_PAYLOAD`` bytes) as no cookie at all: a new, empty session;
- keeps only the keys this app writes, each with the type it writes
  (``answers``: a mapping, ``help_shown``: a list, ``last_result``: a
  mapping, ``csrf_token``: a short ASCII string). What is inside ``answers`` and
  ``last_result`` is checked where it is used (:mod:`triage.questionnaire`);
- stores plain JSON (the app keeps only JSON types in the session), not
  Flask's tagged JSON, which walks every value on every request looking for
  tuples, bytes, dates and markup to revive;
- builds the signing serializer, its signer and the derived signing key once
  per secret, not once per request.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadPayload, Signer, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.url_safe import URLSafeSerializerMixin
from itsdangerous.encoding import base64_decode

# A real session is well under 4 KB of JSON (the browser's cookie limit is
# 4 KB before compression); anything that inflates beyond this is refused.
MAX_PAYLOAD = 64 * 1024



def _csrf_token(value: Any) -> bool:
    # Flask-WTF writes a SHA-1 hex digest and compares it with hmac.compare_digest,
    # which raises TypeError on anything but bytes or ASCII text.
    return isinstance(value, str) and len(value) <= 128 and value.isascii() and value.isalnum()


# The keys this app writes, and what each must look like.
SESSION_KEYS: dict[str, Callable[[Any], bool]] = {
    "answers": lambda value: isinstance(value, dict),
    "help_shown": lambda value: isinstance(value, (list, tuple)),
    "last_result": lambda value: isinstance(value, dict),
    "csrf_token": _csrf_token,
}


class PlainJSON:
    """Compact JSON, no tags (see the module docs)."""

    @staticmethod
    def dumps(obj: Any) -> str:
        return json.dumps(obj, separators=(",", ":"))

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return json.loads(text)


class KeyCachingSigner(TimestampSigner):
    """A timestamp signer that derives its key from the secret once, not on every use."""

    _derived: dict[tuple[Any, ...], bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        cache_key = (secret_key, self.secret_keys[-1], self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(cache_key)
        if derived is None:
            derived = super().derive_key(secret_key)
            if len(self._derived) > 32:  # a handful of secrets per process at most
                self._derived.clear()
            self._derived[cache_key] = derived
        return derived


class BoundedSerializer(URLSafeTimedSerializer):
    """itsdangerous' URL-safe serializer with a cap on how far a payload may inflate,
    and one signer per salt for its whole life."""

    default_signer = KeyCachingSigner

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        signers = self.__dict__.setdefault("_signers", {})
        signer = signers.get(salt)
        if signer is None:
            signer = signers[salt] = super().make_signer(salt)
        return signer

    def load_payload(self, payload: bytes, *args: Any, serializer: Any | None = None, **kwargs: Any) -> Any:
        if not payload.startswith(b"."):
            return super().load_payload(payload, *args, serializer=serializer, **kwargs)
        try:
            inflater = zlib.decompressobj()
            data = inflater.decompress(base64_decode(payload[1:]), MAX_PAYLOAD)
        except Exception as exc:
            raise BadPayload("the session payload does not decompress", original_error=exc) from exc
        if inflater.unconsumed_tail or not inflater.eof:
            raise BadPayload("the session payload is too large or truncated")
        # The JSON itself is read by the plain Serializer, past the URL-safe mixin.
        return super(URLSafeSerializerMixin, self).load_payload(data, serializer=serializer)


class SafeSessionInterface(SecureCookieSessionInterface):
    """A cookie session that never fails on what a cookie holds (see the module docs)."""

    serializer = PlainJSON()  # type: ignore[assignment]

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = [*(app.config.get("SECRET_KEY_FALLBACKS") or ()), app.secret_key]
        cache_key = tuple(keys)
        serializer = self._serializers.get(cache_key)
        if serializer is None:
            serializer = BoundedSerializer(
                keys,  # type: ignore[arg-type]
                salt=self.salt,
                serializer=self.serializer,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
            self._serializers = {cache_key: serializer}  # one secret at a time: no growth
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except Exception:  # noqa: BLE001 - any unreadable cookie is simply no cookie
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        return self.session_class(
            {key: value for key, value in data.items() if key in SESSION_KEYS and SESSION_KEYS[key](value)}
        )
