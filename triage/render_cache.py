"""Rendered pages kept in memory, with each request's CSRF token spliced in.

Most of the time a page takes is Jinja and WTForms building the same HTML
again: a question page, as first shown, differs between people only in the
back link and the parent's wording, plus the CSRF token. So a
page is rendered once per *key* (everything the page depends on, chosen by
the view) with a placeholder where the CSRF token goes, kept as the pieces
around the placeholder, and served by joining the pieces with the token of
the current request.

Rules for a view that uses this (tests/prod/test_render_cache.py holds each
cached page to them, comparing it with a fresh render):

- the key must hold everything the rendering reads, apart from the CSRF token
  and the answer slots (``request.script_root`` is added here, for the URLs);
- only pages without errors and without anything personal beyond the key.

Nothing a person enters is kept: a key names a page and its variant (the
question, the child's wording, where Back goes), never an answer. A question
the person has already answered (their answer ticked or filled in) is cached
with *answer slots* (``AnswerSlots``): a placeholder where each option's
`` checked`` goes, or the number's value, filled in for each request
(``render_cached_answer``); the cached page holds no answer, only the
response does. Placeholders begin with ``<``, which the templates' escaping
never lets rule text or an answer write. The cache is per process, bounded
(``MAX_PAGES``; when full it starts again), and off in debug mode or with
template auto-reload, where templates change under it (a page with an answer
is then rendered with the answer itself, as the reference the tests compare with).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Hashable, Mapping

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

# Never in a real token: itsdangerous tokens are URL-safe base64 and dots.
PLACEHOLDER = "~csrf-token-placeholder~"
# Answer slots: never in escaped text (a "<" is written "&lt;"), nor in a token.
ANSWER_VALUE = "<~answer-value~>"
_SLOTS = re.compile("(" + re.escape(PLACEHOLDER) + r"|<~answer-(?:value|[0-9]+)~>)")


def answer_checked(index: int) -> str:
    """The slot for the option at ``index`` among those shown: " checked" or nothing."""
    return f"<~answer-{index}~>"


class AnswerSlots:
    """What the form macros write where a page shows an answer, when rendering it for the cache."""

    value = Markup(ANSWER_VALUE)

    @staticmethod
    def checked(index: int) -> Markup:
        return Markup(answer_checked(index))


ANSWER_SLOTS = AnswerSlots()
MAX_PAGES = 2048
EXTENSION = "triage_render_cache"
FRAGMENTS = "triage_render_fragments"  # cached_fragment: parts of pages from the rulebook alone
MAX_FRAGMENTS = 512


SIGNED_TOKENS = "triage_signed_csrf_tokens"
ACCEPTED_TOKENS = "triage_accepted_csrf_tokens"
MAX_TOKENS = 4096


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = {}
    app.extensions[SIGNED_TOKENS] = {}
    app.extensions[ACCEPTED_TOKENS] = {}
    app.extensions[FRAGMENTS] = {}


def csrf_token() -> str:
    """This request's CSRF token: Flask-WTF's ``generate_csrf()``, signed once per session.

    Flask-WTF signs the session's raw token again on every request (a fresh
    timestamp, HMAC, base64). With ``WTF_CSRF_TIME_LIMIT = None`` (config.py:
    the token lasts as long as the browser session) any of those signatures
    is as good as the next, so the first one made in this process is kept,
    keyed by the raw token (a random value, nothing personal), and reused.
    """
    app = current_app
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field in g:
        return g.get(field)
    memo: dict = app.extensions[SIGNED_TOKENS]
    raw = session.get(field)
    reuse = app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is None and isinstance(raw, str)
    signed = memo.get(raw) if reuse else None
    if signed is not None:
        setattr(g, field, signed)
        return signed
    signed = generate_csrf()
    if app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is None:
        if len(memo) >= MAX_TOKENS:
            memo.clear()
        memo[session[field]] = signed
    return signed


def _tokens_last() -> bool:
    """Signed tokens last as long as the session (``WTF_CSRF_TIME_LIMIT = None``, config.py)."""
    return current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is None


def _accepted_key(signed: object) -> tuple[str, str, str] | None:
    app = current_app
    raw = session.get(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    if not (_tokens_last() and isinstance(raw, str) and isinstance(signed, str) and isinstance(secret, str)):
        return None
    return secret, raw, signed


def token_known(signed: object) -> bool:
    """``signed`` is a token this process signed, or already accepted, for this session's raw token.

    With no time limit a signed token is valid as long as it authenticates and
    carries the session's raw token (``flask_wtf.csrf.validate_csrf``), which
    is exactly what a token signed here for that raw token does. So the
    tokens made here (``csrf_token``) and the ones that passed the full check
    (``remember_accepted``; another worker signed them) need no new HMAC.
    Keys are random tokens and the secret, nothing personal.
    """
    key = _accepted_key(signed)
    if key is None:
        return False
    secret, raw, given = key
    mine = current_app.extensions[SIGNED_TOKENS].get(raw)
    # Bytes: compare_digest refuses str with non-ASCII characters, and a form may send any.
    if isinstance(mine, str) and hmac.compare_digest(mine.encode(), given.encode("utf-8", "surrogatepass")):
        return True
    return key in current_app.extensions[ACCEPTED_TOKENS]


def remember_accepted(signed: object) -> None:
    """Remember a token that has just passed Flask-WTF's full check (bounded, like the other memos)."""
    key = _accepted_key(signed)
    if key is not None:
        accepted: dict = current_app.extensions[ACCEPTED_TOKENS]
        if len(accepted) >= MAX_TOKENS:
            accepted.clear()
        accepted[key] = True


