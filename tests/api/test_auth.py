"""Authentication: bearer tokens (hash only stored), the browser session with CSRF, the CLI."""

import datetime as dt
import hashlib
import json

from django.test import Client
from django.utils import timezone

from revdesk.cli import main
from revdesk.foundation.models import ApiToken, ChangeRecord
from revdesk.foundation.services import api_token_create
from revdesk.parties.models import Customer
from revdesk.testing import PASSWORD

NO_CREDENTIALS = {
    "detail": "Sign in, or send `Authorization: Bearer <token>` "
    "(create a token with `revdesk token create USER`)."
}
REFUSED_TOKEN = {
    "detail": "The API token was not accepted: it is unknown, expired, or its user is "
    "inactive. Create a new one with `revdesk token create USER`."
}


def _get(path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, headers=headers)


def test_without_credentials_every_endpoint_is_401(world):
    for path in (
        "/api/me",
        "/api/customers",
        f"/api/customers/{world.customer_east.pk}",
        "/api/payees",
        "/api/distributors",
        "/api/territories",
        "/api/products",
        "/api/orders",
        "/api/invoices",
        "/api/payments",
    ):
        response = _get(path)
        assert (path, response.status_code, response.json()) == (path, 401, NO_CREDENTIALS)


def test_a_wrong_token_is_401(world):
    response = _get("/api/customers", token="not-a-token")
    assert (response.status_code, response.json()) == (401, REFUSED_TOKEN)


def test_an_expired_token_is_401_and_a_live_one_works(world):
    user = world.users["collector"]
    _, expired = api_token_create(
        user=user, name="old", actor=None, expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _, live = api_token_create(
        user=user, name="new", actor=None, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    refused = _get("/api/customers", token=expired)
    accepted = _get("/api/customers", token=live)
    assert (refused.status_code, refused.json()) == (401, REFUSED_TOKEN)
    assert accepted.status_code == 200
    assert [c["code"] for c in accepted.json()["items"]] == ["C-1000", "C-1001"]
    used = dict(ApiToken.objects.values_list("name", "last_used_at"))
    assert used["old"] is None
    assert used["new"] is not None


def test_the_token_of_an_inactive_user_is_401(world):
    user = world.users["collector"]
    _, raw = api_token_create(user=user, name="t", actor=None)
    user.is_active = False
    user.save()
    response = _get("/api/me", token=raw)
    assert (response.status_code, response.json()) == (401, REFUSED_TOKEN)


def test_a_wrong_token_on_a_patch_is_401_and_writes_nothing(world):
    response = Client().patch(
        f"/api/customers/{world.customer_east.pk}",
        {"name": "Hacked"},
        content_type="application/json",
        headers={"Authorization": "Bearer nope"},
    )
    assert (response.status_code, response.json()) == (401, REFUSED_TOKEN)
    assert Customer.objects.get(pk=world.customer_east.pk).name == "Acme Data Centers"
    assert not ChangeRecord.objects.filter(object_id=str(world.customer_east.pk)).exists()


def test_only_the_hash_of_a_token_is_stored(world):
    token, raw = api_token_create(user=world.users["rep"], name="excel", actor=None)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["key_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert stored["prefix"] == raw[:8]
    assert raw not in json.dumps(stored, default=str).replace(raw[:8], "", 1)


def test_cli_token_create_prints_a_working_key_once(world, capsys):
    assert main(["token", "create", "rep_west", "--name", "power-query"]) == 0
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(name="power-query")
    assert token.user == world.users["rep_west"]
    assert token.key_hash == ApiToken.hash_key(raw)
    response = _get("/api/customers", token=raw)
    assert [c["code"] for c in response.json()["items"]] == ["C-2000"]


def test_cli_token_create_can_expire(world, capsys):
    before = timezone.now()
    assert main(["token", "create", "rep", "--name", "month", "--expires-days", "30"]) == 0
    capsys.readouterr()
    expires_at = ApiToken.objects.get(name="month").expires_at
    assert before + dt.timedelta(days=30) <= expires_at <= timezone.now() + dt.timedelta(days=30)
    assert main(["token", "create", "rep", "--expires-days", "0"]) == 1
    assert capsys.readouterr().out.strip() == "--expires-days must be 1 or more, got 0."
    assert ApiToken.objects.count() == 1


def test_cli_token_create_for_an_unknown_user_fails_and_creates_nothing(world, capsys):
    assert main(["token", "create", "nobody"]) == 1
    assert capsys.readouterr().out.strip() == "No user named 'nobody'."
    assert not ApiToken.objects.exists()


def test_a_signed_in_browser_can_read_the_api(world):
    client = Client()
    assert client.login(username="collector", password=PASSWORD)
    response = client.get("/api/customers")
    assert response.status_code == 200
    assert sorted(c["code"] for c in response.json()["items"]) == ["C-1000", "C-1001"]


def test_a_browser_patch_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="ops", password=PASSWORD)
    path = f"/api/customers/{world.customer_east.pk}"

    refused = client.patch(path, {"payment_terms_days": 60}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("The CSRF check failed")
    assert Customer.objects.get(pk=world.customer_east.pk).payment_terms_days == 30
    assert not ChangeRecord.objects.filter(object_id=str(world.customer_east.pk)).exists()

    secret = "abcdefghijklmnopqrstuvwxyzABCDEF"  # what the csrftoken cookie would hold
    client.cookies["csrftoken"] = secret
    accepted = client.patch(
        path,
        {"payment_terms_days": 60},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["payment_terms_days"] == 60
    record = ChangeRecord.objects.get(object_id=str(world.customer_east.pk))
    assert (record.user_name, record.source) == ("ops", "api")
