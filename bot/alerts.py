"""Telling officers what needs a person, through the outbox.

Each CaseAlert (a new case, an emergency, a possible emergency, a handoff request, a
referral) becomes a message to the Telegram chats of the officers who should hear of it: the on-duty officers
whose remit covers the case (coordinators too for an emergency; the coordinators when
nobody is on duty), or, for a referral, the facility's contact. An alert carries the
ticket, category, urgency, region, age and facility, never the reporter's words, and
the buttons **Ambil alih** and **Ringkasan**. An emergency is alerted again every few
minutes until someone takes it over, then the coordinators are told nobody has. The
alert is queued in the same transaction that marks it sent: a restart or a Telegram
outage delays an alert, never loses it, never sends it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.officer_settings import AlertTimes
from bot.officer_texts import CATEGORY_NAMES, STATUS_NAMES, URGENCY_NAMES
from messaging.models import Conversation
from messaging.queries import waiting_too_long
from messaging.store import queue_staff_message
from messaging.takeover import conversation_case
from referral import emergency_checks
from referral.gazetteer import region_names
from referral.models import Case, CaseAlert, Officer, Referral, Takeover, utcnow
from referral.officers import alert_recipients, facility_contacts, reachable_staff
from referral.referrals import mark_overdue_reported, overdue_referrals
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
HEADLINES = {
    "new_case": "🆕 Kasus baru",
    "emergency": "🚨 DARURAT",
    "emergency_repeated": "🚨 DARURAT: pelapor mengirim pesan darurat lagi",
    "handoff": "🙋 Pelapor ingin bicara dengan petugas",
    "waiting": "⏳ Pelapor menunggu jawaban terlalu lama",
    "unrouted": "📍 Tidak ada layanan lain yang bisa menerima kasus ini: mohon ditangani koordinator",
    "possible_emergency": "⚠️ Mungkin darurat: pelapor belum menjawab jelas pertanyaan \"dalam bahaya sekarang?\", mohon dicek",
}


def coordinator_chats(session: Session) -> list[str]:
    """The Telegram chats of the active coordinators (the digest)."""
    return list(
        session.scalars(
            select(Officer.telegram_chat_id).where(
                Officer.active.is_(True), Officer.role == "coordinator", Officer.telegram_chat_id.is_not(None)
            )
        )
    )


@cache
def _region_names() -> dict[str, str]:
    return region_names()


def region_label(case: Case | None) -> str:
    if case is None or not case.province_code:
        return "belum diketahui"
    code = case.regency_code or case.province_code
    return f"{_region_names().get(code, code)} ({code})"


def age_label(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} menit"
    if minutes < 48 * 60:
        return f"{minutes // 60} jam"
    return f"{minutes // 1440} hari"


def facility_label(case: Case) -> str:
    for referral in reversed(case.referrals):
        if referral.status in ("sent", "accepted"):
            state = "menunggu jawaban" if referral.status == "sent" else "diterima"
            return f"{referral.facility.name} ({state})"
    return "belum dirujuk"


def category_line(case: Case) -> str:
    return f"Kategori: {CATEGORY_NAMES.get(case.category, case.category)} · Urgensi: {URGENCY_NAMES.get(case.urgency, case.urgency)}"


def case_lines(case: Case | None, conversation_id: int | None, now: datetime) -> list[str]:
    """What an alert says of a case: never the reporter's words."""
    if case is None:
        return [f"Percakapan #{conversation_id} (belum ada laporan tercatat)"]
    return [
        f"Kasus {case.ticket}",
        category_line(case),
        f"Wilayah: {region_label(case)}",
        f"Dibuat: {age_label(case.created_at, now)} lalu · Status: {STATUS_NAMES.get(case.status, case.status)}",
        f"Layanan: {facility_label(case)}",
    ]


def conversation_buttons(conversation_id: int | None) -> dict | None:
    if conversation_id is None:
        return None
    return {
        "conversation_id": conversation_id,
        "buttons": [
            {"title": "Ambil alih", "payload": f"take:{conversation_id}"},
            {"title": "Ringkasan", "payload": f"summary:{conversation_id}"},
        ],
    }


