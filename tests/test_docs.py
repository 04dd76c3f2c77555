"""The docs say true things: every test the bad-input catalogue names exists, and .ci/run
runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bad_input_catalogue_names_real_tests():
    text = (ROOT / "docs" / "bad_inputs.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line.rsplit("|", 2)[-2]]
    assert len(rows) >= 40
    for row in rows:
        cell = row.rsplit("|", 2)[-2]
        current = None
        for ref in re.findall(r"`([^`]+)`", cell):
            if ref.endswith(".py"):
                assert (ROOT / "tests" / ref).exists(), ref
                continue
            file, _, name = ref.rpartition("::") if "::" in ref else (None, None, ref)
            current = file or current
            source = (ROOT / "tests" / current).read_text(encoding="utf-8")
            assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{ref} named in docs/bad_inputs.md"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", setup)
    assert len(commands) == 2 and "localities demo" in commands[0] and "pytest" in commands[1]
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
