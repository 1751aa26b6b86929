"""Everything that writes parties data: one function per business action, in a transaction."""

from collections.abc import Mapping, Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from revdesk.foundation.audit import audited_save
from revdesk.foundation.bulk import (
    Outcome,
    RowRefusal,
    RowsRefused,
    UpsertResult,
    bulk_upsert,
    parent_loops,
)
from revdesk.foundation.scoping import may_see

from .choices import Role
from .models import Customer, CustomerBankAccount, Distributor, Payee, Territory, UserProfile
from .policies import CUSTOMER_EDITABLE_FIELDS, customer_editable_fields

User = get_user_model()


def roles_ensure() -> dict[str, Group]:
    """Create the role groups if they are missing; returns them by role value."""
    return {role.value: Group.objects.get_or_create(name=role.label)[0] for role in Role}


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    roles: list[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    payee: Payee | None = None,
    distributor: Distributor | None = None,
    team_lead=None,
):
    """A login with its roles and profile; password None leaves it unusable until one is set."""
    groups = roles_ensure()
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=Role.ADMIN in roles,
        is_superuser=Role.ADMIN in roles,
    )
    user.groups.set([groups[Role(role).value] for role in roles])
    UserProfile.objects.create(user=user, distributor=distributor, team_lead=team_lead)
    if payee is not None:
        payee.user = user
        payee.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def customer_update(*, customer: Customer, actor, data: dict) -> bool:
    """Change a customer's fields; audited. Returns False when nothing changed.

    The actor's right to each field is checked here, on the row locked for the change, and
    the change may not move the customer out of what the actor can see. actor=None is the
    system itself (e.g. a scheduled job) and may change every editable field.
    """
    unknown = set(data) - set(CUSTOMER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    passed, customer = customer, Customer.objects.select_for_update().get(pk=customer.pk)
    if actor is not None:
        allowed = customer_editable_fields(user=actor, customer=customer)
        if not allowed:
            raise PermissionDenied(f"{actor.get_username()} may not change {customer}.")
        refused = sorted(set(data) - allowed)
        if refused:
            raise PermissionDenied(
                f"{actor.get_username()} may change only {', '.join(sorted(allowed))} on "
                f"{customer}, not {', '.join(refused)}."
            )
    if data.get("parent") is not None and _would_cycle(customer, data["parent"]):
        raise ValidationError({"parent": "A customer cannot be its own ancestor."})
    changed = audited_save(customer, actor=actor, fields=data)
    if actor is not None and changed and not may_see(actor, customer):
        raise PermissionDenied(
            f"That change would move {customer} out of what {actor.get_username()} can see."
        )
    passed.refresh_from_db()
    return changed


def _would_cycle(customer: Customer, parent: Customer) -> bool:
    node = parent
    while node is not None:
        if node.pk == customer.pk:
            return True
        node = node.parent
    return False


# Bulk upserts by natural key, for imports (revdesk.ingest). Rows carry resolved ids.

TERRITORY_IMPORT_FIELDS = ("name", "parent_id")
PAYEE_IMPORT_FIELDS = ("name", "email", "kind", "manager_id", "currency", "hired_on", "is_active")
DISTRIBUTOR_IMPORT_FIELDS = ("name", "country", "currency", "email", "is_active")
BANK_ACCOUNT_IMPORT_FIELDS = ("source",)
# The customer master an import keeps is what an editor may change, by column (parent_id, ...).
CUSTOMER_IMPORT_FIELDS = tuple(
    Customer._meta.get_field(name).attname for name in CUSTOMER_EDITABLE_FIELDS
)


def _refuse_self_reference(rows: Sequence[Mapping[str, object]], model, ref: str) -> None:
    """A row may not name itself as its own parent/manager (deeper cycles: the importer)."""
    codes = [row["code"] for row in rows if row.get(ref) is not None]
    if not codes:
        return
    ids = dict(model.objects.filter(code__in=codes).values_list("code", "id"))
    for row in rows:
        if row.get(ref) is not None and ids.get(row["code"]) == row[ref]:
            raise ValidationError({ref: f"{row['code']} cannot be its own parent."})


def _refuse_loops(
    rows: Sequence[Mapping[str, object]], result: UpsertResult, model, ref: str, noun: str
) -> None:
    """After a batch is written: refuse any row that made its record its own ancestor through
    records already saved (e.g. a customer made the parent of its own parent). The caller's
    transaction rolls the batch back; the file's own loops are found by the importer first."""
    ids = {
        result.objects[(row["code"],)].pk: index
        for index, row in enumerate(rows)
        if row.get(ref) is not None and result.outcomes.get((row["code"],)) is not Outcome.UNCHANGED
    }
    loops = parent_loops(model=model, field=ref, ids=ids)
    if not loops:
        return
    codes = dict(
        model.objects.filter(pk__in={pk for loop in loops.values() for pk in loop}).values_list(
            "pk", "code"
        )
    )
    refusals = []
    for pk, loop in loops.items():
        row = rows[ids[pk]]
        shown = " → ".join(codes[node] for node in loop)
        refusals.append(
            RowRefusal(
                ids[pk],
                ref,
                codes[row[ref]],
                f"a {noun} that is not below {row['code']}: {codes[row[ref]]} is already "
                f"below {row['code']} in Revdesk, so this would make a loop ({shown})",
            )
        )
    raise RowsRefused(sorted(refusals, key=lambda refusal: refusal.index))


@transaction.atomic
def territories_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update territories by code; audited. A parent must already be saved."""
    _refuse_self_reference(rows, Territory, "parent_id")
    result = bulk_upsert(
        model=Territory, key=("code",), rows=rows, fields=TERRITORY_IMPORT_FIELDS, actor=actor
    )
    _refuse_loops(rows, result, Territory, "parent_id", "parent")
    return result


@transaction.atomic
def payees_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update payees by code (employee number); audited."""
    _refuse_self_reference(rows, Payee, "manager_id")
    result = bulk_upsert(
        model=Payee, key=("code",), rows=rows, fields=PAYEE_IMPORT_FIELDS, actor=actor
    )
    _refuse_loops(rows, result, Payee, "manager_id", "manager")
    return result


@transaction.atomic
def distributors_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update distributors by code; audited."""
    return bulk_upsert(
        model=Distributor,
        key=("code",),
        rows=rows,
        fields=DISTRIBUTOR_IMPORT_FIELDS,
        actor=actor,
    )


@transaction.atomic
def customers_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Create or update customers by code; audited. A parent must already be saved."""
    _refuse_self_reference(rows, Customer, "parent_id")
    result = bulk_upsert(
        model=Customer, key=("code",), rows=rows, fields=CUSTOMER_IMPORT_FIELDS, actor=actor
    )
    _refuse_loops(rows, result, Customer, "parent_id", "parent")
    return result


def bank_account_key(account: str) -> str:
    """An account number as cash application compares it: no spaces, dashes or dots, upper
    case ("DE44 5001-0517" and "de4450010517" are one account)."""
    return "".join(ch for ch in account if ch.isalnum()).upper()


@transaction.atomic
def customer_bank_account_learn(
    *, customer: Customer, account: str, actor
) -> CustomerBankAccount | None:
    """Tie a payer's account to a customer, learnt from a receipt a person applied to the
    customer's invoices (cash application): the next bank file identifies the payer by it.
    Nothing is learnt (None) from an empty account or one already known to any customer (a
    master account is never overruled, and an account two customers share identifies
    nobody); audited."""
    key = bank_account_key(account or "")
    if not key or CustomerBankAccount.objects.select_for_update().filter(account=key).exists():
        return None
    link = CustomerBankAccount(customer=customer)
    audited_save(
        link,
        actor=actor,
        fields={
            "account": key,
            "source": CustomerBankAccount.Source.LEARNT,
            "confirmed_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    return link


@transaction.atomic
def customer_bank_accounts_upsert(*, rows: Sequence[Mapping[str, object]], actor) -> UpsertResult:
    """Accounts customers pay from, by (customer_id, account), the account as
    `bank_account_key` writes it; audited."""
    rows = [
        {**row, "account": bank_account_key(str(row["account"])), "source": "master"}
        for row in rows
    ]
    return bulk_upsert(
        model=CustomerBankAccount,
        key=("customer_id", "account"),
        rows=rows,
        fields=BANK_ACCOUNT_IMPORT_FIELDS,
        actor=actor,
    )
