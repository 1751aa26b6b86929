"""Permission-aware querysets: every queryset a person reaches goes through `restrict`.

Apps register one rule per model: a function from a Viewer (what the person may see) to a Q.
A model without a rule is hidden from everyone who does not see everything (deny by default).
The Viewer itself is worked out by `revdesk.parties.scoping.viewer_for`, registered here at
start-up, so the framework does not depend on the domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Viewer:
    user: object
    roles: frozenset[str] = frozenset()
    sees_everything: bool = False
    payee_ids: frozenset[int] = frozenset()
    collector_ids: frozenset[int] = frozenset()
    distributor_ids: frozenset[int] = frozenset()
    notes: tuple[str, ...] = field(default=())

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


ScopeRule = Callable[[Viewer], Q]
_rules: dict[type[Model], ScopeRule] = {}
_public: set[type[Model]] = set()
_viewer_factory: list[Callable[[object], Viewer]] = []


def scope_rule(model: type[Model]) -> Callable[[ScopeRule], ScopeRule]:
    def register(rule: ScopeRule) -> ScopeRule:
        _rules[model] = rule
        return rule

    return register


def scope_public(*models: type[Model]) -> None:
    """Reference data every signed-in person may read (products, territories...)."""
    _public.update(models)


def viewer_factory_register(factory: Callable[[object], Viewer]) -> None:
    _viewer_factory[:] = [factory]


def viewer_for(user) -> Viewer:
    cached = getattr(user, "_revdesk_viewer", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False):
        viewer = Viewer(user=user)
    elif not _viewer_factory:
        raise RuntimeError("no viewer factory registered (is revdesk.parties installed?)")
    else:
        viewer = _viewer_factory[0](user)
    if user is not None:
        user._revdesk_viewer = viewer
    return viewer


def restrict(queryset: QuerySet, user) -> QuerySet:
    """The part of queryset this user may see."""
    viewer = viewer_for(user)
    if viewer.user is None or not getattr(viewer.user, "is_authenticated", False):
        return queryset.none()
    if viewer.sees_everything:
        return queryset
    model = queryset.model
    if model in _public:
        return queryset
    rule = _rules.get(model)
    if rule is None:
        return queryset.none()
    return queryset.filter(rule(viewer))


def may_see(user, instance: Model) -> bool:
    return restrict(type(instance)._default_manager.filter(pk=instance.pk), user).exists()
