"""/api/products."""

from ninja import Query, Router
from ninja.pagination import paginate

from revdesk.foundation.api import ErrorOut, Pagination, visible_or_404
from revdesk.foundation.scoping import restrict

from .models import Product
from .schemas import ProductFilter, ProductOut

router = Router(tags=["catalog"])


def _products(user):
    return restrict(Product.objects.select_related("product_line", "billing_code"), user)


@router.get("/products", response=list[ProductOut], summary="The product catalogue")
@paginate(Pagination)
def product_list(request, filters: Query[ProductFilter]):
    return filters.filter(_products(request.auth))


@router.get("/products/{product_id}", response={200: ProductOut, 404: ErrorOut})
def product_detail(request, product_id: int):
    return visible_or_404(_products(request.auth), label="product", id=product_id)
