"""Forms of the case pages. They only read and check input; services do the writing."""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib.auth import get_user_model

from revdesk.cases import workflow
from revdesk.cases.choices import Priority, Status, Visibility
from revdesk.cases.models import Case, CaseType, ReasonCode, Team, TeamMembership
from revdesk.foundation.scoping import restrict
from revdesk.orders.selectors import order_list
from revdesk.parties.models import Customer
from revdesk.receivables.selectors import invoice_list

NUMBERS = re.compile(r"[\s,;]+")


def numbers_of(text: str) -> list[str]:
    """'INV-1, INV-2 INV-3' -> ['INV-1', 'INV-2', 'INV-3'] (order kept, no repeats)."""
    seen: list[str] = []
    for part in NUMBERS.split(text or ""):
        if part and part not in seen:
            seen.append(part)
    return seen


class ReasonSelect(forms.Select):
    """Reasons grouped by case type; each option says its type (data-type) so a little
    script can show only the reasons of the chosen type. Without it the groups still read."""

    def __init__(self, *args, types: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = types or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        type_code = self.types.get(str(value))
        if type_code:
            option["attrs"]["data-type"] = type_code
        return option


def reasons_grouped(reasons) -> tuple[list, dict[str, str]]:
    groups: dict[str, list] = {}
    types: dict[str, str] = {}
    for reason in reasons:
        groups.setdefault(reason.case_type.name, []).append((reason.pk, reason.label))
        types[str(reason.pk)] = reason.case_type.code
    return [("", "—"), *groups.items()], types


def invoices_resolve(user, text: str, customer=None) -> tuple[list, list[str]]:
    """Invoices by number, through what the person may see; (found, problems)."""
    found, problems = [], []
    visible = invoice_list(user=user)
    for number in numbers_of(text):
        invoice = visible.filter(number=number).first()
        if invoice is None:
            problems.append(f"{number} is not an invoice you may see: check the number.")
        elif customer is not None and invoice.customer_id != customer.pk:
            problems.append(f"{number} belongs to {invoice.customer.name}, not to {customer.name}.")
        else:
            found.append(invoice)
    return found, problems


def orders_resolve(user, text: str, customer=None) -> tuple[list, list[str]]:
    found, problems = [], []
    visible = order_list(user=user)
    for number in numbers_of(text):
        order = visible.filter(number=number).first()
        if order is None:
            problems.append(f"{number} is not an order you may see: check the number.")
        elif customer is not None and order.customer_id != customer.pk:
            problems.append(f"{number} belongs to {order.customer.name}, not to {customer.name}.")
        else:
            found.append(order)
    return found, problems


class CaseNewForm(forms.Form):
    case_type = forms.ModelChoiceField(
        queryset=CaseType.objects.filter(is_active=True).order_by("name"),
        label="Type",
        empty_label="Choose the kind of case",
    )
    title = forms.CharField(max_length=200, help_text="One line: what is wrong or asked")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    reason = forms.ModelChoiceField(
        queryset=ReasonCode.objects.filter(is_active=True).select_related("case_type"),
        required=False,
        help_text="Only the reasons of the chosen type can be used",
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False)
    amount = forms.DecimalField(
        max_digits=18, decimal_places=2, required=False, label="Amount in dispute or claimed"
    )
    currency = forms.CharField(
        max_length=3, required=False, help_text="Left empty: the customer's currency"
    )
    invoices = forms.CharField(
        required=False, label="Invoice numbers", help_text="Separated by commas or spaces"
    )
    orders = forms.CharField(required=False, label="Order numbers")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = restrict(
            Customer.objects.filter(is_active=True), user
        ).order_by("name")
        self.fields["customer"].label_from_instance = lambda c: f"{c.name} ({c.code})"
        self.fields["customer"].empty_label = "—"
        reasons = self.fields["reason"].queryset.order_by("case_type__name", "label")
        choices, types = reasons_grouped(reasons)
        self.fields["reason"].widget = ReasonSelect(types=types, choices=choices)
        self.fields["reason"].widget.attrs["data-reason-for"] = "id_case_type"
        types = {str(t.pk): t.code for t in self.fields["case_type"].queryset}
        self.fields["case_type"].widget.attrs["data-codes"] = json.dumps(types)
        self.subjects: list = []

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self):
        data = super().clean()
        case_type, reason = data.get("case_type"), data.get("reason")
        if case_type and reason and reason.case_type_id != case_type.pk:
            self.add_error(
                "reason", f"“{reason.label}” is a reason for {reason.case_type}, not {case_type}."
            )
        customer = data.get("customer")
        invoices, problems = invoices_resolve(self.user, data.get("invoices", ""), customer)
        for problem in problems:
            self.add_error("invoices", problem)
        orders, problems = orders_resolve(self.user, data.get("orders", ""), customer)
        for problem in problems:
            self.add_error("orders", problem)
        currency = data.get("currency")
        if data.get("amount") is not None and not currency:
            first = customer or next((d.customer for d in [*invoices, *orders]), None)
            if first is None:
                self.add_error("currency", "Give the currency of the amount (e.g. USD).")
        if currency and not re.fullmatch(r"[A-Z]{3}", currency):
            self.add_error("currency", f"“{currency}” is not a currency code like USD or CAD.")
        self.subjects = [*([customer] if customer else []), *invoices, *orders]
        return data


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="Move to")
    outcome = forms.ChoiceField(required=False, help_text="When resolving")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Resolution or reason",
        help_text="Resolving: what was decided and why. Rejecting or reopening: why.",
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        self.fields["to_status"].choices = [
            (status, labels[status]) for status in workflow.next_statuses(case.status)
        ]
        self.fields["outcome"].choices = [("", "—"), *case.case_type.outcome_choices()]


