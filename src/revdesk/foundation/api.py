"""API plumbing: bearer-token authentication, shared schemas."""

from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken


class TokenAuth(HttpBearer):
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
