"""The `helpline` command.

Every subcommand takes --json for machine-readable output and exits non-zero
with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli.officers import add_officer_commands
from wiring.settings import Settings
from referral.lifecycle import CATEGORIES, STATUSES, CaseError
from wiring.logs import Redactor, announce, configure_logging, settings_secrets
from wiring.bootstrap import SchemaOutOfDate, connect, migrate
from referral.storage import make_private_dir, unit_of_work


SAMPLE_DIRECTORY = Path(__file__).resolve().parents[2] / "referral" / "data" / "sample_facilities.csv"


class UsageError(Exception):
    """Bad input from the command line; printed as one line, exit code 2."""


def _sessions(settings: Settings):
    """The app database's sessions; a schema that is behind is refused, never migrated here."""
    try:
        return connect(settings).sessions
    except SchemaOutOfDate as error:
        raise UsageError(str(error)) from None


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.supervision.stack import NoModel, build_services
    from bot.supervision.supervisor import Supervisor

    def say(text: str) -> None:
        announce(text, settings.logs.json)

    make_private_dir(settings.data_dir)
    settings.resolved_secret_key()
    migrate(settings)  # an explicit step of starting the service, before any process starts
    loaded = load_sample_directory_if_empty(_sessions(settings))
    if loaded:
        say(f"Loaded the SAMPLE facility directory ({loaded} facilities, names marked \"(contoh)\"); "
            "replace it with `helpline facilities import FILE.csv`.")
    try:
        services = build_services(settings, dict(os.environ))
    except (NoModel, ValueError) as error:
        raise UsageError(str(error)) from None
    supervisor = Supervisor(
        services, settings.data_dir / "log", redact=Redactor(settings_secrets(settings)), json_logs=settings.logs.json
    )
    say("Starting the helpline (Rasa takes about 10 to 20 seconds to load its model)…")

    def ready() -> None:
        base = f"http://127.0.0.1:{settings.port}"
        if not settings.console_enabled:
            console = "off (HELPLINE_CONSOLE=off)"
        else:  # each officer signs in with their own login; no token is printed
            console = f"{base}/console (logins: helpline officers add NAME --role coordinator --username LOGIN, then helpline officers login-link ID)"
        say(
            f"\nThe helpline is running.\n"
            f"  Web chat:        {base}/\n"
            f"  Officer console: {console}\n"
            f"  Health:          {base}/healthz\n"
            f"Press Ctrl-C to stop."
        )

    return asyncio.run(supervisor.run(on_ready=ready))


def load_sample_directory_if_empty(sessions) -> int:
    from sqlalchemy import func, select

    from referral.facilities import import_rows, parse_csv
    from referral.models import Facility

    with unit_of_work(sessions) as session:
        if session.scalar(select(func.count(Facility.id))):
            return 0
        with SAMPLE_DIRECTORY.open(encoding="utf-8") as handle:
            rows = parse_csv(handle)
        return import_rows(session, rows).created


def _gazetteer():
    from referral.gazetteer import Gazetteer

    return Gazetteer.load()


def cmd_gazetteer(args: argparse.Namespace, settings: Settings) -> int:
    text = " ".join(args.text).strip()
    if not text:
        raise UsageError("give a place name, e.g. helpline gazetteer \"kec. kasihan, bantul\"")
    if len(text) > 200:
        raise UsageError("the place text is longer than 200 characters")
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    lookup = _gazetteer().lookup(text, limit=args.limit)
    rows = [
        {
            "code": m.region.code,
            "level": m.region.level,
            "name": m.region.name,
            "full_name": m.full_name,
            "province_code": m.region.province_code,
            "regency_code": m.region.regency_code,
            "district_code": m.region.district_code,
            "latitude": round(m.region.latitude, 6),
            "longitude": round(m.region.longitude, 6),
            "score": m.score,
            "matched_text": m.matched_text,
        }
        for m in lookup.candidates
    ]
    if args.json:
        print(json.dumps({"query": text, "ambiguous": lookup.ambiguous, "matches": rows}, ensure_ascii=False))
        return 0 if rows else 1
    if not rows:
        print(f"helpline: no region matches {text!r}", file=sys.stderr)
        return 1
    for row in rows:
        print(f"{row['score']:.3f}  {row['code']:<14} {row['level']:<9} {row['full_name']}  ({row['latitude']}, {row['longitude']})")
    if lookup.ambiguous:
        print("(ambiguous: the first two are close; add the kabupaten/kota or province)")
    return 0


