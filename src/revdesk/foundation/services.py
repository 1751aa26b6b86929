from django.db import transaction

from .audit import change_record_create
from .models import ApiToken, ChangeAction


@transaction.atomic
def api_token_create(*, user, name: str, actor, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw key, which is never stored or shown again."""
    raw = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(raw),
        prefix=raw[:8],
        expires_at=expires_at,
    )
    change_record_create(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=token,
        after={"user": user.pk, "name": name, "prefix": token.prefix},
    )
    return token, raw
