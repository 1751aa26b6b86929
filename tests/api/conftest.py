"""One API token per login of the world, and a client that calls the API with it."""

import pytest
from django.test import Client

from revdesk.foundation.services import api_token_create


class ApiClient:
    """Calls the API as one login, with that login's bearer token."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def patch(self, path, body):
        return self.client.patch(path, body, content_type="application/json", headers=self.headers)


@pytest.fixture
def tokens(world):
    """One raw token per login of the world."""
    return {
        name: api_token_create(user=user, name="tests", actor=None)[1]
        for name, user in world.users.items()
    }


@pytest.fixture
def as_role(tokens):
    return {name: ApiClient(token) for name, token in tokens.items()}
