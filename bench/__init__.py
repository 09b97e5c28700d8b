"""The benchmark (``make bench``) and the helpers it shares with the production tests:
starting gunicorn and nginx on loopback, driving wrk, and a small HTTP client."""
