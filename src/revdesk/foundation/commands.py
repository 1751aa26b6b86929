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
    create.add_argument(
        "--expires-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="refuse the token after this many days (default: never expires)",
    )
    create.set_defaults(handler=_token_create)


def _migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def _token_create(args: argparse.Namespace) -> int:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from .services import api_token_create

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        print(f"No user named {args.username!r}.")
        return 1
    expires_at = None
    if args.expires_days is not None:
        if args.expires_days < 1:
            print(f"--expires-days must be 1 or more, got {args.expires_days}.")
            return 1
        expires_at = timezone.now() + dt.timedelta(days=args.expires_days)
    _, raw = api_token_create(user=user, name=args.name, actor=None, expires_at=expires_at)
    print(raw)
    return 0
