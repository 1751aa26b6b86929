"""The case state machine: which status may follow which, and what each move needs.

new → triage → in progress ⇄ waiting on customer / waiting on internal team / escalated
→ resolved or rejected → closed. A resolved, rejected or closed case may be reopened (back
to in progress) with a reason; the reopening is on the timeline and in the change log.
"""

from __future__ import annotations

from .choices import DONE_STATUSES, Status

S = Status
_WORKING = {S.IN_PROGRESS, S.WAITING_CUSTOMER, S.WAITING_INTERNAL, S.ESCALATED}
_ENDS = {S.RESOLVED, S.REJECTED}

TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.TRIAGE, *_WORKING, *_ENDS}),
    S.TRIAGE: frozenset({*_WORKING, *_ENDS}),
    S.IN_PROGRESS: frozenset({S.WAITING_CUSTOMER, S.WAITING_INTERNAL, S.ESCALATED, *_ENDS}),
    S.WAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.WAITING_INTERNAL, S.ESCALATED, *_ENDS}),
    S.WAITING_INTERNAL: frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER, S.ESCALATED, *_ENDS}),
    S.ESCALATED: frozenset({S.IN_PROGRESS, S.WAITING_CUSTOMER, S.WAITING_INTERNAL, *_ENDS}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.REJECTED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}


class TransitionRefused(ValueError):
    """A status move the state machine or its rules do not allow; the message says why."""


def next_statuses(status: str) -> list[str]:
    """The statuses a case in `status` may move to, in the order of the Status list."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [s.value for s in Status if s.value in allowed]


def is_reopen(from_status: str, to_status: str) -> bool:
    return from_status in DONE_STATUSES and to_status not in DONE_STATUSES


def transition_check(
    *, from_status: str, to_status: str, outcome: str, note: str, outcomes: list[str]
) -> None:
    """Raise TransitionRefused unless the move is allowed and carries what it needs."""
    labels = dict(Status.choices)
    if to_status not in labels:
        raise TransitionRefused(f"{to_status!r} is not a case status")
    if from_status == to_status:
        raise TransitionRefused(f"The case is already {labels[to_status].lower()}.")
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        allowed = ", ".join(str(labels[s]).lower() for s in next_statuses(from_status))
        raise TransitionRefused(
            f"A case that is {labels[from_status].lower()} cannot move to "
            f"{labels[to_status].lower()}; it can move to: {allowed}."
        )
    if to_status == S.RESOLVED:
        if not outcome:
            raise TransitionRefused("Choose the outcome the case is resolved with.")
        if outcome not in outcomes:
            raise TransitionRefused(
                f"{outcome!r} is not an outcome for this case type (choose one of: "
                f"{', '.join(outcomes)})."
            )
        if not note.strip():
            raise TransitionRefused("Write the resolution: what was decided and why.")
    if to_status == S.REJECTED and not note.strip():
        raise TransitionRefused("Say why the case is rejected.")
    if is_reopen(from_status, to_status) and not note.strip():
        raise TransitionRefused("Say why the case is reopened.")
