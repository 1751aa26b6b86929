"""The case-type registry: each desk registers the kinds of case it raises, in code.

After every `migrate`, the registry is written to the database (CaseType, ReasonCode,
SlaTarget, WorkInstruction version 1), adding what is missing and never overwriting what
people have since edited: reason lists, SLA targets and work instructions are data.
Later apps call `case_type_register(...)` from their AppConfig.ready().
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from django.db import transaction
from django.utils import timezone

from .choices import MemberLevel, Outcome, Priority, TeamCode

#: Business minutes to first response and to resolution, per priority, unless a type says.
DEFAULT_SLA: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 2 * 8 * 60),
    Priority.HIGH: (4 * 60, 4 * 8 * 60),
    Priority.NORMAL: (8 * 60, 10 * 8 * 60),
    Priority.LOW: (2 * 8 * 60, 20 * 8 * 60),
}


@dataclass(frozen=True)
class CaseTypeSpec:
    code: str
    name: str
    desk: str
    team: str
    outcomes: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...]
    sla: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SLA))


_registry: dict[str, CaseTypeSpec] = {}


def case_type_register(spec: CaseTypeSpec) -> CaseTypeSpec:
    _registry[spec.code] = spec
    return spec


def case_type_specs() -> list[CaseTypeSpec]:
    return list(_registry.values())


AR_OUTCOMES = (
    Outcome.CREDIT_MEMO,
    Outcome.REBILL,
    Outcome.CUSTOMER_TO_PAY,
    Outcome.WRITE_OFF,
    Outcome.NO_ACTION,
)
CLAIM_OUTCOMES = (Outcome.CLAIM_APPROVED, Outcome.CLAIM_DENIED)

for _spec in (
    CaseTypeSpec(
        "ar_dispute",
        "AR dispute",
        "collections",
        TeamCode.COLLECTIONS,
        AR_OUTCOMES,
        (
            ("pricing", "Pricing"),
            ("quantity", "Quantity"),
            ("tax", "Tax"),
            ("damaged", "Damaged goods"),
            ("not_received", "Not received"),
            ("missing_po", "Missing PO"),
            ("duplicate_billing", "Duplicate billing"),
            ("promotion_rebate", "Promotion / rebate"),
            ("terms", "Payment terms"),
            ("other", "Other"),
        ),
    ),
    CaseTypeSpec(
        "short_payment",
        "Short payment",
        "collections",
        TeamCode.CASH_APPLICATION,
        AR_OUTCOMES,
        (
            ("pricing", "Pricing"),
            ("quantity", "Quantity"),
            ("tax", "Tax withheld"),
            ("freight", "Freight"),
            ("early_payment_discount", "Early-payment discount taken"),
            ("bank_charges", "Bank charges"),
            ("unknown", "Not explained"),
        ),
    ),
    CaseTypeSpec(
        "remittance_advice",
        "Remittance advice",
        "collections",
        TeamCode.CASH_APPLICATION,
        (Outcome.CORRECTED, Outcome.ANSWERED, Outcome.NO_ACTION),
        (("advice", "Remittance advice"),),
    ),
    CaseTypeSpec(
        "deduction",
        "Deduction",
        "collections",
        TeamCode.COLLECTIONS,
        AR_OUTCOMES,
        (
            ("promotion_rebate", "Promotion / rebate"),
            ("damaged", "Damaged goods"),
            ("shortage", "Shortage"),
            ("pricing", "Pricing"),
            ("returns", "Returns"),
            ("freight", "Freight"),
            ("unauthorised", "Unauthorised deduction"),
            ("other", "Other (the customer's own code)"),
        ),
    ),
    CaseTypeSpec(
        "commission_claim",
        "Commission claim",
        "commissions",
        TeamCode.COMMISSIONS,
        CLAIM_OUTCOMES,
        (
            ("split_credit", "Split credit under a crediting policy"),
            ("territory_owner", "Territory owner on the order date"),
            ("missing_transaction", "Transaction missing from my statement"),
            ("wrong_rate", "Wrong rate or tier"),
            ("other", "Other"),
        ),
    ),
    CaseTypeSpec(
        "commission_inquiry",
        "Commission inquiry",
        "commissions",
        TeamCode.COMMISSIONS,
        (Outcome.ANSWERED, Outcome.CLAIM_APPROVED, Outcome.NO_ACTION),
        (
            ("statement", "Question about a statement"),
            ("plan", "Question about my plan"),
            ("payment_timing", "When will I be paid"),
            ("other", "Other"),
        ),
    ),
    CaseTypeSpec(
        "rebate_claim",
        "Rebate claim",
        "commissions",
        TeamCode.COMMISSIONS,
        CLAIM_OUTCOMES,
        (
            ("missing_sale", "Sale missing from the rebate statement"),
            ("wrong_rate", "Wrong rebate rate or tier"),
            ("price_protection", "Price protection"),
            ("ship_and_debit", "Ship and debit"),
            ("other", "Other"),
        ),
    ),
    CaseTypeSpec(
        "order_defect",
        "Order defect",
        "orders",
        TeamCode.ORDER_MANAGEMENT,
        (Outcome.CORRECTED, Outcome.REBILL, Outcome.NO_ACTION),
        (
            ("rejected_by_billing", "Rejected by billing"),
            ("missing_billing_code", "Billing code missing from the catalogue"),
            ("wrong_price", "Wrong price"),
            ("incomplete", "Incomplete order"),
            ("system_defect", "System defect"),
            ("duplicate_order", "Duplicate order"),
        ),
    ),
    CaseTypeSpec(
        "approval_escalation",
        "Approval escalation",
        "orders",
        TeamCode.ORDER_MANAGEMENT,
        (Outcome.APPROVED, Outcome.CLAIM_DENIED, Outcome.NO_ACTION),
        (
            ("pricing_approval", "Pricing approval"),
            ("capital_approval", "Capital approval"),
            ("legal_terms", "Legal terms"),
            ("credit_approval", "Credit approval"),
        ),
    ),
    CaseTypeSpec(
        "inquiry",
        "Inquiry",
        "any",
        TeamCode.COLLECTIONS,
        (Outcome.ANSWERED, Outcome.NO_ACTION),
        (("general", "General question"), ("unclassified", "Not classified yet")),
    ),
):
    case_type_register(_spec)


def work_instruction_default(code: str) -> str:
    """The first version of a type's work instruction, shipped in cases/instructions/."""
    path = resources.files("revdesk.cases").joinpath("instructions", f"{code}.md")
    if path.is_file():
        return path.read_text(encoding="utf-8")
    return f"# Work instruction\n\nNo instruction is written yet for this case type ({code}).\n"


