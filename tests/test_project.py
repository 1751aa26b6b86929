"""The promises the README makes about the project itself."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.+?)\n```", readme)[:2]


def test_readme_opens_with_exactly_two_setup_commands():
    demo, test = _readme_commands()
    assert demo.endswith("revdesk demo")
    assert test.endswith("scripts/test")


def test_ci_runs_the_readme_test_command_unchanged():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    _, test = _readme_commands()
    assert test in ci