class OfficerAlerts:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        after_seconds: float,
        channel: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        times: AlertTimes | None = None,
    ) -> None:
        self.sessions = sessions
        self.after_seconds = after_seconds
        self.channel = channel  # "telegram" when officers can be reached; None: the log only
        self.clock = clock
        self.times = times or AlertTimes()

    async def check(self) -> int:
        """Everything that is due: new alerts, repeats and escalations of untaken
        emergencies, quiet takeovers, reporters waiting too long, overdue referrals."""
        # Waiting reporters and unanswered danger questions become alerts first, so they
        # go out in this same pass.
        return (
            self.open_unanswered_checks()
            + self.queue_waiting_alerts()
            + self.queue_case_alerts()
            + self.repeat_emergencies()
            + self.remind_idle_takeovers()
            + self.queue_overdue_referrals()
        )

    def open_unanswered_checks(self) -> int:
        """A "danger now?" question nobody answered in time: a case marked as a possible
        emergency (its alert goes out like a new case's: once, at normal priority)."""
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            due = emergency_checks.unanswered(session, now=now, wait=timedelta(seconds=self.times.emergency_check_s))
            # An officer who holds the conversation is already with the reporter.
            held = set(session.scalars(select(Conversation.id).where(
                Conversation.id.in_([check.conversation_id for check in due]), Conversation.handled_by != "bot"
            ))) if due else set()
            for check in due:
                if check.conversation_id in held:
                    emergency_checks.close(check, emergency_checks.TAKEN_OVER, now=now)
            opened = emergency_checks.expire(session, [c for c in due if c.conversation_id not in held], now=now)
            for case in opened:
                log.warning("possible emergency: case %s opened from an unanswered danger question", case.ticket)
            return len(opened)

    def _send(self, session: Session, officers: list[Officer], text: str, payload: dict | None = None) -> int:
        if self.channel is None:
            return 0
        for officer in officers:
            queue_staff_message(session, channel=self.channel, address=officer.telegram_chat_id, text=text, payload=payload)
        return len(officers)

    def _case_of(self, session: Session, alert: CaseAlert) -> Case | None:
        if alert.case is not None:
            return alert.case
        return conversation_case(session, alert.conversation_id) if alert.conversation_id else None

    def queue_case_alerts(self) -> int:
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            pending = list(
                session.scalars(
                    select(CaseAlert).where(CaseAlert.sent_at.is_(None)).order_by(CaseAlert.id).with_for_update(skip_locked=True)
                )
            )
            for alert in pending:
                if alert.reason == "referral":
                    self._referral_alert(session, alert)
                else:
                    self._duty_alert(session, alert, now)
                alert.sent_at = alert.last_sent_at = now  # handed to the outbox
                if alert.reason != "emergency":  # only an emergency waits to be taken over
                    alert.resolved_at = alert.resolved_at or now
        return len(pending)

    def _duty_alert(self, session: Session, alert: CaseAlert, now: datetime) -> None:
        case = self._case_of(session, alert)
        conversation_id = alert.conversation_id or (case.conversation_id if case else None)
        emergency = alert.reason.startswith("emergency")
        if conversation_id and session.get(Conversation, conversation_id).handled_by == "officer":
            alert.resolved_at = now  # someone is with the reporter already
        if alert.reason == "unrouted":  # a coordinator's decision: where the case goes now
            recipients = reachable_staff(session, case, roles=("coordinator",)) or alert_recipients(session, case, now=now)
        else:
            recipients = alert_recipients(session, case, now=now, with_coordinators=emergency)
        text = "\n".join([HEADLINES.get(alert.reason, "Pemberitahuan"), *case_lines(case, conversation_id, now)])
        sent = self._send(session, recipients, text, conversation_buttons(conversation_id))
        log.warning("officer alert (%s) for case %s to %s officer(s)", alert.reason, case.ticket if case else "-", sent)

    def _referral_alert(self, session: Session, alert: CaseAlert) -> None:
        referral = session.get(Referral, alert.referral_id)
        if referral is None or referral.status != "sent":
            return
        contacts = facility_contacts(session, referral.facility_id)
        case = referral.case
        text = "\n".join([
            f"📨 Rujukan baru untuk {referral.facility.name}",
            f"Kasus {case.ticket}",
            category_line(case),
            f"Wilayah: {region_label(case)}",
            f"Jarak: {referral.distance_km:.1f} km" if referral.distance_km is not None else "Jarak: -",
            "Identitas dan cerita pelapor dikirim setelah rujukan diterima. Apakah layanan Anda dapat menerima kasus ini?",
        ])
        payload = {"buttons": [
            {"title": "Terima", "payload": f"accept:{referral.id}"},
            {"title": "Tolak", "payload": f"decline:{referral.id}"},
        ]}
        if not self._send(session, contacts, text, payload):
            log.warning("referral of case %s: the facility has no linked contact; the SLA check will tell the coordinators", case.ticket)

    def repeat_emergencies(self) -> int:
        """An emergency nobody has taken over is alerted again every few minutes; after a
        while the coordinators hear that nobody has taken it."""
        now = self.clock()
        repeat_before = now - timedelta(seconds=self.times.emergency_repeat_s)
        with unit_of_work(self.sessions) as session:
            due = list(
                session.scalars(
                    select(CaseAlert)
                    .where(CaseAlert.reason == "emergency", CaseAlert.resolved_at.is_(None), CaseAlert.last_sent_at < repeat_before)
                    .order_by(CaseAlert.id)
                    .with_for_update(skip_locked=True)
                )
            )
            for alert in due:
                case = alert.case
                conversation = session.get(Conversation, alert.conversation_id) if alert.conversation_id else None
                if case.status == "closed" or (conversation is not None and conversation.handled_by == "officer"):
                    alert.resolved_at = now
                    continue
                alert.repeats += 1
                alert.last_sent_at = now
                waited = age_label(alert.sent_at, now)
                text = "\n".join([f"🚨 DARURAT belum diambil alih ({waited}), pengingat ke-{alert.repeats}",
                                  *case_lines(case, alert.conversation_id, now)])
                buttons = conversation_buttons(alert.conversation_id)
                self._send(session, alert_recipients(session, case, now=now, with_coordinators=True), text, buttons)
                if alert.escalated_at is None and now - alert.sent_at >= timedelta(seconds=self.times.emergency_escalate_s):
                    alert.escalated_at = now
                    coordinators = reachable_staff(session, case, roles=("coordinator",))
                    text = "\n".join([f"⚠️ ESKALASI: keadaan darurat belum diambil alih siapa pun setelah {waited}.",
                                      *case_lines(case, alert.conversation_id, now),
                                      "Mohon tunjuk petugas atau ambil alih sendiri."])
                    self._send(session, coordinators, text, buttons)
                    log.error("emergency case %s not taken over after %s; coordinators told", case.ticket, waited)
        return len(due)

    def remind_idle_takeovers(self) -> int:
        """An officer holding a quiet conversation is reminded; later the coordinators hear."""
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            open_takeovers = list(
                session.scalars(select(Takeover).where(Takeover.ended_at.is_(None)).with_for_update(skip_locked=True))
            )
            told = 0
            for takeover in open_takeovers:
                quiet = now - takeover.last_activity_at
                label = takeover.case.ticket if takeover.case else f"percakapan #{takeover.conversation_id}"
                if takeover.reminded_at is None and quiet >= timedelta(seconds=self.times.takeover_remind_s):
                    takeover.reminded_at = now
                    text = (f"⏰ Anda masih memegang {label}, tetapi belum ada pesan ke pelapor selama {age_label(takeover.last_activity_at, now)}. "
                            "Balas pelapor, atau serahkan kembali ke bot dengan /kembalikan.")
                    told += self._send(session, [takeover.officer], text, {"conversation_id": takeover.conversation_id})
                if takeover.escalated_at is None and quiet >= timedelta(seconds=self.times.takeover_escalate_s):
                    takeover.escalated_at = now
                    coordinators = reachable_staff(session, takeover.case, roles=("coordinator",))
                    text = (f"⚠️ {label} dipegang {takeover.officer.name} tanpa pesan ke pelapor selama "
                            f"{age_label(takeover.last_activity_at, now)}. Mohon pastikan pelapor tidak ditinggalkan.")
                    told += self._send(session, coordinators, text)
        return told

    def queue_waiting_alerts(self) -> int:
        """Reporters whose message has waited longer than the threshold without an answer
        (the bot could not answer): one alert per conversation, once per message."""
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            waiting = waiting_too_long(session, older_than=now - timedelta(seconds=self.after_seconds))
            conversations = sorted({m.conversation_id for m in waiting if m.conversation_id})
            for message in waiting:
                message.alerted_at = now
            for conversation_id in conversations:
                session.add(CaseAlert(conversation_id=conversation_id, case_id=None, reason="waiting", created_at=now))
        if waiting:
            log.warning("officer alert: %s message(s) waiting longer than %ss", len(waiting), self.after_seconds)
        return len(waiting)

    def queue_overdue_referrals(self) -> int:
        """Referrals a facility has not answered within the SLA (shorter for high urgency):
        the coordinators whose remit covers the case hear of it once, with a button to
        route it to the next facility. Returns how many referrals were reported."""
        now = self.clock()
        reported = 0
        with unit_of_work(self.sessions) as session:
            overdue = overdue_referrals(
                session, sla_hours=self.times.referral_sla_hours, urgent_hours=self.times.referral_sla_urgent_hours, now=now
            )
            for referral in overdue:
                coordinators = reachable_staff(session, referral.case, roles=("coordinator",))
                if not coordinators or self.channel is None:
                    continue  # nobody would hear: a later pass tries again
                text = "\n".join([
                    f"⏰ Rujukan ke {referral.facility.name} sudah {age_label(referral.sent_at, now)} belum dijawab.",
                    *case_lines(referral.case, referral.case.conversation_id, now),
                    "Hubungi layanan itu, atau tekan Alihkan untuk merujuk ke layanan terdekat berikutnya.",
                ])
                self._send(session, coordinators, text, {"buttons": [{"title": "Alihkan", "payload": f"reroute:{referral.id}"}]})
                mark_overdue_reported(referral)
                reported += 1
        return reported
