"""Changed copies of the fixture rulebook, and a git repository that holds two releases of it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.helpers.rules import RULES_MIN, RulesCopy

NEW_TYPE = """\
id: frontal_example
name: Example frontal type
summary: A made-up type that the diff must list as added.
threshold: 2
care_level: routine
evidence:
  - when: {pattern: temples_crown}
    points: 2
    because: You said the thinning is at the temples or crown.
sources:
  - title: Example source A
    url: https://example.org/fa
  - title: Example source B
    url: https://example.org/fb
"""


def make_new(root: Path) -> RulesCopy:
    """A copy of the fixture with one change of each kind."""
    shutil.copytree(RULES_MIN, root)
    new = RulesCopy(root)
    aa, phl, tc = "types/alopecia_areata.yaml", "types/pattern_hair_loss.yaml", "types/tinea_capitis.yaml"
    new.edit(aa, "threshold: 5", "threshold: 6")                                    # threshold
    new.edit(aa, "points: 4", "points: 5")                                          # points
    new.edit(aa, "You said the skin in the patches looks normal.",                  # patient-facing text
             "You said the skin in the bald patches looks normal.")
    new.edit(tc, "care_level: soon", "care_level: urgent")                          # care level
    new.edit(phl, "age: {at_least: 18}", "age: {at_least: 16}")                     # condition
    new.edit(phl, "  - title: Example source two\n    url: https://example.org/phl2\n",  # source removed and added
             "  - title: Example source three\n    url: https://example.org/phl3\n")
    new.edit(tc, "  - when:\n      scalp: {answered: false}\n    points: -1\n    because: Nothing was said about the scalp.\n", "")  # evidence removed
    new.edit("questions.yaml", "      - value: not_sure\n        label: Not sure\n\n  - id: scalp",  # option added
             "      - value: not_sure\n        label: Not sure\n      - value: broken_hairs\n        label: Short broken hairs\n\n  - id: scalp")
    new.edit("questions.yaml", "text: Have you had a fever?", "text: Have you had a high temperature?")
    new.edit("red_flags.yaml", "message: A soft swollen lump on the scalp should be seen by a doctor within days.",
             "message: A soft swollen lump on the scalp needs a doctor within days.")
    text = new.text("red_flags.yaml")                                               # red flag removed
    new.write("red_flags.yaml", text[: text.index("\n  - id: unwell_child")] + "\n")
    new.edit("cases/basic.yaml", "red_flags: [kerion, unwell_child]", "red_flags: [kerion]")
    new.write("types/frontal_example.yaml", NEW_TYPE)                               # type added
    return new


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def make_repo(tmp_path: Path) -> Path:
    """A git repository whose rules/ folder is the fixture at tag v1 (with the retired review block) and the edited copy now."""
    repo = tmp_path / "project"
    rules = repo / "rules"
    shutil.copytree(RULES_MIN, rules)
    # v1 is an old release: its type files still had the typed review block, since retired.
    aa = rules / "types" / "alopecia_areata.yaml"
    aa.write_text(aa.read_text() + "review:\n  status: draft\n  reviewer: null\n  date: null\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "release 1")
    git(repo, "tag", "v1")
    shutil.rmtree(rules)
    make_new(rules)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new rules")
    return repo
