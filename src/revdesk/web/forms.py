from django import forms
from django.contrib.auth import get_user_model

from revdesk.foundation.scoping import restrict, viewer_for
from revdesk.parties.choices import Role
from revdesk.parties.models import Customer, Payee, Territory
from revdesk.parties.policies import CUSTOMER_EDITABLE_FIELDS

COLLECTOR_GROUPS = (Role.COLLECTOR.label, Role.SENIOR_COLLECTOR.label)


class CustomerForm(forms.ModelForm):
    """The editable customer fields this person may change; the service does the saving."""

    class Meta:
        model = Customer
        fields = CUSTOMER_EDITABLE_FIELDS
        labels = {
            "payment_terms_days": "Payment terms (days)",
            "is_key_account": "Key account",
            "is_active": "Active",
        }

    def __init__(self, *args, user, allowed_fields, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in allowed_fields:
                del self.fields[name]
        current = self.instance
        if "parent" in self.fields:
            self.fields["parent"].queryset = restrict(Customer.objects.all(), user).exclude(
                pk=current.pk
            )
        if "territory" in self.fields:
            self.fields["territory"].queryset = Territory.objects.all()
        if "sales_rep" in self.fields:
            self.fields["sales_rep"].queryset = restrict(Payee.objects.all(), user)
        if "collector" in self.fields:
            users = get_user_model().objects.filter(groups__name__in=COLLECTOR_GROUPS)
            viewer = viewer_for(user)
            if not viewer.sees_everything:
                users = users.filter(pk__in=viewer.collector_ids)
            self.fields["collector"].queryset = users.distinct().order_by("username")
            self.fields["collector"].label_from_instance = lambda person: (
                person.get_full_name() or person.get_username()
            )
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "(none)"
        for name in ("country", "currency"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"size": 4, "autocomplete": "off"})
