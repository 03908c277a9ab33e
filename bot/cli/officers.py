"""`helpline officers …` and `helpline roster …`: a coordinator manages officers from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from sqlalchemy import select

from bot.desk.service import release_takeovers
from wiring.settings import Settings
from referral import audit, logins
from referral.models import DutyShift, Officer, utcnow
from referral.officers import ROLES, OfficerError, add_officer, disable_officer, get_officer, issue_link_code
from referral.roster import RosterError, describe, is_on_duty, parse_exception, parse_weekly
from referral.storage import unit_of_work

ROSTER_HELP = """Set an officer's duty roster, in Asia/Jakarta time (WIB).
  --weekly "mon-fri 08:00-16:00"   a weekly shift (repeatable; replaces the officer's weekly pattern);
                                   days: mon tue wed thu fri sat sun (or sen sel rab kam jum sab min),
                                   ranges (mon-fri) and lists (mon,wed); a shift that ends before it
                                   starts runs past midnight ("sun 22:00-06:00" ends Monday 06:00)
  --on "2026-12-24 20:00-08:00"    an extra shift on a date (repeatable)
  --off "2026-12-25"               off on a date, all day or "2026-12-25 08:00-12:00" (repeatable)
  --clear                          remove the officer's whole roster first
Example: helpline roster set 3 --weekly "mon-fri 08:00-16:00" --weekly "sat 20:00-08:00" --off 2026-12-25"""


def _officer_row(officer: Officer, now) -> dict:
    return {
        "id": officer.id,
        "name": officer.name,
        "role": officer.role,
        "active": officer.active,
        "regions": "all" if officer.remit_all else [r.code for r in officer.regions],
        "facility": officer.facility.code if officer.facility else None,
        "telegram_linked": officer.telegram_chat_id is not None,
        "username": officer.username,
        "console_password": officer.password_hash is not None,
        "on_duty": officer.active and is_on_duty(officer, now),
    }


def cmd_officers_add(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        officer = add_officer(session, args.name, args.role, args.region, args.facility, username=args.username)
        code, expires = issue_link_code(session, officer, settings.resolved_secret_key(), hours=settings.link_code_hours)
        data = {**_officer_row(officer, utcnow()), "link_code": code, "link_code_expires": expires.isoformat()}
    emit(args, data, f"officer {data['id']} ({data['role']}) added.\n"
                     f"  link code: {code} (send '/daftar {code}' to the bot on Telegram; works once, until {expires:%Y-%m-%d %H:%M} UTC)")
    return 0


def cmd_officers_list(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    now = utcnow()
    with unit_of_work(sessions) as session:
        rows = [_officer_row(o, now) for o in session.scalars(select(Officer).order_by(Officer.id))]
    lines = [
        f"{r['id']:>4}  {r['name'][:28]:<28} {r['role']:<11} {'active' if r['active'] else 'disabled':<8} "
        f"{'linked' if r['telegram_linked'] else 'unlinked':<8} {'on duty' if r['on_duty'] else '':<7} "
        f"regions: {r['regions'] if r['regions'] == 'all' else ','.join(r['regions']) or '-'}"
        + (f" facility: {r['facility']}" if r["facility"] else "")
        for r in rows
    ]
    emit(args, {"officers": rows}, "\n".join(lines) or "no officers yet: helpline officers add NAME --role officer --region CODE")
    return 0


def cmd_officers_disable(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        officer = disable_officer(session, args.id)
        released = release_takeovers(session, officer, "petugas dinonaktifkan", now=utcnow())
        ended = logins.end_sessions(session, officer)
        data = {**_officer_row(officer, utcnow()), "conversations_handed_back": released, "console_sessions_ended": ended}
    emit(args, data, f"officer {data['id']} disabled: no alerts, and the bot no longer answers their commands"
                     + (f"; {released} conversation(s) handed back to the bot and the duty officers alerted" if released else ""))
    return 0


def cmd_officers_link_code(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        officer = get_officer(session, args.id)
        code, expires = issue_link_code(session, officer, settings.resolved_secret_key(), hours=settings.link_code_hours)
    emit(args, {"id": args.id, "link_code": code, "link_code_expires": expires.isoformat()},
         f"link code for officer {args.id}: {code} (works once, until {expires:%Y-%m-%d %H:%M} UTC; earlier codes no longer work)")
    return 0


def cmd_officers_login_link(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        officer = get_officer(session, args.id)
        token = logins.issue_login_link(session, officer)
        audit.record(session, "login_link", officer=officer, source="cli")
    url = f"{settings.console_base_url()}/console/password/{token}"
    emit(args, {"url": url}, f"one-time link for officer {args.id} to choose a console password (24 hours; earlier links stop working):\n  {url}")
    return 0


def cmd_officers_set_password(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    if not args.password_stdin:
        raise OfficerError("give --password-stdin and the password on standard input (never on the command line)")
    password = sys.stdin.readline().rstrip("\r\n")
    with unit_of_work(sessions) as session:
        officer = get_officer(session, args.id)
        logins.set_password(session, officer, password)
        audit.record(session, "password_set", officer=officer, source="cli")
    emit(args, {"id": args.id, "console_password": True}, f"console password set for officer {args.id}; their other console sessions ended")
    return 0


def cmd_officers_unlock(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        officer = get_officer(session, args.id)
        if not officer.username:
            raise OfficerError(f"officer {args.id} has no console username")
        cleared = logins.unlock(session, officer.username)
    emit(args, {"id": args.id, "failures_cleared": cleared}, f"officer {args.id} may sign in again ({cleared} failed attempt(s) forgotten)")
    return 0


def cmd_officers_reset_totp(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        officer = get_officer(session, args.id)
        logins.reset_totp(session, officer)
        audit.record(session, "totp_reset", officer=officer, source="cli")
    emit(args, {"id": args.id, "totp": False},
         f"officer {args.id}'s second factor removed and their console sessions ended; they set it up again at their next sign-in")
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    with unit_of_work(sessions) as session:
        events = [audit.as_json(e) for e in audit.list_events(session, ticket=args.ticket, officer_id=args.officer, limit=args.limit)]
    lines = [f"{e['at'][:19]}  officer {e['officer_id'] or '-':<4} {e['action']:<18} {e['ticket'] or '-':<16} {e['source'] or ''}" for e in events]
    emit(args, {"events": events}, "\n".join(lines) or "no audit events")
    return 0


def cmd_roster_show(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    now = utcnow()
    with unit_of_work(sessions) as session:
        officers = session.scalars(select(Officer).where(Officer.role != "facility").order_by(Officer.id)).all()
        rows = [
            {
                "id": o.id, "name": o.name, "role": o.role, "active": o.active,
                "on_duty_now": o.active and is_on_duty(o, now),
                "shifts": [describe(s) for s in o.shifts],
                "override": {"state": o.duty_override, "until": o.duty_override_until.isoformat()}
                if o.duty_override and o.duty_override_until and o.duty_override_until > now else None,
            }
            for o in officers
        ]
    lines = []
    for row in rows:
        state = "ON DUTY" if row["on_duty_now"] else "off"
        lines.append(f"{row['id']:>4}  {row['name']}  ({row['role']}, {state} now)")
        lines.extend(f"        {shift}" for shift in row["shifts"] or ["(no roster)"])
    emit(args, {"timezone": "Asia/Jakarta", "officers": rows}, "\n".join(lines) or "no officers yet")
    return 0


def cmd_roster_set(args: argparse.Namespace, settings: Settings, sessions, emit) -> int:
    weekly = [shift for spec in args.weekly or [] for shift in parse_weekly(spec)]
    exceptions = [parse_exception(spec, on_duty=True) for spec in args.on or []]
    exceptions += [parse_exception(spec, on_duty=False) for spec in args.off or []]
    if not (weekly or exceptions or args.clear):
        raise RosterError("nothing to set: give --weekly, --on, --off or --clear (see --help)")
    with unit_of_work(sessions) as session:
        officer = get_officer(session, args.officer_id)
        if officer.role == "facility":
            raise OfficerError("a facility contact has no duty roster")
        if args.clear:
            officer.shifts.clear()
        elif weekly:
            officer.shifts[:] = [s for s in officer.shifts if s.on_date is not None]
        for shift in weekly + exceptions:
            officer.shifts.append(DutyShift(weekday=shift.weekday, on_date=shift.on_date, starts=shift.starts,
                                            ends=shift.ends, on_duty=shift.on_duty))
        session.flush()
        shifts = [describe(s) for s in officer.shifts]
    emit(args, {"id": args.officer_id, "shifts": shifts}, f"roster of officer {args.officer_id}:\n" + "\n".join(f"  {s}" for s in shifts))
    return 0


def add_officer_commands(sub, add: Callable, bind: Callable) -> None:
    """Register the subcommands; `bind` turns a handler(args, settings, sessions, emit) into the CLI's handler."""
    officers = sub.add_parser("officers", help="duty officers, coordinators and facility contacts").add_subparsers(
        dest="officers_command", required=True, metavar="ACTION")
    adding = add("add", bind(cmd_officers_add), "add an officer and print a one-time code that links their Telegram", officers)
    adding.add_argument("name", help="full name (the first name is what reporters see)")
    adding.add_argument("--role", required=True, choices=ROLES)
    adding.add_argument("--region", action="append", metavar="CODE",
                        help="remit: a province (34) or kabupaten/kota (34.02) code; repeatable. Required for officers; "
                             "a coordinator or admin without one covers everything")
    adding.add_argument("--facility", metavar="CODE", help="the facility a facility contact answers for")
    add("list", bind(cmd_officers_list), "list officers with their role, remit and whether they are on duty now", officers)
    disabling = add("disable", bind(cmd_officers_disable), "disable an officer (no alerts, no commands)", officers)
    disabling.add_argument("id", type=int)
    adding.add_argument("--username", metavar="LOGIN", help="a web console login (unique, lower case)")
    code = add("link-code", bind(cmd_officers_link_code), "issue a new one-time Telegram link code (earlier ones stop working)", officers)
    code.add_argument("id", type=int)
    link = add("login-link", bind(cmd_officers_login_link),
               "print a one-time link (24 hours) where the officer chooses their console password", officers)
    link.add_argument("id", type=int)
    password = add("set-password", bind(cmd_officers_set_password),
                   "set an officer's console password, read from standard input (for scripts)", officers)
    password.add_argument("id", type=int)
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    unlocking = add("unlock", bind(cmd_officers_unlock), "let an officer locked out by failed console logins try again", officers)
    unlocking.add_argument("id", type=int)
    resetting = add("reset-totp", bind(cmd_officers_reset_totp),
                    "remove an officer's console second factor (a lost phone) and end their sessions", officers)
    resetting.add_argument("id", type=int)

    auditing = add("audit", bind(cmd_audit), "the audit trail, newest first: who viewed or did what to which case, when, from where")
    auditing.add_argument("--ticket", help="only this case")
    auditing.add_argument("--officer", type=int, metavar="ID", help="only this officer")
    auditing.add_argument("--limit", type=int, default=1000)

    roster = sub.add_parser("roster", help="the duty roster (Asia/Jakarta time)").add_subparsers(
        dest="roster_command", required=True, metavar="ACTION")
    add("show", bind(cmd_roster_show), "each officer's shifts and whether they are on duty now", roster)
    setting = add("set", bind(cmd_roster_set), ROSTER_HELP, roster)
    setting.formatter_class = argparse.RawDescriptionHelpFormatter
    setting.add_argument("officer_id", type=int)
    setting.add_argument("--weekly", action="append", metavar='"DAYS HH:MM-HH:MM"')
    setting.add_argument("--on", action="append", metavar='"YYYY-MM-DD [HH:MM-HH:MM]"')
    setting.add_argument("--off", action="append", metavar='"YYYY-MM-DD [HH:MM-HH:MM]"')
    setting.add_argument("--clear", action="store_true")
