import pytest

from api.builders import ledger_build


@pytest.fixture
def ledger(world):
    return ledger_build(world)
