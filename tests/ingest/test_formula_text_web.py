"""The web list's Excel export writes text that looks like a formula as text (type "s")."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from revdesk.parties.models import Customer
from revdesk.testing import signed_in

HYPERLINK = '=HYPERLINK("http://x","y")'


def _name_customer(name):
    Customer.objects.filter(code="C-1000").update(name=name)


def test_web_list_export_writes_a_formula_like_name_as_text(client, world):
    _name_customer(HYPERLINK)
    signed_in(client, "admin")
    export = client.get(reverse("web:customer_list") + "?export=xlsx&sort=code")
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Name")
    name = next(row[column] for row in sheet.iter_rows(min_row=2) if row[column].value)
    assert (name.value, name.data_type) == (HYPERLINK, "s")
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
