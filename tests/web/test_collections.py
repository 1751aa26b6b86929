"""The collections report pages: aging (and the items behind a figure), Top Past Due and
the KPIs, their downloads, and who may open them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from receivables.examples import example_01_build, example_02_build
from revdesk.testing import signed_in

D = Decimal
ON = "as_of=2026-10-31"


@pytest.fixture
def example(world):
    return example_01_build(world)


def test_the_aging_page_shows_every_bucket(client, example):
    response = signed_in(client, "admin").get(reverse("web:collections_aging") + "?" + ON)
    assert response.status_code == 200
    report = response.context["report"]
    assert [(r["customer"], r["past_due"], r["net"]) for r in report.rows] == [
        ("C1", D("7000.00"), D("10000.00")),
        ("C2", D("18800.00"), D("18300.00")),
    ]
    html = response.content.decode()
    assert "Over 120" in html
    assert "Open credits" in html
    assert "18,300.00" in html
    assert "28,300.00" in html


def test_a_collector_sees_their_portfolio_and_a_rep_no_page(client, example):
    response = signed_in(client, "collector").get(reverse("web:collections_aging") + "?" + ON)
    assert [r["customer"] for r in response.context["report"].rows] == ["C1"]
    client.logout()
    assert signed_in(client, "rep").get(reverse("web:collections_aging")).status_code == 404
    assert signed_in(client, "rep").get(reverse("web:collections_kpis")).status_code == 404
    assert signed_in(client, "rep").get(reverse("web:collections_kpis_excel")).status_code == 404


def test_a_figure_lists_its_items(client, example):
    url = reverse("web:collections_aging_items") + f"?{ON}&by=customer&key=C2&bucket=over-120"
    response = signed_in(client, "admin").get(url)
    assert [(i["document"], i["amount"]) for i in response.context["items"]] == [
        ("INV-7", D("7000.00"))
    ]
    # the aging links each figure to its items
    aging = client.get(reverse("web:collections_aging") + "?" + ON).content.decode()
    assert "key=C2&amp;currency=USD&amp;bucket=over-120" in aging


def test_bad_buckets_are_refused_with_the_reason(client, example):
    response = signed_in(client, "admin").get(
        reverse("web:collections_aging") + f"?{ON}&buckets=60,30"
    )
    assert response.status_code == 400
    assert "bucket limits go up, each once" in response.content.decode()


def test_the_aging_downloads_as_excel(client, example):
    url = reverse("web:collections_aging_excel") + f"?{ON}&by=customer"
    response = signed_in(client, "admin").get(url)
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="aging-2026-10-31-by-customer.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Customer", "Name", "Currency", "Current", "1–30")
    assert rows[2][:3] == ("C2", "Customer C2", "USD")
    assert rows[2][rows[0].index("Net open")] == 18300  # a number, not text
    assert rows[4][0] == "Total"
    assert rows[4][rows[0].index("Net open")] == 28300


def test_top_past_due_page_and_downloads(client, example):
    response = signed_in(client, "admin").get(reverse("web:collections_top_past_due") + "?" + ON)
    assert [(r.rank, r.code, r.past_due) for r in response.context["report"].rows] == [
        (1, "C2", D("18800.00")),
        (2, "C1", D("7000.00")),
    ]
    excel = client.get(reverse("web:collections_top_past_due_excel") + "?" + ON)
    rows = list(load_workbook(io.BytesIO(excel.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == (1, "C2", "Customer C2")
    pdf = client.get(reverse("web:collections_top_past_due_pdf") + "?" + ON)
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Top 20 past due on 2026-10-31" in text
    assert "18,800.00" in text
    assert "Customer C2" in text


def test_the_kpi_page(client, world):
    example_02_build(world)
    url = reverse("web:collections_kpis") + "?first=2026-07&last=2026-09&by=company"
    response = signed_in(client, "admin").get(url)
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row.figures.values["dso_countback"] == D("63.58")
    assert row.figures.values["cei_percent"] == D("75.61")
    html = response.content.decode()
    assert "63.58" in html
    assert "75.61%" in html
    # the trend: each month over the quarter it ends; the quarter to September is the case's
    charts = {chart["id"]: chart for chart in response.context["charts"]}
    dso = dict(charts["chart-dso-USD"]["rows"])["DSO"]
    assert dso[charts["chart-dso-USD"]["x"].index("2026-09")] == D("63.58")
    bad = client.get(reverse("web:collections_kpis") + "?first=2026-09&last=2026-07")
    assert bad.status_code == 400
    assert "The last month comes after the first." in bad.content.decode()


def test_the_kpi_page_per_collector_with_the_new_kpis(client, world):
    from receivables.examples import example_kpis_build

    example_kpis_build(world)
    url = reverse("web:collections_kpis") + "?first=2026-07&last=2026-09&by=collector"
    response = signed_in(client, "admin").get(url)
    assert response.status_code == 200
    rows = {row.key: row for row in response.context["rows"]}
    assert list(rows) == ["", "collector", "collector2"]
    assert rows["collector2"].figures.values["current_percent"] == D("42.86")
    end = response.content.decode().split('data-testid="kpi-end-table"')[1].split("</table>")[0]
    for shown in ("42.86%", "1,500.00", "2,500.00", "76.00"):
        assert shown in end
    # the figure chosen, a line per collector, the quarter to September the report's figures
    (dso,) = response.context["charts"]
    assert dso["id"] == "chart-dso-countback-USD"
    september = dso["x"].index("2026-09")
    assert dict(dso["rows"])["collector"][september] == D("63.58")
    chosen = client.get(url + "&chart=current_percent")
    (current,) = chosen.context["charts"]
    assert current["id"] == "chart-current-percent-USD"
    # the receipt of no known customer (U-1) has no % current in any month: no line
    assert {label: values[september] for label, values in current["rows"]} == {
        "collector": D("60.00"),
        "collector2": D("42.86"),
    }
    # a collector keeps the colour of their place among all the groups
    assert [(t["name"], t["colour"]) for t in current["traces"]] == [
        ("collector", 1),
        ("collector2", 2),
    ]
    (cash,) = client.get(url + "&chart=unapplied_cash").context["charts"]
    assert {label: values[september] for label, values in cash["rows"]} == {
        "(none)": D("2500.00"),
        "collector": D("0.00"),
        "collector2": D("1500.00"),
    }
    # the same rows in Excel, money and days as numbers
    assert 'data-testid="kpis-excel"' in response.content.decode()
    download = client.get(reverse("web:collections_kpis_excel") + "?" + url.split("?")[1])
    assert download["Content-Disposition"].endswith('kpis-2026-07-2026-09-collector.xlsx"')
    sheet = load_workbook(io.BytesIO(download.content))["KPIs"]
    header = [cell.value for cell in sheet[1]]
    found = {
        row[0]: dict(zip(header, row, strict=False))
        for row in sheet.iter_rows(min_row=2, max_row=4, values_only=True)
    }
    assert set(found) == {"(none)", "collector", "collector2"}
    columns = (
        "% current",
        "Unapplied cash",
        "Open disputes",
        "Average dispute age (days)",
        "Oldest dispute (days)",
        "Disputed over 90 days",
    )
    # the cells are numbers (Excel keeps them as floats): to the cent as written
    assert [str(found["collector2"][name]) for name in columns] == [
        "42.86",
        "1500",
        "2",
        "76",
        "121",
        "500",
    ]
    assert str(found["collector"]["DSO count-back"]) == "63.58"
    # by customer: the trend stays the company's, and says why
    by_customer = client.get(url.replace("by=collector", "by=customer"))
    assert response.context["trend"].by == "collector"
    assert by_customer.context["trend"].by == "company"
    assert "would not be readable" in by_customer.content.decode()
    # a collector: their portfolio only, on the table and the charts
    client.logout()
    mine = signed_in(client, "collector2").get(url)
    assert [row.key for row in mine.context["rows"]] == ["collector2"]
    (unapplied,) = (
        signed_in(client, "collector2").get(url + "&chart=unapplied_cash").context["charts"]
    )
    assert [label for label, _ in unapplied["rows"]] == ["collector2"]
    assert unapplied["rows"][0][1][september] == D("1500.00")


def test_a_leader_keeps_the_months_list_and_sees_the_movement(client, example):
    from revdesk.receivables.models import TopPastDueSnapshot

    signed_in(client, "leader")
    response = client.post(
        reverse("web:collections_top_past_due_keep"), {"period": "2026-09", "top": "20"}
    )
    assert response.status_code == 302
    assert TopPastDueSnapshot.objects.get().period == "2026-09"
    page = client.get(reverse("web:collections_top_past_due") + "?" + ON)
    assert page.context["before"] == "2026-09"
    html = page.content.decode()
    assert "vs 2026-09" in html
    assert "+4,300.00" in html  # C2: 14,500.00 past due then, 18,800.00 now
    assert page.context["keep_periods"] == ["2026-10"]
    client.logout()
    signed_in(client, "collector")
    refused = client.post(reverse("web:collections_top_past_due_keep"), {"period": "2026-10"})
    assert refused.status_code == 404
    assert TopPastDueSnapshot.objects.count() == 1
