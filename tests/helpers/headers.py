"""The security headers every page must carry (CSP, nosniff, referrer, framing, permissions, caching, HSTS)."""

from __future__ import annotations

CSP_REQUIRED = {
    "default-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
PERMISSIONS_OFF = ("camera", "microphone", "geolocation", "interest-cohort", "browsing-topics", "payment", "usb")


def csp_directives(value: str) -> dict[str, str]:
    directives = {}
    for part in value.split(";"):
        name, _, rest = part.strip().partition(" ")
        if name:
            directives[name] = rest.strip()
    return directives


def assert_security_headers(response, *, no_store: bool = True, hsts: bool = False) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = csp_directives(csp)
    for name, value in CSP_REQUIRED.items():
        assert directives.get(name) == value, f"CSP {name}: {directives.get(name)!r} in {csp!r}"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "data:" not in csp and "http" not in csp and "*" not in csp  # nothing from elsewhere
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"
    assert headers.get("X-Frame-Options") == "DENY"
    permissions = headers.get("Permissions-Policy", "")
    for feature in PERMISSIONS_OFF:
        assert f"{feature}=()" in permissions, f"{feature} not turned off: {permissions!r}"
    if no_store:
        assert headers.get("Cache-Control") == "no-store", headers.get("Cache-Control")
    if hsts:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age=")
    else:
        assert "Strict-Transport-Security" not in headers
