"""The `helpline` command.

Every subcommand takes --json for machine-readable output and exits non-zero
with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

from referral.config import Settings
from referral.lifecycle import CATEGORIES, STATUSES, CaseError
from referral.storage import make_engine, make_session_factory, unit_of_work, upgrade


class UsageError(Exception):
    """Bad input from the command line; printed as one line, exit code 2."""


def _sessions(settings: Settings):
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return make_session_factory(engine)


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import os

    from bot.stack import NoModel, build_services
    from bot.supervisor import Supervisor

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.resolved_secret_key()
    upgrade(make_engine(settings.database_url))
    try:
        services = build_services(settings, dict(os.environ))
    except (NoModel, ValueError) as error:
        raise UsageError(str(error)) from None
    supervisor = Supervisor(services, settings.data_dir / "log")
    print("Starting the helpline (Rasa takes about half a minute to load)…", flush=True)

    def ready() -> None:
        base = f"http://127.0.0.1:{settings.port}"
        print(
            f"\nThe helpline is running.\n"
            f"  Web chat:        {base}/\n"
            f"  Officer console: {base}/console\n"
            f"  Health:          {base}/healthz\n"
            f"Press Ctrl-C to stop.",
            flush=True,
        )

    return asyncio.run(supervisor.run(on_ready=ready))


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(make_engine(settings.database_url))
    _emit(args, {"status": "ok"}, "database schema is up to date")
    return 0


def _case_summary(case) -> dict:
    return {
        "ticket": case.ticket,
        "category": case.category,
        "urgency": case.urgency,
        "status": case.status,
        "is_emergency": case.is_emergency,
        "location": case.location_text,
        "region": case.district_code or case.regency_code or case.province_code,
        "created_at": case.created_at.isoformat(),
    }


def cmd_cases_list(args: argparse.Namespace, settings: Settings) -> int:
    from referral.cases import list_cases

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with unit_of_work(_sessions(settings)) as session:
        rows = [_case_summary(c) for c in list_cases(session, status=args.status, category=args.category, limit=args.limit)]
    if args.json:
        print(json.dumps({"cases": rows}, ensure_ascii=False))
    elif not rows:
        print("no cases")
    else:
        for row in rows:
            print(f"{row['ticket']}  {row['category']:<12} {row['urgency']:<9} {row['status']:<11} {row['created_at'][:16]}  {row['location'] or '-'}")
    return 0


def cmd_cases_show(args: argparse.Namespace, settings: Settings) -> int:
    from referral.cases import get_case
    from referral.tickets import InvalidTicket, parse_ticket

    try:
        parse_ticket(args.ticket)
    except InvalidTicket as error:
        raise UsageError(str(error)) from None
    with unit_of_work(_sessions(settings)) as session:
        try:
            case = get_case(session, args.ticket)
        except CaseError as error:
            raise UsageError(str(error)) from None
        detail = _case_summary(case) | {
            "victim": case.victim,
            "description": case.description,
            "events": [
                {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "from": e.from_status, "to": e.to_status}
                for e in case.events
            ],
        }
    if args.json:
        print(json.dumps(detail, ensure_ascii=False))
    else:
        for key in ("ticket", "category", "urgency", "status", "location", "region", "victim", "created_at"):
            print(f"{key:>11}: {detail[key] if detail[key] is not None else '-'}")
        print(f"{'description':>11}: {detail['description'] or '-'}")
        for event in detail["events"]:
            print(f"  {event['at'][:19]}  {event['actor']:<10} {event['kind']:<8} {event['from'] or '':>11} → {event['to'] or ''}")
    return 0


def _emit(args: argparse.Namespace, data: dict, text: str) -> None:
    print(json.dumps(data) if getattr(args, "json", False) else text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="helpline",
        description="MPKS helpline: run the service and work with cases from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable, help_text: str, parent=sub) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--json", action="store_true", help="machine-readable output")
        command.set_defaults(handler=handler)
        return command

    add("run", cmd_run, "start Rasa, the action server and the gateway; Ctrl-C stops all")

    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True, metavar="ACTION")
    add("upgrade", cmd_db_upgrade, "apply database migrations", db)

    cases = sub.add_parser("cases", help="list and show cases").add_subparsers(dest="cases_command", required=True, metavar="ACTION")
    listing = add("list", cmd_cases_list, "list recent cases, newest first", cases)
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--category", choices=CATEGORIES)
    listing.add_argument("--limit", type=int, default=50)
    show = add("show", cmd_cases_show, "show one case and its history", cases)
    show.add_argument("ticket", help="ticket number, e.g. MPKS-2026-00001")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        return args.handler(args, settings)
    except (UsageError, ValueError) as error:
        print(f"helpline: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
