"""The demo company's collections desk: who collected each account since when, six weeks of
calls, e-mails and notes on the overdue accounts with their next actions, promises to pay
(kept, broken and still open), the Top Past Due lists of the last three months, five days of
dunning, then the daily job as of the demo's "today" (promises evaluated, pay dates
predicted, worklists worked out). Deterministic for the seed and as-of date.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from revdesk.parties.choices import Segment
from revdesk.parties.models import Customer
from revdesk.receivables.activities import promise_make, receipt_returned
from revdesk.receivables.choices import ActivityKind, CallOutcome, InvoiceStatus, PaymentMethod
from revdesk.receivables.dunning import dunning_run
from revdesk.receivables.models import Activity, Invoice, Payment, PortfolioAssignment
from revdesk.receivables.reports import top_past_due_keep
from revdesk.receivables.services import invoice_instalments_upsert
from revdesk.receivables.worklist import collections_daily, refreshes_deferred

NY = ZoneInfo("America/New_York")

CALLS = [
    ("Called AP about {invoice}", CallOutcome.REACHED, "AP has the invoice; in the next run."),
    ("Called AP about {invoice}", CallOutcome.VOICEMAIL, "Left a message with the amount due."),
    ("Called the controller about {invoice}", CallOutcome.NO_ANSWER, ""),
    ("Called about {invoice}", CallOutcome.WRONG_CONTACT, "Number is the front desk; need AP."),
]
EMAILS = [
    ("Sent a copy of {invoice} with the PO", "Customer said the invoice never arrived."),
    ("Reminder: {invoice} is past due", "Statement attached."),
    ("Asked for a payment date for {invoice}", ""),
]
NOTES = [
    ("Customer moving to a new AP platform", "Payments delayed two weeks, they say."),
    ("Portal upload done for {invoice}", "Uploaded to the customer's supplier portal."),
]


class CollectionsDesk:
    def __init__(self, *, rng: random.Random, today: dt.date, users: dict):
        self.rng = rng
        self.today = today
        self.users = users

    def _at(self, day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)), tzinfo=NY)

    def build(self) -> dict[str, int]:
        with refreshes_deferred() as pending:
            counts = self._build()
            pending.clear()  # the daily job at the end worked every row out
        return counts

    def _build(self) -> dict[str, int]:
        counts = {"assignments": self.portfolios()}
        counts["instalments"] = self.instalments()
        counts["reversals"] = self.reversals()
        counts["activities"] = self.activities()
        counts["promises"] = self.promises()
        counts["snapshots"] = self.snapshots()
        counts["dunning"] = self.dunning()
        counts["bank_receipts"] = self.cash_application()
        day = collections_daily(on=self.today)
        counts["predictions"] = day.predictions
        return counts

    def instalments(self) -> int:
        """Eight large enterprise invoices of the last five months, still open, on 30/60/90
        terms: three equal instalments (the last takes the odd cent), the invoice due with the
        last."""
        since = self.today - dt.timedelta(days=150)
        candidates = list(
            Invoice.objects.filter(
                customer__segment=Segment.ENTERPRISE,
                issued_on__gte=since,
                amount__gte=Decimal("20000"),
                status=InvoiceStatus.OPEN,
                balance__gt=0,
                instalments__isnull=True,
            ).order_by("number")
        )
        chosen = sorted(
            self.rng.sample(candidates, min(8, len(candidates))), key=lambda i: i.number
        )
        rows = []
        for invoice in chosen:
            part = (invoice.amount / 3).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
            parts = [part, part, invoice.amount - 2 * part]
            for sequence, amount in enumerate(parts, start=1):
                rows.append(
                    {
                        "invoice_id": invoice.pk,
                        "sequence": sequence,
                        "due_on": invoice.issued_on + dt.timedelta(days=30 * sequence),
                        "amount": amount,
                    }
                )
            Invoice.objects.filter(pk=invoice.pk).update(
                due_on=invoice.issued_on + dt.timedelta(days=90)
            )
        invoice_instalments_upsert(rows=rows, actor=self.users["ops"])
        return len(rows)

    def reversals(self) -> int:
        """Two cheques of the last two months came back unpaid a few days after they were
        applied: what they paid is open again and their collectors have a task."""
        since = self.today - dt.timedelta(days=60)
        candidates = list(
            Payment.objects.filter(
                method=PaymentMethod.CHECK,
                received_on__gte=since,
                received_on__lte=self.today - dt.timedelta(days=10),
                customer__collector__isnull=False,
                applications__isnull=False,
            )
            .distinct()
            .order_by("number")
        )
        chosen = sorted(
            self.rng.sample(candidates, min(2, len(candidates))), key=lambda p: p.number
        )
        for payment in chosen:
            receipt_returned(
                actor=self.users["ops"],
                payment=payment,
                on=payment.received_on + dt.timedelta(days=self.rng.randint(3, 6)),
                reason="Cheque returned unpaid (insufficient funds)",
                today=self.today,
            )
        return len(chosen)

    def cash_application(self) -> int:
        """The accounts customers pay from (seven in ten known to the customer master), then
        this morning's lockbox file, read by cash application as a person would
        (`revdesk cash apply`): receipts naming their invoices in the ways customers write
        them, two combined, two short (one within the write-off tolerance), one with no
        reference that pays two invoices exactly, one on account, one from a payer known only
        by a name like the customer's paying two of its invoices (a suggestion: a similar name
        alone is not sure enough) and two nobody can place."""
        import csv
        import tempfile
        from pathlib import Path

        from revdesk.parties.services import customer_bank_accounts_upsert
        from revdesk.receivables.cash import cash_apply

        accounts: dict[int, str] = {}
        rows = []
        for customer in Customer.objects.order_by("code"):
            if self.rng.random() < 0.7:
                accounts[customer.pk] = str(self.rng.randrange(10**8, 10**9))
                rows.append({"customer_id": customer.pk, "account": accounts[customer.pk]})
        customer_bank_accounts_upsert(rows=rows, actor=self.users["ops"])

        from revdesk.cases.models import CaseSubject

        # object_id is text (a subject of any kind): compared as numbers here, on any database
        in_cases = {
            int(pk)
            for pk in CaseSubject.objects.filter(content_type__model="invoice").values_list(
                "object_id", flat=True
            )
        }
        open_invoices = list(
            Invoice.objects.filter(
                status=InvoiceStatus.OPEN,
                balance__gt=Decimal("300"),
                currency="USD",
                instalments__isnull=True,
                customer_id__in=list(accounts),
            )
            .exclude(pk__in=in_cases)
            .select_related("customer")
            .order_by("number")
        )
        by_customer = defaultdict(list)
        for invoice in open_invoices:
            by_customer[invoice.customer_id].append(invoice)
        several = [v for v in by_customer.values() if len(v) >= 2]
        ones = [v[:1] for v in by_customer.values() if len(v) == 1]
        self.rng.shuffle(several)
        self.rng.shuffle(ones)
        # the payer known only by a name like its own: a company of no hierarchy (whose name
        # no sister company shares) and of a name long enough that one letter misplaced
        # leaves it recognisable
        linked = Customer.objects.filter(parent__isnull=False).values_list("pk", "parent_id")
        in_hierarchy = {pk for pair in linked for pk in pair}
        alone = next(
            (
                v
                for v in several[3:]
                if v[0].customer_id not in in_hierarchy and len(v[0].customer.name) >= 16
            ),
            None,
        )
        # each customer pays once in the file: two of its invoices, or one
        pairs = [v[:2] for v in several[:3]]
        singles = [v[0] for v in ones + several[3:] if v is not alone]
        if len(pairs) < 3 or len(singles) < 6 or alone is None:
            return 0
        day = self.today
        receipts = []

        def receipt(amount, customer, text, *, name=None, account=None):
            receipts.append(
                {
                    "receipt": f"LBX{day:%y%m%d}{len(receipts) + 1:03d}",
                    "date": day.isoformat(),
                    "amount": f"{amount:.2f}",
                    "currency": "USD",
                    "payer_name": name if name is not None else customer.name.upper()[:35],
                    "payer_account": account if account is not None else accounts[customer.pk],
                    "text": text,
                }
            )

        small, large, *exact = singles[:10]
        spellings = ["INV {n}", "PAYMENT {n}", "{d}", "RE: INVOICE #{n}", "INV{d}", "{n} THANKS"]
        for position, invoice in enumerate(exact):
            digits = invoice.number.split("-")[-1].lstrip("0")
            text = spellings[position % len(spellings)].format(n=invoice.number, d=digits)
            receipt(invoice.balance, invoice.customer, text)
        for first, second in pairs[:2]:
            receipt(
                first.balance + second.balance,
                first.customer,
                f"INV {first.number}/{second.number.split('-')[-1]}",
            )
        receipt(small.balance - Decimal("3.50"), small.customer, f"{small.number} LESS FEES")
        receipt(large.balance - Decimal("250.00"), large.customer, f"PMT {large.number}")
        first, second = pairs[2]
        receipt(first.balance + second.balance, first.customer, "ACH CREDIT")
        receipt(Decimal("137.42"), pairs[0][0].customer, "")
        first, second = alone[:2]
        name = first.customer.name.upper()
        typo = name[:3] + name[4] + name[3] + name[5:] if len(name) > 5 else name + "X"
        receipt(first.balance + second.balance, first.customer, "", name=typo, account="")
        receipt(Decimal("1840.00"), None, "DEPOSIT", name="J SMITH TRADING", account="987650001")
        receipt(Decimal("95.10"), None, "", name="REFUND RETURN", account="")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"lockbox-{day.isoformat()}.csv"
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(receipts[0]))
                writer.writeheader()
                writer.writerows(receipts)
            # read at nine in the morning, the day's first job
            morning = dt.datetime.combine(day, dt.time(9, 0), tzinfo=NY).astimezone(dt.UTC)
            cash_apply(path=path, actor=self.users["ops"], now=morning)
        return len(receipts)

    def dunning(self) -> int:
        """The last five days of dunning, as the daily job did them (one level a day)."""
        done = 0
        for back in range(5, 0, -1):
            done += len(dunning_run(on=self.today - dt.timedelta(days=back)).done)
        return done

    def snapshots(self) -> int:
        """The Top Past Due lists of the three months before this one (and their quarter),
        as the daily job would have kept them on their last days."""
        kept = 0
        first = self.today.replace(day=1)
        for _ in range(3):
            end = first - dt.timedelta(days=1)
            first = end.replace(day=1)
            periods = [end.strftime("%Y-%m")]
            if end.month % 3 == 0:
                periods.append(f"{end.year}-Q{end.month // 3}")
            for period in periods:
                top_past_due_keep(period=period)
                kept += 1
        return kept

    def portfolios(self) -> int:
        """Every account's collector since the start of its history; one in twenty changed
        hands in the summer (from another collector of the desk)."""
        start = self.today - dt.timedelta(days=365)
        moved_on = self.today - dt.timedelta(days=140)
        collectors = sorted(
            {c.collector for c in Customer.objects.filter(collector__isnull=False)},
            key=lambda u: u.pk,
        )
        rows = []
        for customer in Customer.objects.filter(collector__isnull=False).order_by("code"):
            others = [c for c in collectors if c.pk != customer.collector_id]
            if others and self.rng.random() < 0.05:
                before = self.rng.choice(others)
                rows.append(
                    PortfolioAssignment(
                        customer=customer,
                        collector=before,
                        valid_from=start,
                        valid_to=moved_on - dt.timedelta(days=1),
                    )
                )
                rows.append(
                    PortfolioAssignment(
                        customer=customer, collector_id=customer.collector_id, valid_from=moved_on
                    )
                )
            else:
                rows.append(
                    PortfolioAssignment(
                        customer=customer, collector_id=customer.collector_id, valid_from=start
                    )
                )
        PortfolioAssignment.objects.bulk_create(rows)
        return len(rows)

    def _overdue(self) -> dict[int, list[Invoice]]:
        found: dict[int, list[Invoice]] = defaultdict(list)
        for invoice in (
            Invoice.objects.filter(Invoice.overdue_q(self.today))
            .select_related("customer", "customer__collector")
            .order_by("customer__code", "due_on", "number")
        ):
            if invoice.customer.collector_id:
                found[invoice.customer_id].append(invoice)
        return found

    def activities(self) -> int:
        """Calls, e-mails and notes on two in three overdue accounts over the last six weeks;
        the latest often with a next action, some of them due already."""
        rows = []
        for invoices in self._overdue().values():
            if self.rng.random() > 2 / 3:
                continue
            customer = invoices[0].customer
            contacts = list(customer.contacts.all())
            for _ in range(self.rng.randint(1, 4)):
                day = self.today - dt.timedelta(days=self.rng.randint(1, 42))
                invoice = self.rng.choice(invoices)
                if invoice.due_on > day:
                    continue
                kind = self.rng.choices(
                    [ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.NOTE], [5, 3, 1]
                )[0]
                outcome = ""
                if kind == ActivityKind.CALL:
                    subject, outcome, body = self.rng.choice(CALLS)
                elif kind == ActivityKind.EMAIL:
                    subject, body = self.rng.choice(EMAILS)
                else:
                    subject, body = self.rng.choice(NOTES)
                next_on = None
                next_action = ""
                if self.rng.random() < 0.35:
                    next_on = day + dt.timedelta(days=self.rng.choice([2, 3, 5, 7]))
                    next_action = self.rng.choice(
                        ["Call again", "Check the payment run", "Send the statement"]
                    )
                rows.append(
                    Activity(
                        customer=customer,
                        invoice=invoice,
                        kind=kind,
                        occurred_at=self._at(day, self.rng.randint(9, 17)),
                        contact=self.rng.choice(contacts) if contacts and kind != "note" else None,
                        outcome=outcome,
                        subject=subject.format(invoice=invoice.number),
                        body=body,
                        next_action=next_action,
                        next_action_on=next_on,
                        assigned_to=customer.collector if next_on else None,
                        done_at=(
                            self._at(next_on, 16)
                            if next_on and next_on < self.today and self.rng.random() < 0.6
                            else None
                        ),
                        created_by=customer.collector,
                    )
                )
        Activity.objects.bulk_create(rows)
        return len(rows)

    def promises(self) -> int:
        """Promises on one in four overdue accounts: those paid since kept, those not broken,
        and a few still to come."""
        payments = defaultdict(list)
        for payment in Payment.objects.filter(
            customer__isnull=False, received_on__gt=self.today - dt.timedelta(days=45)
        ).order_by("received_on", "number"):
            payments[payment.customer_id].append(payment)
        made = 0
        for customer_id, invoices in self._overdue().items():
            if self.rng.random() > 0.25:
                continue
            customer = invoices[0].customer
            paid = payments.get(customer_id, [])
            currency = invoices[0].currency
            owed = sum((i.balance for i in invoices if i.currency == currency), Decimal(0))
            if paid and paid[-1].currency == currency and self.rng.random() < 0.6:
                # promised before a payment that came: kept
                payment = paid[-1]
                made_on = payment.received_on - dt.timedelta(days=self.rng.randint(3, 12))
                promised = payment.received_on + dt.timedelta(days=self.rng.randint(0, 3))
                amount = min(payment.amount, owed)
            elif self.rng.random() < 0.5:
                # promised a while ago, nothing came: broken
                made_on = self.today - dt.timedelta(days=self.rng.randint(15, 40))
                promised = made_on + dt.timedelta(days=self.rng.randint(3, 10))
                amount = owed
            else:
                # promised for the coming days
                made_on = self.today - dt.timedelta(days=self.rng.randint(0, 5))
                promised = self.today + dt.timedelta(days=self.rng.randint(1, 10))
                amount = owed
            amount = (amount * Decimal(self.rng.choice(["1", "0.5"]))).quantize(
                Decimal("0.01"), rounding=ROUND_DOWN
            )
            if amount <= 0 or made_on > self.today:
                continue
            contacts = list(customer.contacts.all())
            promise_make(
                actor=customer.collector,
                customer=customer,
                amount=amount,
                currency=currency,
                promised_on=promised,
                made_on=made_on,
                grace_days=2,
                invoices=[i for i in invoices if i.currency == currency][:3],
                contact=contacts[0] if contacts else None,
                note="Promised on the phone",
            )
            made += 1
        # the promise notes are dated when they were made, not when the demo was built
        for activity in Activity.objects.filter(promise__isnull=False).select_related("promise"):
            activity.occurred_at = self._at(activity.promise.made_on, 11)
            activity.save(update_fields=["occurred_at"])
        return made
