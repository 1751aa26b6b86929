"""Connecting the engine to a backend. DuckDB in memory by default; any Ibis backend later."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt

#: The one decimal type money arithmetic is cast to before every multiply, divide and sum.
MONEY = dt.Decimal(38, 6)


def connect(url: str | None = None) -> ibis.BaseBackend:
    """An Ibis connection: `duckdb://` (in memory) unless a URL names another backend."""
    return ibis.connect(url or "duckdb://")


#: The same type, not nullable: casting through it keeps a cast Ibis would otherwise drop.
_MONEY_STRICT = dt.Decimal(38, 6, nullable=False)


def money(column: ibis.Value) -> ibis.Value:
    """Cast to the engine's money type: Ibis does no decimal promotion of its own.

    Ibis types DECIMAL(38, 6) × DECIMAL(38, 6) as DECIMAL(38, 6) and then drops a cast to
    that type as a no-op, while DuckDB really gives DECIMAL(38, 12) (and DOUBLE once a
    division or a float is involved, which a UNION then spreads to every line). Casting
    through the non-nullable twin of MONEY is never dropped, so the SQL always says
    CAST(... AS DECIMAL(38, 6)) and the rounding to 6 places (half away from zero) happens
    where the reference does it."""
    return column.cast(_MONEY_STRICT).cast(MONEY)
