"""The API root: one NinjaAPI, each app adds its router. OpenAPI at /api/docs."""

from ninja import NinjaAPI

from revdesk.foundation.api import TokenAuth

api = NinjaAPI(
    title="Revdesk API",
    version="1",
    description="Customers, payees, products, orders and receivables. Authenticate with "
    "`Authorization: Bearer <token>` (create one with `revdesk token create USER`).",
    auth=TokenAuth(),
    urls_namespace="api",
)