class AssignForm(forms.Form):
    owner = forms.ChoiceField(required=False, label="Owner")
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label="Team", empty_label=None)
    note = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        members = (
            TeamMembership.objects.filter(team=case.team, user__is_active=True)
            .select_related("user")
            .order_by("-level", "user__first_name", "user__username")
        )
        self.fields["owner"].choices = [
            ("", "Nobody (the team queue)"),
            *[(str(m.user_id), f"{_person(m.user)} ({m.get_level_display()})") for m in members],
        ]
        self.fields["team"].initial = case.team_id
        self.fields["owner"].initial = str(case.owner_id or "")

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        if not value:
            return None
        return get_user_model().objects.filter(pk=value, is_active=True).first()


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment",
        help_text="@username tells that person",
    )
    visibility = forms.ChoiceField(
        choices=[
            (Visibility.INTERNAL, "Internal (our teams only)"),
            (Visibility.EXTERNAL, "External (the customer, rep or distributor may see it)"),
        ],
        initial=Visibility.INTERNAL,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not internal:
            del self.fields["visibility"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AttachForm(forms.Form):
    files = MultipleFileField(label="Files")
    visibility = forms.ChoiceField(
        choices=[(Visibility.INTERNAL, "Internal"), (Visibility.EXTERNAL, "External")],
        initial=Visibility.INTERNAL,
    )

    def __init__(self, *args, internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not internal:
            del self.fields["visibility"]


class EditForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)
    reason = forms.ModelChoiceField(queryset=ReasonCode.objects.none(), required=False)
    amount = forms.DecimalField(max_digits=18, decimal_places=2, required=False)
    currency = forms.CharField(max_length=3, required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = ReasonCode.objects.filter(
            case_type=case.case_type, is_active=True
        ).order_by("label")
        self.fields["reason"].empty_label = "—"
        self.fields["priority"].initial = case.priority
        self.fields["reason"].initial = case.reason_id
        self.fields["amount"].initial = case.amount
        self.fields["currency"].initial = case.currency

    def clean_currency(self):
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if value and not re.fullmatch(r"[A-Z]{3}", value):
            raise forms.ValidationError(f"“{value}” is not a currency code like USD or CAD.")
        return value


LINK_KINDS = [("invoice", "Invoice"), ("order", "Order"), ("customer", "Customer")]


class LinkForm(forms.Form):
    kind = forms.ChoiceField(choices=LINK_KINDS, label="Link")
    number = forms.CharField(max_length=60, label="Number or code")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.target = None

    def clean(self):
        data = super().clean()
        kind, number = data.get("kind"), (data.get("number") or "").strip()
        if not kind or not number:
            return data
        if kind == "invoice":
            found, problems = invoices_resolve(self.user, number)
        elif kind == "order":
            found, problems = orders_resolve(self.user, number)
        else:
            customer = restrict(Customer.objects.all(), self.user).filter(code=number).first()
            found = [customer] if customer else []
            problems = [] if customer else [f"{number} is not a customer code you may see."]
        for problem in problems:
            self.add_error("number", problem)
        self.target = found[0] if found else None
        return data


class WorkInstructionForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 22}),
        label="Instruction (Markdown)",
        help_text="# Heading, - list item, **bold**, [text](https://link)",
    )
    note = forms.CharField(max_length=200, required=False, label="What changed")


class ReplyForm(forms.Form):
    to = forms.CharField(max_length=300, required=False, help_text="Left empty: the requester")
    subject = forms.CharField(max_length=300, required=False)
    template = forms.ChoiceField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "—"), *[(t.code, t.name) for t in templates]]