def _number(text: str, name: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{name} must be a number, got {text!r}") from None
    if not low <= value <= high:
        raise UsageError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def cmd_route(args: argparse.Namespace, settings: Settings) -> int:
    from referral.facilities import routing_points
    from referral.referrals import locate
    from referral.routing import FacilityIndex, RoutingConfig, RoutingError

    if (args.lat is None) != (args.lon is None):
        raise UsageError("give both --lat and --lon, or --place")
    if args.lat is None and not args.place:
        raise UsageError("give --lat and --lon, or --place")
    config = RoutingConfig.load(settings.config_dir / "routing.yml")
    try:
        config.required_services(args.category)
    except RoutingError as error:
        raise UsageError(str(error)) from None
    latitude = _number(args.lat, "--lat", -90, 90) if args.lat is not None else None
    longitude = _number(args.lon, "--lon", -180, 180) if args.lon is not None else None
    gazetteer = _gazetteer()
    place = locate(gazetteer, args.place, latitude, longitude)
    if place is None:
        raise UsageError(f"no region matches {args.place!r}; try the kabupaten/kota name")
    with unit_of_work(_sessions(settings)) as session:
        index = FacilityIndex(routing_points(session, gazetteer), config)
    result = index.route(args.category, place.latitude, place.longitude,
                         province_code=place.region.province_code if place.region else None)
    data = result.as_json()
    data["region"] = (
        {"code": place.region.code, "full_name": gazetteer.full_name(place.region)} if place.region else None
    )
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    print(f"category {args.category}: needs {', '.join(result.required_services)}")
    if data["region"]:
        print(f"from {data['region']['full_name']} ({place.latitude:.4f}, {place.longitude:.4f})")
    if result.facility:
        f = result.facility
        print(f"→ {f.facility.name} [{f.facility.code}, {f.facility.kind}] {f.distance_km:.1f} km")
    else:
        print(f"→ no facility: {result.fallback['reason']}; goes to the {result.fallback['level']} coordinator")
    for alternative in result.alternatives:
        print(f"  or {alternative.facility.name} [{alternative.facility.code}] {alternative.distance_km:.1f} km")
    return 0


def cmd_facilities_import(args: argparse.Namespace, settings: Settings) -> int:
    from referral.facilities import ImportFailed, import_rows, parse_csv

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = parse_csv(handle, _gazetteer())
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None
    except ImportFailed as error:
        if args.json:
            print(json.dumps({"imported": False, "errors": error.errors}, ensure_ascii=False))
        else:
            print(f"helpline: error: {len(error.errors)} problem(s) in {path}; nothing was imported", file=sys.stderr)
            for problem in error.errors:
                print(f"  {problem}", file=sys.stderr)
        return 2
    with unit_of_work(_sessions(settings)) as session:
        summary = import_rows(session, rows)
    _emit(args, {"imported": True, "created": summary.created, "updated": summary.updated},
          f"imported {len(rows)} facilities from {path}: {summary.created} new, {summary.updated} updated")
    return 0


def cmd_facilities_export(args: argparse.Namespace, settings: Settings) -> int:
    from referral.facilities import export_csv

    with unit_of_work(_sessions(settings)) as session:
        export_csv(session, sys.stdout)
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
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


def _confirmation(case) -> bool | None:
    """Whether the reporter confirmed the summary of what we noted (None: never asked)."""
    kinds = {event.kind for event in case.events}
    if "summary_confirmed" in kinds:
        return True
    return False if "summary_unconfirmed" in kinds else None


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
        current = next((r for r in reversed(case.referrals) if r.status != "declined"), None)
        detail = _case_summary(case) | {
            "victim": case.victim,
            "consent_contact": case.consent_contact,
            "contact_preference": case.contact_preference,
            "contact_phone": case.contact_phone,
            "confirmed_by_reporter": _confirmation(case),
            "facility": {"code": current.facility.code, "name": current.facility.name} if current else None,
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
        print(f"{'facility':>11}: {detail['facility']['name'] if detail['facility'] else '-'}")
        contact = detail["contact_preference"] if detail["consent_contact"] else "no consent to contact"
        if detail["contact_phone"]:
            contact = f"{contact} {detail['contact_phone']}"
        print(f"{'contact':>11}: {contact or '-'}")
        confirmed = {True: "yes", False: "no (an officer should check)", None: "not asked"}[detail["confirmed_by_reporter"]]
        print(f"{'confirmed':>11}: {confirmed}")
        print(f"{'description':>11}: {detail['description'] or '-'}")
        for event in detail["events"]:
            print(f"  {event['at'][:19]}  {event['actor']:<10} {event['kind']:<8} {event['from'] or '':>11} → {event['to'] or ''}")
    return 0


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.duties.digest import DeliveryFailed, produce_digest
    from referral.digest import Week
    from referral.models import utcnow

    now = utcnow()
    try:
        week = Week.parse(args.week) if args.week else Week.containing(now).previous()
    except ValueError as error:
        raise UsageError(str(error)) from None
    try:
        result = produce_digest(_sessions(settings), week, now, data_dir=settings.data_dir,
                                ack_after_s=settings.ack_after_s, send=args.send, delivery=settings.digest)
    except DeliveryFailed as error:
        print(f"helpline: error: {error} (the files are written; the Telegram messages are queued)", file=sys.stderr)
        return 1
    queued = f"\n  queued for {result['queued_messages']} coordinator chat(s)" if args.send else ""
    _emit(args, result, f"week {week}: {result['cases']} case(s)\n  html: {result['html']}\n  csv:  {result['csv']}{queued}")
    return 0


def cmd_jobs_list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.duties.scheduler import Schedule, job_overview

    jobs = job_overview(_sessions(settings), Schedule.load(settings.config_dir / "schedule.yml").timezone)
    lines = [f"{job['id']:<16} next {job['next_run'] or '-':<26} last {job['last_run'] or '-'} {job['last_result'] or ''}" for job in jobs]
    _emit(args, {"jobs": jobs}, "\n".join(lines) or "no jobs scheduled yet (the gateway schedules them when it starts)")
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

    add("run", cmd_run, "apply database migrations, then start Rasa, the action server and the gateway (a service that crashes after start-up is started again; a crash loop stops all); Ctrl-C stops all")

    db = sub.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True, metavar="ACTION")
    add("upgrade", cmd_db_upgrade, "apply database migrations", db)

    gazetteer = add("gazetteer", cmd_gazetteer, "resolve a place name to Kemendagri regions, best first")
    gazetteer.add_argument("text", nargs="+", help='place text, e.g. "kec. kasihan, bantul"')
    gazetteer.add_argument("--limit", type=int, default=5, help="how many candidates (default 5)")

    route = add("route", cmd_route, "the nearest capable facility for a category, from a point or a place")
    route.add_argument("--category", required=True, help="violence, bullying, elderly_care or aid")
    route.add_argument("--lat", help="latitude in degrees (with --lon)")
    route.add_argument("--lon", help="longitude in degrees (with --lat)")
    route.add_argument("--place", help="a place name instead of a point")

    facilities = sub.add_parser("facilities", help="import and export the facility directory").add_subparsers(
        dest="facilities_command", required=True, metavar="ACTION")
    importing = add("import", cmd_facilities_import, "import a directory CSV (all rows or none)", facilities)
    importing.add_argument("file", help="CSV with columns " + ",".join(
        ("code", "name", "kind", "services", "latitude", "longitude", "...")))
    add("export", cmd_facilities_export, "write the directory as CSV to standard output", facilities)

    cases = sub.add_parser("cases", help="list and show cases").add_subparsers(dest="cases_command", required=True, metavar="ACTION")
    listing = add("list", cmd_cases_list, "list recent cases, newest first", cases)
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--category", choices=CATEGORIES)
    listing.add_argument("--limit", type=int, default=50)
    show = add("show", cmd_cases_show, "show one case: what the report flow collected (who, urgency, place, "
               "contact and consent, confirmation), its facility and history", cases)
    show.add_argument("ticket", help="ticket number, e.g. MPKS-2026-00001")

    digest = add("digest", cmd_digest, "write the weekly digest (HTML and CSV, no personal data) for one ISO week "
                 "into <data dir>/reports/YYYY-Www/ and print where")
    digest.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: the week that ended last)")
    digest.add_argument("--send", action="store_true",
                        help="also queue the headline message to the coordinators' Telegram chats (sent by the running gateway)")

    add_officer_commands(sub, add, lambda handler: lambda args, settings: handler(args, settings, _sessions(settings), _emit))

    jobs = sub.add_parser("jobs", help="the scheduled jobs").add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    add("list", cmd_jobs_list, "each scheduled job with its next run and its last result", jobs)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Whatever this process and the services it starts create (databases, logs, keys)
    # is for the service's own user only: reports are personal data.
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if argv is None:  # the `helpline` command itself, not a test calling main([...]) in its process
            # Libraries' warnings and errors only: a command's output is its answer, not a log.
            configure_logging(settings_secrets(settings, derive=False), settings.logs, root_level=logging.WARNING)
        return args.handler(args, settings)
    except (UsageError, ValueError) as error:
        print(f"helpline: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `helpline facilities export | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
