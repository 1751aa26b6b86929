"""Bad filter values and page numbers in a list's address are answered, not hidden."""

import pytest
from django.urls import reverse

from revdesk.testing import signed_in


@pytest.mark.parametrize(
    ("url", "label", "given"),
    [
        ("/invoices/?issued_after=2026-13-45", "Issued from", "2026-13-45"),
        ("/orders/?booked_after=garbage", "Booked from", "garbage"),
    ],
)
def test_bad_filter_value_is_named_not_shown_as_no_rows(client, ledger, url, label, given):
    response = signed_in(client, "admin").get(url)
    assert response.context["filter_errors"] == [(label, given, "Enter a valid date.")]
    assert response.context["rows"] == []
    page = response.content.decode()
    assert "Nothing matches these filters." not in page
    assert "Nothing is listed until these filters are fixed:" in page
    assert f"<strong>{label}</strong> “{given}”: Enter a valid date." in page
    # the field in the form says it too
    assert '<span class="field-error">Enter a valid date.</span>' in page
    # and so does the fragment the page swaps in when the filter form is sent in place
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f"<strong>{label}</strong> “{given}”: Enter a valid date." in fragment


@pytest.mark.parametrize(("given", "expected"), [("0", 1), ("-2", 1), ("abc", 1), ("", 1)])
def test_invalid_page_number_is_the_first_page(client, ledger, settings, given, expected):
    signed_in(client, "admin")
    response = client.get(reverse("web:payment_list"), {"page": given, "sort": "number"})
    assert response.context["page"].number == expected


def test_page_past_the_end_is_the_last_page(client, ledger, monkeypatch):
    from revdesk.web.views import PaymentListView

    monkeypatch.setattr(PaymentListView, "paginate_by", 2)
    signed_in(client, "admin")
    response = client.get(reverse("web:payment_list"), {"page": "99", "sort": "number"})
    # RCPT-1, PAY-1, PAY-2, PAY-3: two pages of two
    assert response.context["page"].number == 2
    assert [row[0].text for row in response.context["rows"]] == ["PAY-3", "RCPT-1"]
    response = client.get(reverse("web:payment_list"), {"page": "0", "sort": "number"})
    assert [row[0].text for row in response.context["rows"]] == ["PAY-1", "PAY-2"]
