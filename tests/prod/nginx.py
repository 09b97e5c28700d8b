"""The shipped nginx config (deploy/nginx.conf), run on loopback for the tests.

``render`` changes only ports and paths: the listening ports (bound to
127.0.0.1), the upstream gunicorn ports, the pid, log, temporary and error
page paths, the certificate (a throwaway self-signed one), and the ``user``
line (the tests' own user, who can read the temporary folder). Every other
line is tested exactly as it ships. Each substitution must match the number
of times it is expected to, so a change to the file that the tests no longer
follow fails loudly instead of testing something else.
"""

from __future__ import annotations

import datetime
import os
import pwd
import re
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.servers import PROJECT_ROOT, ServerError, _stop, free_port, nginx_binary

SHIPPED = PROJECT_ROOT / "deploy" / "nginx.conf"
ERROR_PAGES = PROJECT_ROOT / "deploy" / "errors"
SITE_NAME = "triage.example.org"  # server_name in the shipped file


def render(text: str, *, http_port: int, https_port: int, upstreams: Sequence[int], workdir: Path,
           cert: Path, key: Path) -> str:
    """``text`` (the shipped config) with the tests' ports and paths."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server 127.0.0.1:{port};" for port in upstreams)
    substitutions = [
        (r"^user www-data;$", user, 1),
        (r"^pid /run/nginx\.pid;$", f"pid {workdir}/nginx.pid;", 1),
        (r"^error_log /var/log/nginx/error\.log (\w+);$", rf"error_log {workdir}/error.log \1;", 1),
        (r"/var/lib/nginx/(body|proxy|fastcgi|uwsgi|scgi);", rf"{workdir}/\1;", 5),
        (r"^        server 127\.0\.0\.1:8000;$", servers, 1),
        (r"listen 80( default_server)?;", rf"listen 127.0.0.1:{http_port}\1;", 2),
        (r"listen 443 ssl( default_server)?;", rf"listen 127.0.0.1:{https_port} ssl\1;", 2),
        (r"ssl_certificate /etc/ssl/certs/triage\.example\.org\.pem;", f"ssl_certificate {cert};", 1),
        (r"ssl_certificate_key /etc/ssl/private/triage\.example\.org\.key;", f"ssl_certificate_key {key};", 1),
        (r"root /srv/hair-loss-guide/deploy/errors;", f"root {ERROR_PAGES};", 2),
    ]
    for pattern, replacement, count in substitutions:
        text, made = re.subn(pattern, replacement, text, flags=re.M)  # paths hold no backslash
        if made != count:
            raise AssertionError(f"deploy/nginx.conf: {pattern!r} matched {made} times, not {count}")
    return text


def self_signed(workdir: Path, name: str = SITE_NAME) -> tuple[Path, Path]:
    """A throwaway certificate and key for ``name`` (cryptography, no openssl needed)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "site.pem", workdir / "site.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class ShippedNginx:
    """deploy/nginx.conf in front of gunicorn processes on ``upstreams`` (loopback ports)."""

    workdir: Path
    upstreams: Sequence[int]
    http_port: int = 0
    https_port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def conf(self) -> Path:
        return self.workdir / "nginx.conf"

    def log(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 15, attempts: int = 3) -> ShippedNginx:
        binary = nginx_binary()
        if binary is None:
            raise ServerError("nginx not found: apt-get install nginx (make test installs it as root)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        cert, key = self_signed(self.workdir)
        for _ in range(attempts):
            self.http_port, self.https_port = free_port(), free_port()
            self.conf.write_text(render(SHIPPED.read_text(), http_port=self.http_port, https_port=self.https_port,
                                        upstreams=self.upstreams, workdir=self.workdir, cert=cert, key=key))
            startup = self.workdir / "startup.log"
            with open(startup, "wb") as out:
                self.proc = subprocess.Popen(
                    [binary, "-p", str(self.workdir), "-c", str(self.conf), "-e", str(self.workdir / "error.log"),
                     "-g", "daemon off;"],
                    stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                )
            deadline = time.perf_counter() + timeout
            while time.perf_counter() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.http_port), timeout=1), \
                         socket.create_connection(("127.0.0.1", self.https_port), timeout=1):
                        return self
                except OSError:
                    time.sleep(0.02)
            self.stop()
            text = startup.read_text(errors="replace") + self.log()
            if "Address already in use" not in text:
                raise ServerError(f"nginx did not start:\n{text}")
        raise ServerError(f"nginx did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, signal.SIGQUIT)

    def __enter__(self) -> ShippedNginx:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()
