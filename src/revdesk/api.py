"""The API root: one NinjaAPI, each app adds its router. OpenAPI at /api/docs.

The API layer is a tree nothing else imports: routers call selectors and services only.
"""

from revdesk.cases.api import router as cases_router
from revdesk.catalog.api import router as catalog_router
from revdesk.compensation.api import router as compensation_router
from revdesk.foundation.api import RevdeskAPI, api_auth, exception_handlers_install
from revdesk.foundation.api import router as foundation_router
from revdesk.orders.api import router as orders_router
from revdesk.parties.api import router as parties_router
from revdesk.receivables.api import router as receivables_router
from revdesk.receivables.cash_api import router as cash_router
from revdesk.receivables.collections_api import router as collections_router

api = RevdeskAPI(
    title="Revdesk API",
    version="1",
    description=(
        "Customers, payees, distributors, territories, products, orders, invoices, "
        "payments, cash application, cases, commission runs and claims: each person sees only "
        "what their role allows.\n\n"
        "Authenticate with `Authorization: Bearer <token>` (create one with "
        "`revdesk token create USER --name WHAT-FOR`; it is shown once), or sign in to the "
        "web app first and use this page in the same browser.\n\n"
        'Amounts are strings with two decimals (`"1234.50"`) and the currency is beside '
        "them. Lists are paged: `?page=1&page_size=50` answers `{items, count}`. Errors "
        "answer `{detail}` in plain words, with `errors` (field, message, value) when the "
        "request itself was not valid."
    ),
    auth=api_auth(),
    urls_namespace="api",
)
exception_handlers_install(api)

api.add_router("/", foundation_router)
api.add_router("/", parties_router)
api.add_router("/", catalog_router)
api.add_router("/", orders_router)
api.add_router("/", receivables_router)
api.add_router("/", collections_router)
api.add_router("/", cash_router)
api.add_router("/", cases_router)
api.add_router("/", compensation_router)
