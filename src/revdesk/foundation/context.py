"""Who is acting, and in which request: set by the web middleware, the API and the CLI."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActionContext:
    user: object | None
    source: str
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def user_name(self) -> str:
        if self.user is None or not getattr(self.user, "is_authenticated", False):
            return "system"
        return self.user.get_username()


_current: ContextVar[ActionContext | None] = ContextVar("revdesk_action", default=None)


def current_action() -> ActionContext:
    return _current.get() or ActionContext(user=None, source="system")


@contextmanager
def acting_as(user: object | None, source: str) -> Iterator[ActionContext]:
    """Everything audited inside this block is attributed to user, from source."""
    context = ActionContext(user=user, source=source)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
