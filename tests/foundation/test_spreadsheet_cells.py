"""cell_text: a spreadsheet cell read back as the text it shows (imports of CSV and Excel
compare the two, so a cell typed 2026-11-15 or 1234.5 reads the same from either)."""

import datetime as dt

import pytest

from revdesk.foundation.spreadsheet import cell_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  E1034 ", "  E1034 "),  # not stripped: the caller decides
        (True, "true"),
        (False, "false"),
        (dt.datetime(2026, 11, 15), "2026-11-15"),
        (dt.datetime(2026, 11, 15, 9, 30), "2026-11-15 09:30:00"),
        (dt.date(2026, 11, 15), "2026-11-15"),
        (1234.0, "1234"),
        (1234.5, "1234.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-05, "0.00001"),
        (1e16, "10000000000000000"),
        (-12.5, "-12.5"),
        (42, "42"),
    ],
)
def test_a_cell_reads_as_the_text_it_shows(value, text):
    assert cell_text(value) == text