@transaction.atomic
def case_types_sync() -> None:
    """Write the registry and the house defaults to the database, adding only what is missing."""
    from .models import (
        BusinessCalendar,
        CaseType,
        EscalationRule,
        ReasonCode,
        SlaTarget,
        Team,
        WorkInstruction,
    )

    calendar = BusinessCalendar.objects.order_by("pk").first()
    if calendar is None:
        calendar = BusinessCalendar.objects.create(name="Head office")
    teams = {}
    for code, label in TeamCode.choices:
        teams[code], _ = Team.objects.get_or_create(
            code=code, defaults={"name": label, "calendar": calendar}
        )
    now = timezone.now()
    for spec in _registry.values():
        case_type, _ = CaseType.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "desk": spec.desk,
                "default_team": teams[spec.team],
                "outcomes": [str(o) for o in spec.outcomes],
            },
        )
        for code, label in spec.reasons:
            ReasonCode.objects.get_or_create(
                case_type=case_type, code=code, defaults={"label": label}
            )
        for priority, (response, resolution) in spec.sla.items():
            SlaTarget.objects.get_or_create(
                case_type=case_type,
                priority=priority,
                defaults={"first_response_minutes": response, "resolution_minutes": resolution},
            )
        if not WorkInstruction.objects.filter(case_type=case_type).exists():
            WorkInstruction.objects.create(
                case_type=case_type,
                version=1,
                body=work_instruction_default(spec.code),
                note="Shipped with Revdesk",
                author_name="system",
                time=now,
            )
    from .mail import mail_templates_sync

    mail_templates_sync()
    if not EscalationRule.objects.exists():
        EscalationRule.objects.bulk_create(
            [
                EscalationRule(
                    name="No first response in time: to a senior",
                    clock="first_response",
                    overdue_minutes=0,
                    level=MemberLevel.SENIOR,
                ),
                EscalationRule(
                    name="Not resolved in time: to a senior",
                    clock="resolution",
                    overdue_minutes=0,
                    level=MemberLevel.SENIOR,
                ),
                EscalationRule(
                    name="Two working days past the resolution target: to the leader",
                    clock="resolution",
                    overdue_minutes=2 * 8 * 60,
                    level=MemberLevel.LEADER,
                ),
            ]
        )


def case_types_sync_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    from django.db import connections

    from .models import CaseType

    # Only once the tables exist (a migrate that unapplied cases would leave none).
    if CaseType._meta.db_table not in connections[using].introspection.table_names():
        return
    case_types_sync()
