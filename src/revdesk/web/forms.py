import codecs

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from revdesk.foundation.scoping import restrict
from revdesk.foundation.views import person_name
from revdesk.parties.models import Customer, Payee, Territory
from revdesk.parties.policies import CUSTOMER_EDITABLE_FIELDS
from revdesk.parties.selectors import collector_list


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
            # the ones this person may assign, and whoever holds the customer now (so that
            # saving other fields does not fail when that collector has since left)
            allowed = Q(pk__in=collector_list(user=user).values("pk"))
            if current.collector_id is not None:
                allowed |= Q(pk=current.collector_id)
            users = get_user_model().objects.filter(allowed)
            self.fields["collector"].queryset = users.order_by("username")
            self.fields["collector"].label_from_instance = person_name
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = "(none)"
        for name in ("country", "currency"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"size": 4, "autocomplete": "off"})


class EncodingField(forms.CharField):
    """The text encoding of an uploaded CSV that is not UTF-8 (cp1252 from Excel on Windows),
    or empty: checked to be one Python can read."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Encoding")
        kwargs.setdefault(
            "help_text",
            "Only for a CSV file that is not UTF-8, e.g. cp1252 (Excel on Windows). "
            "Leave empty otherwise.",
        )
        super().__init__(required=False, max_length=40, **kwargs)

    def clean(self, value):
        encoding = super().clean(value).strip()
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise forms.ValidationError(
                    f"'{encoding}' is not an encoding Revdesk knows. Try utf-8, cp1252 or "
                    "latin-1, or leave it empty."
                ) from None
        return encoding
