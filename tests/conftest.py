"""Shared fixtures, and the PostgreSQL pass.

With DATABASE_URL pointing at PostgreSQL the whole suite runs there. If that server cannot be
reached, every database test is skipped with the reason -- unless REVDESK_REQUIRE_POSTGRES=1
(as in .ci/run), where the run fails instead: CI must never skip the PostgreSQL pass.
"""

import os
import shutil

import pytest

from revdesk.testing import PASSWORD, ledger_build, world_build


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _postgres_unreachable_reason() -> str | None:
    url = _postgres_url()
    if url is None:
        return None
    import psycopg

    try:
        with psycopg.connect(url.replace("postgresql://", "postgres://", 1), connect_timeout=5):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL at {url} is not reachable: {error}".strip()


_POSTGRES_PROBLEM = _postgres_unreachable_reason()


def pytest_report_header(config):
    url = _postgres_url()
    return f"database: {'PostgreSQL ' + url if url else 'SQLite (in memory)'}"


def pytest_collection_modifyitems(config, items):
    _browser_tests_need_chromium(items)
    _spark_tests_run_once(items)
    if _POSTGRES_PROBLEM is None:
        return
    if os.environ.get("REVDESK_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(
            f"{_POSTGRES_PROBLEM} -- REVDESK_REQUIRE_POSTGRES=1 forbids skipping these tests."
        )
    skip = pytest.mark.skip(reason=_POSTGRES_PROBLEM)
    for item in items:
        if "django_db" in item.keywords or "db" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Test users need no strong hashes; the production hasher takes ~0.5 s per user.

    The production hasher stays second, so hashes made outside a test (the demo company,
    built once per module) still verify.
    """
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (pages keep what they worked out there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """A small organisation: see revdesk.testing.World."""
    return world_build()


@pytest.fixture
def ledger(world):
    """Orders, invoices and payments on the world: see revdesk.testing.ledger_build."""
    return ledger_build(world)


@pytest.fixture
def password():
    return PASSWORD


def _browser_tests_need_chromium(items) -> None:
    """Browser tests drive Debian's Chromium; without it they skip (CI: fail)."""
    if shutil.which("chromium"):
        return
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items:
        return
    reason = "Chromium is not installed (apt-get install -y chromium)"
    if os.environ.get("REVDESK_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"{reason} -- REVDESK_REQUIRE_BROWSER=1 forbids skipping them.")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


def _spark_tests_run_once(items) -> None:
    """The Spark parity tests run in the SQLite pass only (the engine touches no database, so
    the PostgreSQL pass would repeat them to the letter). Without PySpark or Java they skip
    (with REVDESK_REQUIRE_SPARK=1, as in CI, they fail)."""
    spark_items = [item for item in items if "spark" in item.keywords]
    if not spark_items:
        return
    if _postgres_url():
        reason = "the Spark parity tests run once, in the SQLite pass (the engine uses no database)"
    else:
        from revdesk.engine.backend import spark_problem

        reason = spark_problem()
        if reason is None:
            return
        if os.environ.get("REVDESK_REQUIRE_SPARK") == "1":
            raise pytest.UsageError(f"{reason} -- REVDESK_REQUIRE_SPARK=1 forbids skipping them.")
    for item in spark_items:
        item.add_marker(pytest.mark.skip(reason=reason))
