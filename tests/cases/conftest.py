import datetime as dt

import pytest

from revdesk.testing import teams_build

# Monday 1 December 2025, 10:00 in New York (the default calendar: Mon–Fri 09:00–17:00).
MONDAY_10 = dt.datetime(2025, 12, 1, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def teams(world):
    return teams_build(world)


@pytest.fixture
def monday():
    return MONDAY_10
