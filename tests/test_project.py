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


def test_every_link_between_the_docs_leads_somewhere():
    """Relative links in README.md and docs/ (pages and pictures) point at files that exist."""
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []
