"""Who may see which commission figures.

Those who see everything (administrators, commissions analysts, desk leaders) see every run.
Otherwise a person sees only approved or paid figures of the payees in their scope: a rep
their own, a manager their reporting tree. A draft or a run under review is the analysts'
working copy and is shown to nobody else.
"""

from __future__ import annotations

from django.db.models import Q

from revdesk.foundation.scoping import Viewer, scope_rule

from .models import CommissionRun, Payout, PayoutLine, RunStatus

FINAL = (RunStatus.APPROVED, RunStatus.PAID)


@scope_rule(CommissionRun)
def _run(viewer: Viewer) -> Q:
    return Q(status__in=FINAL, payouts__payee_id__in=viewer.payee_ids)


@scope_rule(Payout)
def _payout(viewer: Viewer) -> Q:
    return Q(run__status__in=FINAL, payee_id__in=viewer.payee_ids)


@scope_rule(PayoutLine)
def _line(viewer: Viewer) -> Q:
    return Q(run__status__in=FINAL, payee_id__in=viewer.payee_ids)
