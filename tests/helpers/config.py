"""The Flask settings every test app starts from."""

from __future__ import annotations

TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-secret"}
