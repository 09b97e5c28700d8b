"""gunicorn settings for production (``make serve``, the load test and ``make bench`` use them).

    gunicorn -c python:triage.gunicorn_conf --bind 127.0.0.1:8000 triage.wsgi:app

Environment variables:

- ``WEB_CONCURRENCY``: worker processes (default 2; about one per core).
  Workers share nothing but the secret key, so more processes or machines
  behind a load balancer scale the app out.
- ``TRIAGE_ACCESS_LOG``: where to write an access log (a file path, or ``-``
  for stdout). Off by default. A line holds the time, the worker, the method,
  the *kind* of page (``page``, ``question``, ``check-answers``, ``result``,
  ``clear``, ``rules``, ``static``, ``none``, ``other``: see
  ``triage.security.ROUTE_KINDS``), the status and the duration. Never the
  path (``/help-now`` is served only to someone who just reported thoughts
  of self-harm, ``/questions/life_stage`` only to some people), a query
  string, the size (pages differ in size), a cookie, a referrer, a user agent
  or the client address: even the fact that someone used a hair-loss tool is
  nobody's business. :class:`PrivateLogger` enforces this for any
  ``--access-logformat`` too: every other atom is ``-``.

The error log goes through :class:`PrivateLogger` as well: gunicorn's own
messages about refused requests and worker timeouts quote the client address
and the request line; here the address, the query string and the request
line are withheld.

gunicorn must sit behind a buffering proxy (deploy/nginx.conf): sync workers
facing clients directly are taken offline by a few slow connections.

Command-line flags win over these settings (``--workers 1``, ``--bind``).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from gunicorn.glogging import Logger

from triage.security import ROUTE_KIND

# --- the logs ---------------------------------------------------------------------------

# The only atoms an access-log line may use; everything else is "-".
ACCESS_ATOMS = frozenset({"t", "p", "m", "s", "H", "T", "D", "M", "L", f"{{{ROUTE_KIND}}}e"})
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"})

_INVALID_REQUEST = re.compile(r"^Invalid request from ip=.*?: (?P<error>.*)$", re.S)
_REQUEST = re.compile(r"^(?P<method>[A-Z]{1,20}) /\S*\Z")
_HANDLING = re.compile(r"^Error handling request (?:(?P<method>[A-Z]{1,20}) )?\S+\Z")
# A client address: IPv4 (not a URL's host, such as "Listening at: http://127.0.0.1:8000",
# which is this server's own), or anything shaped like IPv6.
_IPV4 = re.compile(r"(?<![\w./:])(?<!://)(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(r"(?<![\w:])\[?[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\]?(?![\w:])")
_QUERY = re.compile(r"\?[^\s'\"]+")
# Bytes as read from a client ("No more data after: b'GET /help-now HTTP/1.1...'").
_BYTES = re.compile(r"\bb'(?:[^'\\]|\\.)*'" + r'|\bb"(?:[^"\\]|\\.)*"')


def scrub(text: str) -> str:
    """``text`` without client addresses, query strings or request lines."""
    match = _INVALID_REQUEST.match(text)
    if match:
        # "Invalid HTTP request line: 'GET /x?y HTTP/1.1 z'": keep the kind, not what was sent.
        kind = re.split(r"['\"]", match.group("error"), maxsplit=1)[0].rstrip(" :")
        text = f"Invalid request refused (client address and request withheld): {kind or 'unreadable'}"
    match = _HANDLING.match(text)
    if match:
        text = f"Error handling request {match.group('method') or ''} (path withheld)".replace("  ", " ")
    match = _REQUEST.match(text)
    if match:  # gunicorn's default pre_request hook at debug level: "GET /questions/life_stage"
        text = f"{match.group('method')} (path withheld)"
    text = _BYTES.sub("b'(withheld)'", text)
    text = _QUERY.sub("?(query withheld)", text)
    text = _IPV4.sub("(address withheld)", text)
    return _IPV6.sub("(address withheld)", text)


class ScrubbingFormatter(logging.Formatter):
    """Wraps a handler's formatter: the message and any traceback are scrubbed first."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg, clean.args = scrub(record.getMessage()), None
        if record.exc_info:
            clean.exc_text = scrub(self.inner.formatException(record.exc_info))
        elif record.exc_text:
            clean.exc_text = scrub(record.exc_text)
        if record.stack_info:
            clean.stack_info = scrub(record.stack_info)
        return self.inner.format(clean)


class PrivateLogger(Logger):
    """gunicorn's logger, minus anything that could say who asked for what (module docs)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if not isinstance(handler.formatter, ScrubbingFormatter):
                handler.setFormatter(ScrubbingFormatter(handler.formatter))

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        if atoms.get("m") not in HTTP_METHODS:
            atoms["m"] = "OTHER"  # a made-up method is whatever the client wrote
        return {name: value for name, value in atoms.items() if name in ACCESS_ATOMS}


# --- the settings -----------------------------------------------------------------------


def pre_request(worker: Any, req: Any) -> None:
    """gunicorn's default hook logs "METHOD /path" of every request at debug level: not here."""

wsgi_app = "triage.wsgi:app"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "sync"  # CPU-bound pages: sync and gthread measure the same, sync has the tighter tail
threads = 1  # more than 1 silently turns a sync worker into gthread

# Load the app (and validate the rulebook) once in the master, then fork: a bad
# configuration stops start-up with one message instead of one per worker, and
# the workers share the loaded rulebook's memory.
preload_app = True

# gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default, shared
# by every instance of the same user: not wanted for a web server.
control_socket_disable = True

# Access log: off unless TRIAGE_ACCESS_LOG is set; the route kind, never the path (module docs).
logger_class = PrivateLogger
accesslog = os.environ.get("TRIAGE_ACCESS_LOG") or None
access_log_format = "%(t)s %(p)s %(m)s %({" + ROUTE_KIND + "}e)s %(s)s %(M)sms"
errorlog = "-"
loglevel = "info"

# Request size limits. nginx (deploy/nginx.conf) refuses oversized requests first, with
# its own error page and the security headers: a request line or a header line over
# 4 KB, more than 16 KB of header lines in all (at most 4096 lines of 4 bytes; nginx in
# fact refuses about 1000 lines). gunicorn's own 400/414/431 answers carry no security
# headers, so its limits are set above anything that nginx lets through
# (tests/prod/test_nginx.py); they only bound what reaches gunicorn without nginx.
limit_request_line = 8190  # gunicorn's maximum
limit_request_fields = 4200
limit_request_field_size = 8190
timeout = 30
graceful_timeout = 10
