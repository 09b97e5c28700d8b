"""One build step beyond pyproject.toml (where everything else is): the rules' build stamp.

A wheel installed by pip gives every file the time it was installed, so the day the rule
files last changed is worked out when the wheel (or an sdist) is built and written beside
them as ``triage/rules/build-stamp.json`` (see triage/rulebook/stamp.py). Loading the
rules then never needs git. An editable install reads the repository's rules folder
itself, by its files' own dates, and gets no stamp.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
RULES = HERE / "rules"


def _stamp():
    """triage/rulebook/stamp.py, loaded by path: the build has none of the app's dependencies."""
    spec = importlib.util.spec_from_file_location("_triage_build_stamp", HERE / "triage" / "rulebook" / "stamp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithStamp(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            _stamp().write_stamp(RULES, Path(self.build_lib) / "triage" / "rules")


class SdistWithStamp(sdist):
    def make_release_tree(self, base_dir, files) -> None:
        super().make_release_tree(base_dir, files)
        _stamp().write_stamp(RULES, Path(base_dir) / "rules")


setup(cmdclass={"build_py": BuildPyWithStamp, "sdist": SdistWithStamp})
