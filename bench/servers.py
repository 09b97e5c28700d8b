"""Start gunicorn, nginx and wrk on loopback, each bounded in time and always stopped.

Used by ``make bench`` and by the production tests (tests/prod/). Everything
binds 127.0.0.1 only. gunicorn binds port 0 and reports the port the kernel
chose, so there is no race for a free port; nginx cannot report its port, so
``free_port`` picks one and the start is retried if another process took it.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
_BOOTED = re.compile(r"Booting worker with pid: (\d+)")


class ServerError(RuntimeError):
    """A server did not start; the message ends with its log."""


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without TRIAGE_* and WEB_CONCURRENCY, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_") and k != "WEB_CONCURRENCY"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str = "/", timeout: float = 2.0, host: str | None = None) -> int:
    """The status of one GET on loopback (sent as ``Host: host`` when given), or 0 when nothing answers in time."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host} if host else {})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@dataclass
class Gunicorn:
    """gunicorn with the production settings (triage/gunicorn_conf.py) on a loopback port.

    ``start`` returns once every worker has booted and ``ready_path`` answers
    200: load sent before the second worker boots all lands on the first one.
    """

    workdir: Path
    name: str = "gunicorn"
    app: str = "triage.wsgi:app"
    workers: int = 2
    env: Mapping[str, str] = field(default_factory=dict)
    access_log: Path | None = None
    ready_path: str = "/"
    port: int = 0
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    first_200_after: float = 0.0  # seconds from spawn to the first 200
    ready_after: float = 0.0  # ... and to every worker booted

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout: float = 30) -> Gunicorn:
        """Spawn and wait until ready (see ``spawn`` and ``wait`` to start several at once)."""
        self.spawn()
        return self.wait(timeout)

    def spawn(self) -> Gunicorn:
        cmd = [
            sys.executable, "-m", "gunicorn",
            "-c", "python:triage.gunicorn_conf",
            "--no-control-socket",
            "--workers", str(self.workers),
            "--bind", "127.0.0.1:0",
        ]
        if self.access_log is not None:
            cmd += ["--access-logfile", str(self.access_log)]
        cmd.append(self.app)
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(
                cmd, cwd=PROJECT_ROOT, env=clean_env(self.env), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return self

    def wait(self, timeout: float = 30) -> Gunicorn:
        try:
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self, timeout: float) -> None:
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise ServerError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            text = self.log()
            if not self.port and (match := _LISTENING.search(text)):
                self.port = int(match.group(1))
            if self.port and not self.first_200_after and http_get(self.port, self.ready_path) == 200:
                self.first_200_after = time.perf_counter() - self.started_at
            if self.first_200_after and len(set(_BOOTED.findall(text))) >= self.workers:
                self.ready_after = time.perf_counter() - self.started_at
                return
            time.sleep(0.01)
        raise ServerError(f"{self.name} not ready after {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)

    def __enter__(self) -> Gunicorn:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


NGINX_CONF = """\
# A throwaway round-robin load balancer for tests: loopback only, every path in {root}.
worker_processes 1;
daemon off;
master_process on;
{user}
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream triage {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://triage;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream off;
            proxy_connect_timeout 5s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


@dataclass
class Nginx:
    """nginx as a round-robin load balancer in front of ``upstreams`` (host:port each)."""

    workdir: Path
    upstreams: Sequence[str]
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 15, attempts: int = 3) -> Nginx:
        binary = nginx_binary()
        if binary is None:
            raise ServerError("nginx not found: apt-get install nginx (make test installs it as root)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        # As root the workers would switch to 'nobody', who cannot use these temporary paths.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
        for _ in range(attempts):
            self.port = free_port()
            conf = self.workdir / "nginx.conf"
            conf.write_text(
                NGINX_CONF.format(
                    root=self.workdir,
                    user=user,
                    port=self.port,
                    servers="\n".join(f"        server {u};" for u in self.upstreams),
                )
            )
            self.proc = subprocess.Popen(
                [binary, "-p", str(self.workdir), "-c", str(conf), "-e", str(self.workdir / "error.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
            )
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return self
                except OSError:
                    time.sleep(0.02)
            self.stop()
            if "Address already in use" not in self.log():
                break
        raise ServerError(f"nginx did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, signal.SIGQUIT)  # graceful: finish what is in flight

    def __enter__(self) -> Nginx:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- wrk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request for wrk to send, and the status it must get (checked once before the load)."""

    path: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    expect: int = 200

    def check(self, port: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(self.method, self.path, body=self.body, headers=dict(self.headers))
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        if response.status != self.expect:
            raise ServerError(f"{self.method} {self.path}: {response.status}, expected {self.expect}")


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    output: str

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def lua_script(requests: Iterable[Request]) -> str:
    """A wrk script that sends ``requests`` in turn, over and over, on every connection."""
    specs = []
    for r in requests:
        headers = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r.headers.items())
        body = _lua_string(r.body) if r.body is not None else "nil"
        specs.append(f"  {{{_lua_string(r.method)}, {_lua_string(r.path)}, {{{headers}}}, {body}}},")
    return (
        "local specs = {\n" + "\n".join(specs) + "\n}\n"
        "local reqs = {}\n"
        "local i = 0\n"
        "init = function(args)\n"
        "  for n, s in ipairs(specs) do reqs[n] = wrk.format(s[1], s[2], s[3], s[4]) end\n"
        "end\n"
        "request = function()\n"
        "  i = i % #reqs + 1\n"
        "  return reqs[i]\n"
        "end\n"
    )


def wrk_binary() -> str | None:
    return shutil.which("wrk")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if not (total and rps and p50 and p99):
        raise ValueError(f"cannot read wrk's output:\n{output}")
    return WrkResult(
        requests=int(total.group(1)),
        seconds=_ms(total.group(2) + total.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()), strict=False))
        if sock
        else {},
        output=output,
    )


def run_wrk(
    url: str,
    requests: Sequence[Request] | None = None,
    *,
    seconds: float = 5,
    connections: int = 16,
    threads: int = 2,
    workdir: Path,
) -> WrkResult:
    """Run wrk against ``url`` (loopback only) for ``seconds``, cycling through ``requests``."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load is only ever sent to 127.0.0.1")
    binary = wrk_binary()
    if binary is None:
        raise ServerError("wrk not found: apt-get install wrk (make test and make bench install it as root)")
    seconds = max(1, round(seconds))
    cmd = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if requests:
        for r in requests:  # a 302 to the first question would pass for a 200 under load
            r.check(int(url.rsplit(":", 1)[1].split("/", maxsplit=1)[0]))
        text = lua_script(requests)
        script = workdir / f"wrk-{hashlib.sha1(text.encode()).hexdigest()[:12]}.lua"
        script.write_text(text)
        cmd += ["-s", str(script)]
    cmd.append(url)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30, check=False)
    if done.returncode != 0 or done.stderr.strip():  # wrk runs on, without the script, if it does not load
        raise ServerError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout)