def _enabled() -> bool:
    app = current_app
    return not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD") or app.config.get("TRIAGE_NO_RENDER_CACHE"))


def _render_parts(render: Callable[[], str]) -> tuple[str, ...]:
    """Render with the placeholder as this request's CSRF token; split around it and the
    answer slots: text, slot, text, ..., text."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    had_token = field in g
    saved = g.get(field)
    setattr(g, field, PLACEHOLDER)  # what flask_wtf.csrf.generate_csrf() returns when set
    try:
        html = render()
    finally:
        if had_token:
            setattr(g, field, saved)
        else:
            g.pop(field, None)
    return tuple(_SLOTS.split(html))


def render_cached(key: Hashable, render: Callable[[], str], fills: Mapping[str, str] | None = None) -> str:
    """The page for ``key``: rendered by ``render()`` the first time, then from memory.

    ``fills``: what goes in each answer slot for this request (``render_cached_answer``).
    """
    pages: dict = current_app.extensions[EXTENSION]
    full_key = (key, request.script_root)
    parts = pages.get(full_key)
    if parts is None:
        parts = _render_parts(render)
        if _enabled():
            if len(pages) >= MAX_PAGES:
                pages.clear()
            pages[full_key] = parts
    if len(parts) == 1:
        return parts[0]
    # A page with a form: the token (made now, if this session has none yet) goes in,
    # and this request's answer in its slots.
    out = list(parts)
    for i in range(1, len(out), 2):
        slot = out[i]
        out[i] = csrf_token() if slot == PLACEHOLDER else (fills or {}).get(slot, "")
    return "".join(out)


def render_cached_answer(
    key: Hashable, render_slots: Callable[[], str], fills: Mapping[str, str], render_fresh: Callable[[], str]
) -> str:
    """A page that shows an answer: ``render_slots()`` (the page with ``ANSWER_SLOTS`` for the
    answer, cached under ``key``) with ``fills`` in the slots; ``render_fresh()`` when the cache is off."""
    if not _enabled():
        csrf_token()  # the form's token field takes this session's token, signed once
        return render_fresh()
    return render_cached(key, render_slots, fills)


def cached_fragment(key: tuple[str | bool, ...], render: Callable[[], str]) -> str:
    """A part of a page that depends on the rulebook alone (triage/fragments.py), rendered once.

    ``key`` is made of rule ids only (fragments.py checks each against the rulebook), so
    nothing a person enters can be part of it, nor of what is kept. Bounded like the
    pages, and off whenever the page cache is off (debug, auto-reload, ``TRIAGE_NO_RENDER_CACHE``).
    """
    if not _enabled():
        return render()
    kept: dict = current_app.extensions[FRAGMENTS]
    full_key = (key, request.script_root)
    html = kept.get(full_key)
    if html is None:
        html = render()
        if len(kept) >= MAX_FRAGMENTS:
            kept.clear()
        kept[full_key] = html
    return html
