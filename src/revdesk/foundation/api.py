"""API plumbing shared by every router: authentication, money in JSON, errors in plain words.

- Authentication: `Authorization: Bearer <token>` (tokens from `revdesk token create USER`;
  only a hash is stored), or the browser's signed-in session (so "Try it out" works at
  /api/docs). Session requests that change data must carry the CSRF token, as on any page.
- Money: an amount is a string with two decimals ("1234.50") and the object carries its
  currency beside it. Amounts sent to the API must be strings too (floats are not exact).
- Errors: `{"detail": "<one sentence>"}`; validation errors add `errors`, one entry per field
  with `field`, `message` and (when known) the `value` that was refused.
"""

import json
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from revdesk.engine.money import D, round_money

from .models import ApiToken
from .scoping import viewer_for

# --- authentication -------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """A bearer token; unknown, expired tokens and inactive users are refused (401)."""

    def authenticate(self, request, token: str):
        key_hash = ApiToken.hash_key(token)
        found = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.expires_at is not None and found.expires_at <= now:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The Django session of a signed-in person; CSRF is checked for unsafe methods.

    Without a session cookie this answers "not signed in" (401), never a CSRF failure, so a
    script with a wrong token learns that its token is wrong.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if not key:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request):
            raise HttpError(
                403,
                "The CSRF check failed: a signed-in browser must send the X-CSRFToken "
                "header with the csrftoken cookie's value. Scripts should use a bearer "
                "token instead.",
            )
        return key


def api_auth() -> list:
    return [TokenAuth(), BrowserSessionAuth()]


# --- money in JSON --------------------------------------------------------------------------


def _amount_text(value: Decimal) -> str:
    return format(round_money(value), "f")


def _amount_in(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f'send the amount as a string, e.g. "{value}", so it stays exact')
    try:
        return D(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f'{value!r} is not an amount; expected e.g. "1234.50"') from error


_AMOUNT_SCHEMA = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.50"]}

Amount = Annotated[
    Decimal,
    PlainSerializer(_amount_text, return_type=str),
    WithJsonSchema(_AMOUNT_SCHEMA),
]
"""An amount in a response: a string with two decimals; the currency is a sibling field."""

AmountIn = Annotated[
    Decimal,
    BeforeValidator(_amount_in),
    WithJsonSchema({"type": "string", "examples": ["1234.50"]}),
]
"""An amount in a request: a string (or a whole number); floats are refused."""

Quantity = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["2.00"]}),
]


# --- pagination and lookups -----------------------------------------------------------------


class Pagination(PageNumberPagination):
    """`?page=1&page_size=50` (at most 500); the answer is `{"items": [...], "count": N}`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", 50)
        kwargs.setdefault("max_page_size", 500)
        super().__init__(**kwargs)


def visible_or_404(visible: QuerySet, *, label: str, **lookup: Any) -> Model:
    """The one object matching lookup in `visible` (a queryset a selector has already
    restricted to what the caller may see), else a plain 404.

    Objects outside a person's scope answer exactly as objects that do not exist, so the API
    never confirms what someone may not see.
    """
    found = visible.filter(**lookup).first()
    if found is None:
        described = ", ".join(f"{key} {value}" for key, value in lookup.items())
        raise HttpError(404, f"No {label} with {described} among the records you may see.")
    return found


# --- errors in plain words ------------------------------------------------------------------

_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_of(location: list | tuple, param_names: set[str]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in param_names:
        parts = parts[1:]
    return ".".join(parts) or "request"


def _message_of(error: dict) -> str:
    message = str(error.get("msg", "is not valid"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if error.get("type") == "extra_forbidden":
        return "is not a field you can set here"
    return message


def _problems_text(request, errors: list[dict]) -> str:
    described = "; ".join(
        f"{error['field']}: {error['message']}"
        + (f" (got {error['value']!r})" if "value" in error else "")
        for error in errors
    )
    noun = "problem" if len(errors) == 1 else "problems"
    unchanged = "" if request.method in {"GET", "HEAD", "OPTIONS"} else ", nothing was changed"
    return f"The request has {len(errors)} {noun}{unchanged}. {described}"


def _sent_values(request) -> dict:
    """The JSON object the request sent, to name refused values in errors; {} otherwise."""
    if request.content_type != "application/json":
        return {}
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _validation_error(request, exc: NinjaValidationError, api):
    param_names = {"payload", "filters", "data", "pagination", "ninja_pagination"}
    errors = []
    for error in exc.errors:
        item = {
            "field": _field_of(error.get("loc", ()), param_names),
            "message": _message_of(error),
        }
        if "input" in error and not isinstance(error["input"], dict | list | type(None)):
            item["value"] = error["input"]
        errors.append(item)
    return api.create_response(
        request, {"detail": _problems_text(request, errors), "errors": errors}, status=422
    )


def _django_validation_error(request, exc: DjangoValidationError, api):
    errors = []
    sent = _sent_values(request)
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.message_dict.items():
            for message in field_errors:
                item = {"field": field, "message": message}
                if field in sent and not isinstance(sent[field], dict | list | type(None)):
                    item["value"] = sent[field]
                errors.append(item)
    else:
        errors = [{"field": "request", "message": message} for message in exc.messages]
    return api.create_response(
        request, {"detail": _problems_text(request, errors), "errors": errors}, status=422
    )


def _authentication_error(request, exc: AuthenticationError, api):
    if request.headers.get("Authorization"):
        detail = (
            "The API token was not accepted: it is unknown, expired, or its user is inactive. "
            "Create a new one with `revdesk token create USER`."
        )
    else:
        detail = (
            "Sign in, or send `Authorization: Bearer <token>` "
            "(create a token with `revdesk token create USER`)."
        )
    return api.create_response(request, {"detail": detail}, status=401)


class RevdeskAPI(NinjaAPI):
    """NinjaAPI that keeps the refused value in validation errors (Ninja drops it)."""

    def validation_error_from_error_contexts(self, error_contexts) -> NinjaValidationError:
        errors = []
        for context in error_contexts:
            model = context.model
            for error in context.pydantic_validation_error.errors(include_url=False):
                item = dict(error)
                location = model.__ninja_flatten_map_reverse__.get(error["loc"], error["loc"])
                item["loc"] = (model.__ninja_param_source__, *location)
                item.pop("ctx", None)
                errors.append(item)
        return NinjaValidationError(errors)


def exception_handlers_install(api) -> None:
    api.add_exception_handler(NinjaValidationError, lambda r, e: _validation_error(r, e, api))
    api.add_exception_handler(
        DjangoValidationError, lambda r, e: _django_validation_error(r, e, api)
    )
    api.add_exception_handler(AuthenticationError, lambda r, e: _authentication_error(r, e, api))


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    message: str
    value: Any = None


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


# --- the foundation router: who am I --------------------------------------------------------

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    sees_everything: bool


@router.get("/me", response=MeOut, summary="Who the API thinks you are, and your roles")
def me(request):
    viewer = viewer_for(request.auth)
    return MeOut(
        username=request.auth.get_username(),
        full_name=request.auth.get_full_name(),
        roles=sorted(viewer.roles),
        sees_everything=viewer.sees_everything,
    )
