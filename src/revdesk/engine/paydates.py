"""When will an open invoice be paid? Learnt from each customer's own history of paid
invoices, with a fallback for customers without one, and its error measured on held-out
history. Used by the collections worklist (receivables.worklist) through the daily job.

What is predicted is the delay: paid date − due date, in days (negative: paid early). The
predicted pay date is the due date plus the predicted delay.

- **Features** of an invoice: its terms (due − issue days), its amount (log), the month it was
  issued, the customer's segment, and the customer's record *before the invoice was issued*
  (only invoices paid before its issue date count, so nothing is learnt from the future): how
  many invoices it paid, their mean delay, its spread, and its last delay.
- **Model**: scikit-learn's HistGradientBoostingRegressor on absolute error (a median: one
  very late invoice does not pull every prediction), fixed seed, trained on every paid invoice.
- **Fallback** for a customer with fewer than `MIN_HISTORY` paid invoices before the one
  predicted: the median delay of its segment's paid invoices, else of the company's; with
  fewer than `MIN_TRAINING` paid invoices in all, the fallback is used for everyone.
- **Error**: the paid history is split by issue date; the model is trained on the earlier
  80% and predicts the later 20%. `Accuracy` gives the mean absolute error in days of the
  model (where it applies), of the fallback on the same invoices, and of the fallback on new
  customers, with how many invoices each was measured on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

MIN_HISTORY = 3
MIN_TRAINING = 50
HELD_OUT_SHARE = 0.2

PAID_SCHEMA = pa.schema(
    [
        ("document", pa.string()),
        ("customer", pa.string()),
        ("segment", pa.string()),
        ("issued_on", pa.date32()),
        ("due_on", pa.date32()),
        ("amount", pa.float64()),  # a feature (its size), never money arithmetic
        ("paid_on", pa.date32()),
    ]
)
OPEN_SCHEMA = pa.schema([field for field in PAID_SCHEMA if field.name != "paid_on"])
PREDICTION_SCHEMA = pa.schema(
    [
        ("document", pa.string()),
        ("delay_days", pa.int32()),
        ("pay_on", pa.date32()),
        ("method", pa.string()),  # model | segment | company
    ]
)

_FEATURES_SQL = """
with hist as (
    select customer, paid_on, (paid_on - due_on) as delay,
           count(*) over w as n,
           avg(paid_on - due_on) over w as mean,
           stddev_pop(paid_on - due_on) over w as spread
    from paid
    window w as (partition by customer order by paid_on, document
                 rows between unbounded preceding and current row)

)
select i.document, i.customer, i.segment,
       (i.due_on - i.issued_on) as terms,
       ln(1 + greatest(i.amount, 0)) as log_amount,
       month(i.issued_on) as month,
       coalesce(h.n, 0) as n, h.mean, h.spread, h.delay as last_delay
from items i
asof left join hist h on i.customer = h.customer and i.issued_on > h.paid_on
order by i.document
"""


def _features(items: pa.Table, paid: pa.Table) -> pa.Table:
    import duckdb

    con = duckdb.connect()
    try:
        con.register("items", items)
        con.register("paid", paid)
        return con.sql(_FEATURES_SQL).to_arrow_table()
    finally:
        con.close()


def _matrix(features: pa.Table, segments: list[str]) -> np.ndarray:
    index = {name: at for at, name in enumerate(segments)}
    segment = [index.get(s, -1) for s in features["segment"].to_pylist()]
    columns = [
        features["terms"].to_numpy(zero_copy_only=False).astype(float),
        features["log_amount"].to_numpy(zero_copy_only=False).astype(float),
        features["month"].to_numpy(zero_copy_only=False).astype(float),
        np.asarray(segment, dtype=float),
        features["n"].to_numpy(zero_copy_only=False).astype(float),
    ]
    for name in ("mean", "spread", "last_delay"):
        values = features[name].to_pylist()
        columns.append(np.asarray([np.nan if v is None else float(v) for v in values]))
    return np.column_stack(columns)


@dataclass(frozen=True)
class Fallback:
    """Median delays: per segment, and the company's."""

    by_segment: dict[str, float]
    company: float

    @classmethod
    def of(cls, paid: pa.Table) -> Fallback:
        delays = _delays(paid)
        segments = paid["segment"].to_pylist()
        grouped: dict[str, list[float]] = {}
        for segment, delay in zip(segments, delays, strict=True):
            grouped.setdefault(segment or "", []).append(delay)
        company = float(np.median(delays)) if len(delays) else 0.0
        return cls({s: float(np.median(v)) for s, v in grouped.items()}, company)

    def delay(self, segment: str | None) -> tuple[float, str]:
        if segment and segment in self.by_segment:
            return self.by_segment[segment], "segment"
        return self.company, "company"


