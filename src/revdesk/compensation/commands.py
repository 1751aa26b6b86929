"""`revdesk commissions ...`: plans and crediting policies as records, the plan file schema."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    commissions = subparsers.add_parser(
        "commissions", help="the commissions desk: plans, crediting policies, calculation runs"
    )
    commands = commissions.add_subparsers(dest="commissions_command", metavar="COMMAND")
    commands.required = True
    plans = commands.add_parser("plans", help="import or export plan files")
    plan_commands = plans.add_subparsers(dest="plans_command", metavar="COMMAND")
    plan_commands.required = True
    load = plan_commands.add_parser(
        "import",
        help="save plan files (YAML) as plan versions; all or nothing, every mistake listed",
    )
    load.add_argument("paths", nargs="+", type=Path, help="plan files, or folders of them")
    load.set_defaults(handler=_import)
    save = plan_commands.add_parser("export", help="write every plan version as a file")
    save.add_argument("folder", type=Path)
    save.set_defaults(handler=_export)
    quotas = commands.add_parser("quotas", help="payees' quotas per period")
    quota_commands = quotas.add_subparsers(dest="quotas_command", metavar="COMMAND")
    quota_commands.required = True
    quota_load = quota_commands.add_parser(
        "import",
        help="load quotas from CSV or Parquet (payee, period, amount); all or nothing",
    )
    quota_load.add_argument("file", type=Path)
    quota_load.add_argument("--json", action="store_true", help="print the result as JSON")
    quota_load.set_defaults(handler=_quotas_import)
    schema = commands.add_parser(
        "schema", help="print the JSON Schema of plan files (for editors that validate YAML)"
    )
    schema.add_argument("--out", type=Path, help="write it to this file instead")
    schema.set_defaults(handler=_schema)
    _register_runs(commands)
    _register_documents(commands)
    _register_analytics(commands)


def _register_runs(commands) -> None:
    from .run_commands import register as register_runs

    register_runs(commands)


def _register_documents(commands) -> None:
    from .document_commands import register as register_documents

    register_documents(commands)


def _register_analytics(commands) -> None:
    from .analytics_commands import register as register_analytics

    register_analytics(commands)


def _plan_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.glob("*.y*ml") if p.stem not in ("policies", "assignments")
            )
        else:
            files.append(path)
    return files


def _import(args: argparse.Namespace) -> int:
    from django.db import transaction
    from rich.console import Console

    from revdesk.foundation.context import acting_as

    from .services import PlanRefused, plan_version_save

    console = Console()
    files = _plan_files(args.paths)
    if not files:
        console.print("No plan files (*.yaml) there.")
        return 1
    problems: list[tuple] = []
    saved = unchanged = 0
    with acting_as(None, "cli"):
        try:
            with transaction.atomic():
                for path in files:
                    if not path.is_file():
                        problems.append((str(path), None, "", "the file does not exist"))
                        continue
                    try:
                        _, created = plan_version_save(
                            path.read_text(encoding="utf-8"), actor=None, name=path.name
                        )
                    except PlanRefused as error:
                        problems.extend(error.problems)
                        continue
                    saved += created
                    unchanged += not created
                if problems:
                    raise PlanRefused(problems)
        except PlanRefused:
            for name, line, field, message in problems:
                where = f"{name}, line {line}" if line else name
                console.print(f"{where}{', ' + field if field else ''}: {message}")
            console.print(f"Nothing was saved: {len(problems)} problem(s).")
            return 1
    console.print(f"{saved} plan version(s) saved, {unchanged} already there unchanged.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .models import PlanVersion

    args.folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for version in PlanVersion.objects.order_by("code", "version"):
        (args.folder / f"{version.code}-v{version.version}.yaml").write_text(
            version.text, encoding="utf-8"
        )
        count += 1
    print(f"{count} plan file(s) written to {args.folder}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from revdesk.engine.plans import plan_json_schema

    text = json.dumps(plan_json_schema(), indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"Plan file schema written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _quotas_import(args: argparse.Namespace) -> int:
    from revdesk.engine.commission_inputs import InputError
    from revdesk.foundation.context import acting_as

    from .services import quotas_load

    try:
        with acting_as(None, "cli"):
            result = quotas_load(args.file, actor=None)
    except InputError as error:
        if args.json:
            print(json.dumps({"ok": False, "problems": [str(error)]}))
        else:
            print(f"Nothing was loaded: {args.file.name} has mistakes:", file=sys.stderr)
            print(str(error), file=sys.stderr)
        return 1
    summary = {
        "ok": True,
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"Quotas from {args.file.name}: {result.created} new, {result.changed} changed, "
            f"{result.unchanged} unchanged."
        )
    return 0
