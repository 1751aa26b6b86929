import pytest
from django.contrib.contenttypes.models import ContentType

from revdesk.catalog.models import BillingCode, Product, ProductLine
from revdesk.foundation.models import ChangeRecord
from revdesk.ingest.models import ImportRun
from revdesk.orders.models import Order, OrderLine
from revdesk.parties.models import Customer, Distributor, Payee, Territory
from revdesk.receivables.models import CreditMemo, Invoice, Payment, PaymentApplication

DOMAIN_MODELS = (
    Territory,
    Payee,
    Distributor,
    Customer,
    ProductLine,
    BillingCode,
    Product,
    Order,
    OrderLine,
    Invoice,
    CreditMemo,
    Payment,
    PaymentApplication,
    ChangeRecord,
)


def database_state():
    """Every domain row, as values, plus the change log: to prove nothing was written."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DOMAIN_MODELS}


@pytest.fixture
def write(tmp_path):
    """write("name.csv", text, encoding="utf-8") -> Path"""

    def _write(name: str, text: str, encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


def records_for(model):
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(model))


__all__ = ["ImportRun", "database_state", "records_for"]
