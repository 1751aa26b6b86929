"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys

SHOW = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE]))"
)


def _run(tmp_path, script=SHOW, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REVDESK_")}
    clean.pop("DATABASE_URL", None)
    clean.update(DJANGO_SETTINGS_MODULE="revdesk.settings", REVDESK_HOME=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", script], env=clean, capture_output=True, text=True, timeout=60
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _run(tmp_path, REVDESK_ENV="production", REVDESK_ALLOWED_HOSTS="revdesk.example")
    assert result.returncode != 0
    assert result.stdout == ""
    assert (
        "django.core.exceptions.ImproperlyConfigured: REVDESK_SECRET_KEY must be set when "
        "REVDESK_ENV=production." in result.stderr
    )


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    result = _run(tmp_path, REVDESK_ENV="production", REVDESK_SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "REVDESK_ALLOWED_HOSTS must be set when REVDESK_ENV=production." in result.stderr


def test_production_with_its_secrets_starts_with_safe_defaults(tmp_path):
    result = _run(
        tmp_path,
        REVDESK_ENV="production",
        REVDESK_SECRET_KEY="s" * 50,
        REVDESK_ALLOWED_HOSTS="revdesk.example, other.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[false, ["revdesk.example", "other.example"], true]'


def test_development_needs_nothing(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '[false, ["localhost", "127.0.0.1", "[::1]", "testserver"], false]'
    )


HTTPS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, "
    "settings.SECURE_PROXY_SSL_HEADER]))"
)


def _https(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("REVDESK_")}
    clean.pop("DATABASE_URL", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="revdesk.settings",
        REVDESK_HOME=str(tmp_path),
        REVDESK_ENV="production",
        REVDESK_SECRET_KEY="s" * 50,
        REVDESK_ALLOWED_HOSTS="revdesk.example",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", HTTPS], env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_is_https_only_and_trusts_no_forwarded_header_by_default(tmp_path):
    assert _https(tmp_path) == "[true, 31536000, null]"


def test_a_proxy_that_terminates_tls_is_trusted_only_when_declared(tmp_path):
    assert _https(tmp_path, REVDESK_BEHIND_PROXY="1") == (
        '[true, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"]]'
    )
    assert _https(tmp_path, REVDESK_SSL_REDIRECT="0", REVDESK_HSTS_SECONDS="0") == (
        "[false, 0, null]"
    )


COMPANY = (
    "import django; from django.conf import settings; django.setup(); "
    "print(repr(settings.REVDESK_COMPANY_NAME))"
)


def test_the_company_on_statements_is_read_from_the_environment(tmp_path):
    def company(**env) -> str:
        result = _run(tmp_path, COMPANY, **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert company() == "'Revdesk'"
    assert company(REVDESK_COMPANY_NAME="  ") == "'Revdesk'"
    assert company(REVDESK_COMPANY_NAME=" Acme Power & Co ") == "'Acme Power & Co'"


CONNECTIONS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "d = settings.DATABASES['default']; "
    "print(json.dumps([d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
)


def test_a_web_thread_keeps_its_postgresql_connection(tmp_path):
    """Opening a PostgreSQL connection for every request cost a server process each time."""
    url = "postgres://revdesk@db.example:5432/revdesk"
    kept = _run(tmp_path, CONNECTIONS, DATABASE_URL=url)
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.strip() == '["django.db.backends.postgresql", 600, true]'
    every_request = _run(tmp_path, CONNECTIONS, DATABASE_URL=url, REVDESK_CONN_MAX_AGE="0")
    assert every_request.stdout.strip() == '["django.db.backends.postgresql", 0, true]'
