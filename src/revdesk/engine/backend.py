"""Connecting the engine to a backend. DuckDB in memory by default; any Ibis backend later."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt

#: The one decimal type money arithmetic is cast to before every multiply, divide and sum.
MONEY = dt.Decimal(38, 6)


def connect(url: str | None = None) -> ibis.BaseBackend:
    """An Ibis connection: `duckdb://` (in memory) unless a URL names another backend."""
    return ibis.connect(url or "duckdb://")


def money(column: ibis.Value) -> ibis.Value:
    """Cast to the engine's money type: Ibis does no decimal promotion of its own."""
    return column.cast(MONEY)
