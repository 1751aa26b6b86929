"""Claims for credit under a crediting policy: the claims queue and the claim form.

A claim is a `commission_claim` case (revdesk.compensation.claims): it is worked, approved
or denied on its case page, where the claim panel shows the policy's split and who played
each role. A rep files claims for themself and sees only claims that name them; analysts,
managers and administrators see every claim.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from revdesk.cases.attachments import AttachmentRefused, attachment_add
from revdesk.cases.choices import Visibility
from revdesk.compensation.claims import claim_file
from revdesk.compensation.models import ClaimDecision, CreditingPolicy
from revdesk.compensation.selectors import claim_list, policies_in_force
from revdesk.foundation.views import user_has_role
from revdesk.parties.models import Payee
from revdesk.receivables.models import Invoice

from . import roles


def _require(user, allowed) -> None:
    if not user_has_role(user, allowed):
        raise Http404("No such page.")


def _own_payee(user) -> Payee | None:
    return Payee.objects.filter(user=user).first()


def _is_staff(user) -> bool:
    return user_has_role(user, roles.CLAIM_STAFF_ROLES)


@login_required
def claim_list_page(request):
    user = request.user
    _require(user, roles.CLAIM_ROLES)
    decision = request.GET.get("decision", "")
    if decision not in ClaimDecision.values:
        decision = ""
    claims = list(claim_list(user, decision=decision or None))
    for claim in claims:
        claim.split = _split(claim)
    return render(
        request,
        "web/claims/list.html",
        {
            "title": "Claims" if _is_staff(user) else "My claims",
            "claims": claims,
            "decision": decision,
            "decisions": ClaimDecision.choices,
            "may_file": user_has_role(user, roles.CLAIM_FILE_ROLES),
        },
    )


class ClaimForm(forms.Form):
    """The claim: policy, invoices, who played each role, what happened, evidence."""

    policy = forms.ModelChoiceField(
        queryset=CreditingPolicy.objects.none(),
        empty_label="Choose the crediting policy",
        help_text="The written policy the claim is made under",
    )
    invoices = forms.CharField(
        label="Invoice numbers", help_text="The invoices to re-credit, separated by commas"
    )
    claimant = forms.ModelChoiceField(
        queryset=Payee.objects.order_by("code"), label="Claimed by", required=False
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What happened",
        help_text="Who specified, ordered and installed, and how you know",
    )
    evidence = forms.FileField(
        required=False,
        label="Evidence",
        help_text="A work order, design document or e-mail (PDF, image, Excel, Word)",
    )

    def __init__(self, *args, user, policy: CreditingPolicy | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.own = _own_payee(user)
        self.fields["policy"].queryset = policies_in_force(timezone.localdate()).order_by("number")
        if not _is_staff(user):
            del self.fields["claimant"]
        else:
            self.fields["claimant"].required = True
        self.policy = policy
        self.role_names: list[str] = []
        if policy is not None:
            # largest share first, equal shares by role name (PostgreSQL keeps no key order)
            for role, share in sorted(
                policy.splits.items(), key=lambda item: (-Decimal(str(item[1])), item[0])
            ):
                name = f"role_{role}"
                self.role_names.append(role)
                self.fields[name] = forms.ModelChoiceField(
                    queryset=Payee.objects.order_by("code"),
                    label=f"{role.capitalize()} ({_percent(share)} of the credit)",
                    empty_label="Choose who was " + role,
                )

    def clean_invoices(self) -> list[Invoice]:
        numbers = [n for n in re.split(r"[\s,;]+", self.cleaned_data["invoices"]) if n]
        if not numbers:
            raise ValidationError("Name at least one invoice.")
        found = {i.number: i for i in Invoice.objects.filter(number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise ValidationError(f"No invoice is numbered {', '.join(unknown)}.")
        return [found[n] for n in dict.fromkeys(numbers)]

    def clean(self):
        data = super().clean()
        if not _is_staff(self.user) and self.own is None:
            raise ValidationError("Your login is not linked to a payee: ask an analyst to file it.")
        return data

    @property
    def role_fields(self):
        return [self[f"role_{role}"] for role in self.role_names]

    @property
    def other_fields(self):
        return [f for f in self if not f.name.startswith("role_") and f.name != "policy"]


def _policy_of(request) -> CreditingPolicy | None:
    value = request.POST.get("policy") or request.GET.get("policy")
    if not value or not str(value).isdigit():
        return None
    return policies_in_force(timezone.localdate()).filter(pk=value).first()


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    user = request.user
    _require(user, roles.CLAIM_FILE_ROLES)
    policy = _policy_of(request)
    initial = {"policy": policy, "invoices": request.GET.get("invoice", "")}
    if request.method == "POST" and policy is not None:
        form = ClaimForm(request.POST, request.FILES, user=user, policy=policy)
        if form.is_valid():
            data = form.cleaned_data
            claimant = data.get("claimant") or form.own
            try:
                with transaction.atomic():
                    claim = claim_file(
                        actor=user,
                        policy=policy,
                        invoices=data["invoices"],
                        roles={role: data[f"role_{role}"] for role in form.role_names},
                        claimant=claimant,
                        description=data["description"],
                    )
                    upload = data.get("evidence")
                    if upload is not None:
                        attachment_add(
                            claim.case,
                            name=upload.name,
                            data=upload.read(),
                            actor=user,
                            visibility=Visibility.EXTERNAL,
                        )
            except AttachmentRefused as error:
                form.add_error("evidence", " ".join(error.messages))
            except ValidationError as error:
                for problem in error.messages:
                    form.add_error(None, problem)
            else:
                messages.success(
                    request,
                    f"Filed {claim.case.number}: the commissions team will review it. "
                    "Follow it on this page.",
                )
                return redirect(claim.case.get_absolute_url())
    else:
        form = ClaimForm(initial=initial, user=user, policy=policy)
    return render(
        request,
        "web/claims/new.html",
        {"title": "File a claim", "form": form, "policy": policy},
    )


def _percent(share) -> str:
    """A policy's share (0.25, "0.125") as a percentage: 25%, 12.5%."""
    return f"{(Decimal(str(share)) * 100).normalize():f}%"


def _split(claim) -> list[dict]:
    """Who played each role of the claim, the largest share first (equal shares by role name,
    as on the claim form), with the share as a percentage."""
    splits = claim.policy.splits
    rows = [
        {
            "role": r.role,
            "share": splits.get(r.role),
            "percent": _percent(splits.get(r.role, 0)),
            "payee": r.payee,
        }
        for r in claim.roles.all()
    ]
    return sorted(rows, key=lambda row: (-Decimal(str(row["share"] or 0)), row["role"]))


def claim_panel(case) -> dict | None:
    """What the case page shows of a commission claim (None for other cases)."""
    from revdesk.compensation.models import CreditClaim

    claim = (
        CreditClaim.objects.filter(case=case)
        .select_related("policy", "claimant", "decided_by")
        .prefetch_related("invoices__invoice", "roles__payee")
        .first()
    )
    if claim is None:
        return None
    return {
        "claim": claim,
        "roles": _split(claim),
        "invoices": [item.invoice for item in claim.invoices.all()],
    }
