"""Scale-out: processes share nothing but the secret key.

Two separate gunicorn instances (one worker each, the production settings,
the same TRIAGE_SECRET_KEY and nothing else in common) serve one person's
journey, first with every request going to the other process than the one
before, then behind the shipped nginx config (deploy/nginx.conf, with only
its ports and paths changed) as a round-robin load balancer, addressed by the
site's name. The journey must
reach the right result either way, and each process's own access log must
show that both did the work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup

from bench.client import Client, walk
from bench.servers import Gunicorn
from tests.helpers.prod import PROD_ENV
from tests.prod.clients import HostClient
from tests.prod.nginx import SITE_NAME, ShippedNginx

pytestmark = pytest.mark.scaleout

# An access-log line (triage/gunicorn_conf.py): time, worker, method, kind of page, status, duration.
REQUEST_LINE = re.compile(r"<\d+> (GET|POST|HEAD|OTHER) (\S+) (\d{3}) \d+ms$", re.M)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory) -> Iterator[list[Gunicorn]]:
    root = tmp_path_factory.mktemp("scaleout")
    servers = [
        Gunicorn(root / name, name=name, workers=1, env=PROD_ENV, access_log=root / f"{name}-access.log")
        for name in ("process-a", "process-b")
    ]
    try:
        for server in servers:  # start both at once, then wait for both
            server.spawn()
        for server in servers:
            server.wait()
        yield servers
    finally:
        for server in servers:
            server.stop()


def served(server: Gunicorn) -> list[tuple[str, str, int]]:
    """(method, kind of page, status) of every request in this process's access log."""
    text = server.access_log.read_text() if server.access_log.exists() else ""
    return [(m.group(1), m.group(2), int(m.group(3))) for m in REQUEST_LINE.finditer(text)]


def suggestions(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [re.sub(r"^\d+\.\s*", "", h.get_text(" ", strip=True)) for h in soup.select(".suggestion h3")]


def finish(client: Client, app, patch_answers) -> list[str]:
    final, asked = walk(client, app.extensions["rulebook"], patch_answers)
    assert final == "/check-answers"
    assert len(asked) >= 10
    assert client.get("/check-answers").status == 200
    result = client.get("/result")
    assert result.status == 200
    return suggestions(result.body)


def test_each_request_to_the_other_process(two_processes, app, patch_answers):
    a, b = two_processes
    before = {s.name: len(served(s)) for s in two_processes}
    client = Client([a.url, b.url])  # request 1 to a, 2 to b, 3 to a, ...
    assert "Alopecia areata" in finish(client, app, patch_answers)[:3]

    # Every answer was posted to one process and the next page read from the other.
    posts = [i for i, (_, method, _, _) in enumerate(client.log) if method == "POST"]
    assert posts and all(client.log[i][0] != client.log[i + 1][0] for i in posts)
    assert all(status < 400 for *_, status in client.log)
    for server in two_processes:
        count = len(served(server)) - before[server.name]
        assert count >= len(client.log) // 2, (server.name, count, len(client.log))


def test_behind_nginx_round_robin(two_processes, app, patch_answers, nginx, tmp_path):
    a, b = two_processes
    before = {s.name: len(served(s)) for s in two_processes}
    with ShippedNginx(tmp_path / "nginx", [a.port, b.port]) as balancer:
        client = HostClient(balancer.url, host=SITE_NAME)
        assert "Alopecia areata" in finish(client, app, patch_answers)[:3]
        total = len(client.log)
    assert all(status < 400 for *_, status in client.log)
    shares = {s.name: len(served(s)) - before[s.name] for s in two_processes}
    assert sum(shares.values()) == total, shares
    # Round robin: each process served about half of the journey. (Strict turns put
    # every POST on one process and every page after a POST on the other, which is
    # the point: what one process wrote, the other read.)
    for count in shares.values():
        assert abs(count - total / 2) <= 2, shares