def _delays(paid: pa.Table) -> np.ndarray:
    paid_on = paid["paid_on"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    due_on = paid["due_on"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    return (paid_on - due_on).astype(float)


@dataclass
class PayDateModel:
    """A trained model (or none, when the history is too short) and the fallback."""

    regressor: object | None
    segments: list[str]
    fallback: Fallback
    trained_on: int

    @classmethod
    def train(cls, paid: pa.Table) -> PayDateModel:
        paid = paid.cast(PAID_SCHEMA)
        fallback = Fallback.of(paid)
        segments = sorted({s or "" for s in paid["segment"].to_pylist()})
        if paid.num_rows < MIN_TRAINING:
            return cls(None, segments, fallback, paid.num_rows)
        from sklearn.ensemble import HistGradientBoostingRegressor

        features = _features(paid.select(OPEN_SCHEMA.names), paid)
        order = {doc: at for at, doc in enumerate(paid["document"].to_pylist())}
        target = _delays(paid)[[order[d] for d in features["document"].to_pylist()]]
        regressor = HistGradientBoostingRegressor(
            loss="absolute_error", max_iter=150, learning_rate=0.08, random_state=0
        )
        regressor.fit(_matrix(features, segments), target)
        return cls(regressor, segments, fallback, paid.num_rows)

    def predict(self, items: pa.Table, paid: pa.Table) -> pa.Table:
        """Each item's predicted delay, pay date and how it was predicted (PREDICTION_SCHEMA),
        from `paid` as the history known now."""
        items = items.cast(OPEN_SCHEMA)
        features = _features(items, paid.cast(PAID_SCHEMA))
        learnt = (
            self.regressor.predict(_matrix(features, self.segments))  # type: ignore[attr-defined]
            if self.regressor is not None and features.num_rows
            else None
        )
        due = dict(zip(items["document"].to_pylist(), items["due_on"].to_pylist(), strict=True))
        rows = {"document": [], "delay_days": [], "pay_on": [], "method": []}
        for at, (document, segment, history) in enumerate(
            zip(
                features["document"].to_pylist(),
                features["segment"].to_pylist(),
                features["n"].to_pylist(),
                strict=True,
            )
        ):
            if learnt is not None and history >= MIN_HISTORY:
                delay, method = float(learnt[at]), "model"
            else:
                delay, method = self.fallback.delay(segment)
            days = round(delay)
            rows["document"].append(document)
            rows["delay_days"].append(days)
            rows["pay_on"].append(due[document] + dt.timedelta(days=days))
            rows["method"].append(method)
        return pa.table(rows, schema=PREDICTION_SCHEMA)


@dataclass(frozen=True)
class Accuracy:
    """Mean absolute errors in days on the held-out (latest issued) paid invoices."""

    held_out: int
    model_invoices: int
    model_error: float | None
    fallback_error_same: float | None
    new_customer_invoices: int
    new_customer_error: float | None


def accuracy(paid: pa.Table) -> Accuracy:
    """Train on the earlier 80% of the paid history (by issue date), predict the rest."""
    paid = paid.cast(PAID_SCHEMA).sort_by([("issued_on", "ascending"), ("document", "ascending")])
    cut = int(paid.num_rows * (1 - HELD_OUT_SHARE))
    train, test = paid.slice(0, cut), paid.slice(cut)
    model = PayDateModel.train(train)
    if not test.num_rows:
        return Accuracy(0, 0, None, None, 0, None)
    # the held-out invoices are predicted with the whole history known before each was issued
    predicted = model.predict(test.select(OPEN_SCHEMA.names), paid)
    actual = dict(zip(test["document"].to_pylist(), _delays(test).tolist(), strict=True))
    segment_of = dict(zip(test["document"].to_pylist(), test["segment"].to_pylist(), strict=True))
    learnt, fallback_same, new = [], [], []
    for document, delay, method in zip(
        predicted["document"].to_pylist(),
        predicted["delay_days"].to_pylist(),
        predicted["method"].to_pylist(),
        strict=True,
    ):
        error = abs(delay - actual[document])
        if method == "model":
            learnt.append(error)
            fallback_same.append(
                abs(model.fallback.delay(segment_of[document])[0] - actual[document])
            )
        else:
            new.append(error)

    def mean(values: list[float]) -> float | None:
        return round(float(np.mean(values)), 2) if values else None

    return Accuracy(
        held_out=test.num_rows,
        model_invoices=len(learnt),
        model_error=mean(learnt),
        fallback_error_same=mean(fallback_same),
        new_customer_invoices=len(new),
        new_customer_error=mean(new),
    )


__all__ = [
    "MIN_HISTORY",
    "OPEN_SCHEMA",
    "PAID_SCHEMA",
    "PREDICTION_SCHEMA",
    "Accuracy",
    "PayDateModel",
    "accuracy",
]
