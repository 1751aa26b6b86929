"""Messages that say what is actually wrong with a cell."""

from revdesk.ingest.importer import file_import
from revdesk.ingest.report import Problem

from .conftest import database_state

HEADER = "number,customer_code,issued_on,due_on,currency,amount\n"


def test_impossible_dates_and_comma_decimals(world, write):
    path = write(
        "invoices.csv",
        HEADER
        + "INV-1,C-1000,2026-02-30,2026-03-31,USD,100.00\n"
        + "INV-2,C-1000,2028-02-29,2028-13-01,USD,100.00\n"
        + 'INV-3,C-1000,2026-04-31,2026-05-01,USD,"1,5"\n',
    )
    before = database_state()
    result = file_import(kind="invoices", path=path)
    assert database_state() == before
    comma = (
        "a number (decimal, up to 2 decimal places, at least 0): use a point as the decimal "
        "separator, or a profile with decimal_separator: ','"
    )
    assert result.problems == [
        Problem(
            2,
            "issued_on",
            "2026-02-30",
            "2026-02-30 is not a real date (February has 28 days in 2026)",
        ),
        Problem(
            3,
            "due_on",
            "2028-13-01",
            "2028-13-01 is not a real date (month 13: a year has 12 months)",
        ),
        Problem(
            4,
            "issued_on",
            "2026-04-31",
            "2026-04-31 is not a real date (April has 30 days in 2026)",
        ),
        Problem(4, "amount", "1,5", comma),
    ]
