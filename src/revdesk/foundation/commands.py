"""`revdesk token` and `revdesk migrate`."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    migrate = subparsers.add_parser("migrate", help="create or upgrade the database")
    migrate.set_defaults(handler=_migrate)

    token = subparsers.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = token_sub.add_parser("create", help="create a token for a user (shown once)")
    create.add_argument("username")
    create.add_argument("--name", default="cli", help="what the token is for")
    create.set_defaults(handler=_token_create)


def _migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from .services import api_token_create

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"No user named {args.username!r}.")
        return 1
    _, raw = api_token_create(user=user, name=args.name, actor=None)
    print(raw)
    return 0
