"""Installing anywhere: where the shipped folders are found, the one default rules folder,
the build stamp that dates the rules without git at load, and the packaging that ships them.

tests/install/test_wheel.py builds the real wheel and serves every page kind from it.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import tomllib
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from triage import create_app, paths
from triage.config import config_from_env
from triage.rulebook import default_rules_dir, load_rulebook
from triage.rulebook import stamp as stamp_module
from triage.rulebook.stamp import STAMP_FILE, build_date, file_hashes, stamped_date, write_stamp

REPO = Path(__file__).resolve().parents[2]
OLD = datetime(2025, 3, 1, 12, tzinfo=timezone.utc).timestamp()
NEW = datetime(2026, 2, 14, 23, 30, tzinfo=timezone.utc).timestamp()


def set_times(root: Path, when: float) -> None:
    for path in root.rglob("*.yaml"):
        os.utime(path, (when, when))


def git(root: Path, *args: str, when: str = "2025-06-30T10:00:00+00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", "-c", "safe.directory=*", "-C", str(root), *args], check=True, env=env, capture_output=True)


# --- the shipped folders and the one default rules folder --------------------------------------


def test_in_a_checkout_the_shipped_folders_are_the_repository_folders(monkeypatch):
    monkeypatch.delenv("TRIAGE_RULES_DIR", raising=False)
    assert paths.templates_folder() == REPO / "templates"
    assert paths.static_folder() == REPO / "static"
    assert default_rules_dir() == paths.shipped_folder("rules") == REPO / "rules"
    app = create_app({"TESTING": True})
    assert Path(app.template_folder) == REPO / "templates"
    assert Path(app.static_folder) == REPO / "static"
    assert app.extensions["rulebook"].root == REPO / "rules"


def test_an_installed_package_uses_its_own_copy(monkeypatch, tmp_path):
    package = tmp_path / "site-packages" / "triage"
    for name in paths.SHIPPED:
        (package / name).mkdir(parents=True)
    monkeypatch.setattr(paths, "_package", lambda: package.resolve())
    assert paths.templates_folder() == package.resolve() / "templates"
    assert paths.static_folder() == package.resolve() / "static"
    assert paths.default_rules_dir({}) == package.resolve() / "rules"


def test_only_the_shipped_folders_are_asked_for():
    with pytest.raises(ValueError, match="templates, static, rules"):
        paths.shipped_folder("tests")


def test_triage_rules_dir_overrides_everywhere(monkeypatch, rules_min):
    # The app's configuration, the loader and the CLI all ask default_rules_dir.
    assert default_rules_dir is paths.default_rules_dir
    assert config_from_env({})["RULES_DIR"] == str(REPO / "rules")
    assert config_from_env({"TRIAGE_RULES_DIR": ""})["RULES_DIR"] == str(REPO / "rules")
    assert config_from_env({"TRIAGE_RULES_DIR": str(rules_min)})["RULES_DIR"] == str(rules_min)
    monkeypatch.setenv("TRIAGE_RULES_DIR", str(rules_min))
    assert default_rules_dir() == rules_min
    assert load_rulebook().root == rules_min
    assert create_app({"TESTING": True}).extensions["rulebook"].root == rules_min


# --- the build stamp: the rules' date without git at load -----------------------------------------


def test_the_stamp_dates_exactly_the_files_it_was_written_for(rules_copy, tmp_path):
    set_times(rules_copy.root, OLD)
    hashes = file_hashes(rules_copy.root)
    assert hashes == dict(rules_copy.load().file_hashes)  # the same files the loader hashes
    (rules_copy.root / STAMP_FILE).write_text(json.dumps({"updated": "2024-05-06", "rule_files": hashes}))
    assert rules_copy.load().updated == date(2024, 5, 6)
    # reviews.yaml is not a rule file: recording a review keeps the stamp
    (rules_copy.root / "reviews.yaml").write_text("reviews: []\n")
    assert rules_copy.load().updated == date(2024, 5, 6)

    # Any edit: the stamp is for other bytes, so the files' own dates count again.
    path = rules_copy.root / "types" / "tinea_capitis.yaml"
    path.write_text(path.read_text() + "\n")
    os.utime(path, (NEW, NEW))
    assert rules_copy.load().updated == date(2026, 2, 14)


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[]", '{"updated": "2024-05-06"}', '{"updated": "06/05/2024", "rule_files": {}}', '{"rule_files": {}}'],
)
def test_a_broken_or_foreign_stamp_is_ignored(rules_copy, content):
    set_times(rules_copy.root, OLD)
    (rules_copy.root / STAMP_FILE).write_text(content)
    assert stamped_date(rules_copy.root, file_hashes(rules_copy.root)) is None
    assert rules_copy.load().updated == date(2025, 3, 1)


def test_the_build_dates_the_rules_by_the_last_commit_in_a_clean_checkout(rules_copy, tmp_path):
    # A fresh clone gives every file the clone's time; the commit date is what changed.
    set_times(rules_copy.root, NEW)
    git(rules_copy.root, "init", "-q")
    git(rules_copy.root, "add", ".")
    git(rules_copy.root, "commit", "-q", "-m", "rules")
    assert build_date(rules_copy.root) == date(2025, 6, 30)

    # A review recorded since, uncommitted, is not a change to the rules.
    (rules_copy.root / "reviews.yaml").write_text("reviews: []\n")
    assert build_date(rules_copy.root) == date(2025, 6, 30)

    target = tmp_path / "build" / "triage" / "rules"
    assert write_stamp(rules_copy.root, target) == date(2025, 6, 30)
    written = json.loads((target / STAMP_FILE).read_text())
    assert written["updated"] == "2025-06-30" and written["rule_files"] == file_hashes(rules_copy.root)
    assert not (rules_copy.root / STAMP_FILE).exists()

    # An uncommitted edit: the newest file's own day, not the old commit's.
    set_times(rules_copy.root, OLD)
    path = rules_copy.root / "types" / "tinea_capitis.yaml"
    path.write_text(path.read_text() + "\n")
    os.utime(path, (NEW, NEW))
    assert build_date(rules_copy.root) == date(2026, 2, 14)


def test_a_wheel_built_from_an_sdist_keeps_the_sdists_stamp(rules_copy, tmp_path, monkeypatch):
    # The sdist has no .git; its stamp (written from the checkout) still holds for its files.
    set_times(rules_copy.root, NEW)
    (rules_copy.root / STAMP_FILE).write_text(
        json.dumps({"updated": "2025-01-02", "rule_files": file_hashes(rules_copy.root)})
    )
    monkeypatch.setattr(stamp_module, "committed_date", lambda root: pytest.fail("asked git although stamped"))
    assert write_stamp(rules_copy.root, tmp_path / "wheel") == date(2025, 1, 2)


# --- the packaging ------------------------------------------------------------------------------


def test_pyproject_ships_every_folder_and_file_of_templates_static_and_rules():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages, package_dir, package_data = config["packages"], config["package-dir"], config["package-data"]
    for name in paths.SHIPPED:
        top = REPO / name
        assert package_dir[f"triage.{name}"] == name
        folders = [top] + sorted(p for p in top.rglob("*") if p.is_dir() and p.name != "__pycache__")
        for folder in folders:
            package = ".".join(["triage", name, *folder.relative_to(top).parts])
            assert package in packages, f"pyproject.toml: add {package!r} to [tool.setuptools] packages"
        shipped = {Path(p) for pattern in package_data[f"triage.{name}"] for p in glob.glob(str(top / pattern), recursive=True)}
        files = {p for p in top.rglob("*") if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}
        missing = sorted(str(p.relative_to(REPO)) for p in files - shipped)
        assert not missing, f"pyproject.toml [tool.setuptools.package-data] does not ship: {missing}"
    python_packages = sorted(".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "triage").rglob("__init__.py"))
    assert set(python_packages) <= set(packages), "pyproject.toml: list every package of triage/"
