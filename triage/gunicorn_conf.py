"""gunicorn settings for production (``make serve``, the load test and ``make bench`` use them).

    gunicorn -c python:triage.gunicorn_conf --bind 127.0.0.1:8000 triage.wsgi:app

Environment variables:

- ``WEB_CONCURRENCY``: worker processes (default 2; about one per core).
  Workers share nothing but the secret key, so more processes or machines
  behind a load balancer scale the app out.
- ``TRIAGE_ACCESS_LOG``: where to write an access log (a file path, or ``-``
  for stdout). Off by default. The format never has a query string, a
  cookie, a referrer or a request body in it, and no client address either:
  answers are only ever POSTed, and even the fact that someone used a
  hair-loss tool is nobody's business.

Command-line flags win over these settings (``--workers 1``, ``--bind``).
"""

from __future__ import annotations

import os

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

# Access log: off unless TRIAGE_ACCESS_LOG is set; path only (%(U)s), never %(r)s or %(q)s.
accesslog = os.environ.get("TRIAGE_ACCESS_LOG") or None
access_log_format = '%(t)s %(p)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"

# Every form here is a handful of radios; a longer request line or header is not ours.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
timeout = 30
graceful_timeout = 10
