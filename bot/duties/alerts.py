"""Telling officers what needs a person, through the outbox.

Each CaseAlert (a new case, an emergency, a possible emergency, a handoff request, a
referral) becomes a message to the Telegram chats of the officers who should hear of it:
the first rung of `alert_recipients` with somebody on it (the on-duty officers whose remit
covers the case, coordinators too for an emergency; then the remit's coordinators, national
staff, and at last anyone linked), or, for a referral, the facility's contact. An alert
carries the ticket, category, urgency, region, age and facility, never the reporter's
words, and the buttons **Ambil alih** and **Ringkasan**.

An alert is handled only when a staff message of it was queued, and reached only when one
was sent: with nobody to reach (Telegram down, nobody linked) it waits, counted on /healthz
and the console, and goes out as soon as someone can be reached; a chat that refuses it
(blocked the bot) is passed over for the next rung. An emergency, and on slower timers a
possible emergency, is alerted again every few minutes until someone acts (takes it over;
for a possible emergency, opening Ringkasan is enough), then the coordinators are told
nobody has. The alert is queued in the same transaction that marks it sent: a restart or a
Telegram outage delays an alert, never loses it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from wiring.officer_settings import AlertTimes
from bot.desk.texts import CATEGORY_NAMES, STATUS_NAMES, URGENCY_NAMES
from messaging.models import Conversation, Message
from messaging.queries import waiting_too_long
from messaging.statuses import MessageStatus
from messaging.store import URGENT, queue_staff_message
from messaging.takeover import actor, answered_by_holder, conversation_case, current_takeover
from referral import emergency_checks
from referral.gazetteer import region_names
from referral.models import AlertDelivery, Case, CaseAlert, CaseEvent, Officer, Referral, Takeover, utcnow
from referral.officers import (
    COORDINATORS, NATIONAL, STAFF_ROLES, alert_recipients, case_place, covering, facility_contacts,
)
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
    # the classifier read danger in a message while an officer holds the conversation
    "possible_emergency_held": "⚠️ Mungkin darurat: sistem membaca kemungkinan tanda bahaya dalam pesan pelapor, mohon dicek",
}
# Alerted again and escalated until someone acts on them.
REPEATING = ("emergency", "possible_emergency")
# A staff message in these states reached its chat; in these it may still.
REACHED = {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ}
IN_FLIGHT = {MessageStatus.QUEUED, MessageStatus.SENDING}
# A chat that refused an alert is passed over for it this long (repeats included), then tried again.
PASS_OVER_REFUSING_CHAT = timedelta(minutes=30)
# The duties of one pass, in order (waiting reporters and unanswered danger questions become
# alerts first, so they go out in the same pass); each runs on its own.
DUTIES = (
    "open_unanswered_checks",
    "queue_waiting_alerts",
    "queue_case_alerts",
    "follow_up_unreached",
    "repeat_emergencies",
    "remind_idle_takeovers",
    "queue_overdue_referrals",
)


def alerts_without_recipient(session: Session) -> int:
    """Duty alerts that have found nobody to reach so far (for /healthz and the console)."""
    return session.scalar(
        select(func.count(CaseAlert.id)).where(
            CaseAlert.unreached_since.is_not(None),
            CaseAlert.reached_at.is_(None),
            CaseAlert.resolved_at.is_(None),
            CaseAlert.reason != "referral",
        )
    )


def possible_emergency_checked(session: Session, officer: Officer, conversation_id: int, *, now: datetime) -> None:
    """An officer opened Ringkasan: a possible emergency of this conversation has been looked
    at, so it is alerted no more (the case notes who looked)."""
    checked = session.execute(
        update(CaseAlert)
        .where(CaseAlert.conversation_id == conversation_id, CaseAlert.reason == "possible_emergency", CaseAlert.resolved_at.is_(None))
        .values(resolved_at=now)
        .returning(CaseAlert.case_id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    for case_id in {c for c in checked if c is not None}:
        session.add(CaseEvent(case_id=case_id, at=now, actor=actor(officer), kind="danger_checked"))
    session.flush()


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


def holder_lines(session: Session, alert: CaseAlert) -> list[str]:
    """For an alert raised while an officer holds the conversation (danger read during their
    takeover) and not answered yet: who holds it, so that others know whose answer is awaited."""
    takeover = current_takeover(session, alert.conversation_id) if alert.conversation_id else None
    if takeover is None or takeover.last_activity_at >= alert.created_at:
        return []
    return [f"Dipegang {takeover.officer.name}, yang belum membalas pelapor sejak tanda bahaya ini."]


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
        self.channel = channel  # "telegram" when officers are reached there; None: no channel, the log only
        self.connected = channel is not None  # False while the channel could not start: alerts wait for it
        self.clock = clock
        self.times = times or AlertTimes()
        self.failures: Counter[str] = Counter()  # duty -> passes that failed
        self.failing: set[str] = set()  # duties whose latest pass failed

    async def check(self) -> int:
        """Everything that is due: new alerts, alerts whose chats refused them, repeats and
        escalations of untaken emergencies, quiet takeovers, reporters waiting too long,
        overdue referrals. One duty failing (its reason logged and counted) stops no other."""
        done = 0
        for duty in DUTIES:
            try:
                done += getattr(self, duty)()
            except Exception as error:
                self.failures[duty] += 1
                self.failing.add(duty)
                log.error("alert duty %s failed (%s); the other duties go on", duty, type(error).__name__)
                log.debug("alert duty %s failed", duty, exc_info=True)
            else:
                self.failing.discard(duty)
        return done

    @property
    def can_send(self) -> bool:
        return self.channel is not None and self.connected

    def open_unanswered_checks(self) -> int:
        """A "danger now?" question nobody answered in time: a case marked as a possible
        emergency (alerted like an emergency, on slower timers, until an officer looks)."""
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
        if not self.can_send:
            return 0
        for officer in officers:
            queue_staff_message(session, channel=self.channel, address=officer.telegram_chat_id, text=text,
                                payload=payload, priority=URGENT)  # alerts do not wait behind ordinary messages
        return len(officers)

    def _deliver(self, session: Session, alert: CaseAlert, officers: list[Officer], text: str, payload: dict | None,
                 now: datetime) -> int:
        """Queue the alert's message to each officer, remembering which message went to whom,
        and whether it went beyond their remit (a fallback rung), where the case lay then:
        how long it lets them see the case follows from that (`case_in_remit`)."""
        if not self.can_send:
            return 0
        case = self._case_of(session, alert)
        within = covering(session, case, officers)
        for officer in officers:
            message = queue_staff_message(session, channel=self.channel, address=officer.telegram_chat_id, text=text,
                                          payload=payload, priority=URGENT)
            session.add(AlertDelivery(alert_id=alert.id, officer_id=officer.id, message_id=message.id, created_at=now,
                                      beyond_remit=officer.id not in within, case_place=case_place(case)))
        return len(officers)

    def _passed_over(self, session: Session, alert: CaseAlert, now: datetime) -> set[int]:
        """Officers whose chat refused this alert lately (blocked the bot, or it failed for
        good): the next rung hears instead. After a while they are tried again."""
        since = now - PASS_OVER_REFUSING_CHAT
        return set(session.scalars(
            select(AlertDelivery.officer_id)
            .join(Message, Message.id == AlertDelivery.message_id)
            .where(AlertDelivery.alert_id == alert.id, AlertDelivery.created_at >= since,
                   Message.status.in_((MessageStatus.FAILED, MessageStatus.UNKNOWN)))
        ))

    def _nobody(self, alert: CaseAlert, now: datetime) -> None:
        """Nobody can be reached: the alert stays open and is tried again on every pass."""
        if alert.unreached_since is None:
            alert.unreached_since = now
            why = "no linked staff member can be reached" if self.connected else f"{self.channel} is not connected"
            log.error("officer alert %s (%s) reaches nobody: %s; it goes out as soon as someone can be reached",
                      alert.id, alert.reason, why)

    def _anybody(self, session: Session) -> bool:
        return session.scalar(select(Officer.id).where(
            Officer.active.is_(True), Officer.telegram_chat_id.is_not(None), Officer.role.in_(STAFF_ROLES)
        ).limit(1)) is not None

    def _case_of(self, session: Session, alert: CaseAlert) -> Case | None:
        if alert.case is not None:
            return alert.case
        return conversation_case(session, alert.conversation_id) if alert.conversation_id else None

    def queue_case_alerts(self) -> int:
        """Alerts nobody has been handed yet; returns how many were handed to somebody."""
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            pending = list(
                session.scalars(
                    select(CaseAlert)
                    .where(CaseAlert.sent_at.is_(None), CaseAlert.resolved_at.is_(None))
                    .order_by(CaseAlert.id)
                    .with_for_update(skip_locked=True)
                )
            )
            if self.channel is None:  # no staff channel at all: the log is all there is
                for alert in pending:
                    log.warning("officer alert (%s) for case %s: no staff channel, logged only", alert.reason, alert.case_id or "-")
                    alert.sent_at = alert.last_sent_at = alert.resolved_at = now
                return len(pending)
            anybody = self.connected and self._anybody(session)
            handed = 0
            for alert in pending:
                if alert.reason == "referral":
                    if self.connected:  # the facility's contact, or (none linked) the SLA check tells the coordinators
                        self._referral_alert(session, alert)
                        alert.sent_at = alert.last_sent_at = alert.resolved_at = now
                        handed += 1
                elif not anybody:
                    self._nobody(alert, now)
                else:
                    handed += self._duty_alert(session, alert, now)
        return handed

    def follow_up_unreached(self) -> int:
        """An alert handed to the outbox is followed until one of its messages was sent. When
        every one failed (a chat that blocked the bot, a send refused for good), nobody was
        reached: the alert goes to the next rung, passing over those chats."""
        now = self.clock()
        moved = 0
        with unit_of_work(self.sessions) as session:
            waiting = list(
                session.scalars(
                    select(CaseAlert)
                    .where(CaseAlert.sent_at.is_not(None), CaseAlert.reached_at.is_(None),
                           CaseAlert.resolved_at.is_(None), CaseAlert.reason != "referral")
                    .order_by(CaseAlert.id)
                    .with_for_update(skip_locked=True)
                )
            )
            for alert in waiting:
                statuses = set(session.scalars(
                    select(Message.status).join(AlertDelivery, AlertDelivery.message_id == Message.id)
                    .where(AlertDelivery.alert_id == alert.id)
                ))
                if statuses & REACHED:
                    alert.reached_at, alert.unreached_since = now, None
                    if alert.reason not in REPEATING:  # told once is enough
                        alert.resolved_at = now
                elif not statuses & IN_FLIGHT and self.can_send:
                    moved += self._duty_alert(session, alert, now)
        return moved

    def _duty_alert(self, session: Session, alert: CaseAlert, now: datetime) -> bool:
        """Hand the alert to its recipients; False (the alert stays open) when there are none."""
        case = self._case_of(session, alert)
        conversation_id = alert.conversation_id or (case.conversation_id if case else None)
        if conversation_id and answered_by_holder(session, conversation_id, alert.created_at):
            alert.resolved_at = now  # someone is with the reporter already: told, not followed up
        passed_over = self._passed_over(session, alert, now)
        if alert.reason == "unrouted":  # a coordinator's decision: where the case goes now
            recipients = alert_recipients(session, case, now=now, from_rung=COORDINATORS, passed_over=passed_over)
        else:
            emergency = alert.reason.startswith("emergency")
            recipients = alert_recipients(session, case, now=now, with_coordinators=emergency, passed_over=passed_over)
        holder = holder_lines(session, alert)
        headline = HEADLINES.get(f"{alert.reason}_held" if holder else alert.reason) or HEADLINES.get(alert.reason, "Pemberitahuan")
        text = "\n".join([headline, *case_lines(case, conversation_id, now), *holder])
        sent = self._deliver(session, alert, recipients, text, conversation_buttons(conversation_id), now)
        if not sent:
            self._nobody(alert, now)
            return False
        alert.sent_at = alert.sent_at or now
        alert.last_sent_at = now
        log.warning("officer alert (%s) for case %s to %s officer(s)%s", alert.reason, case.ticket if case else "-", sent,
                    f", {len(passed_over)} refusing chat(s) passed over" if passed_over else "")
        return True

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

    def _timers(self, alert: CaseAlert) -> tuple[timedelta, timedelta]:
        """(repeat every, escalate after) for this alert: a possible emergency on slower timers."""
        if alert.reason == "possible_emergency":
            return (timedelta(seconds=self.times.possible_emergency_repeat_s),
                    timedelta(seconds=self.times.possible_emergency_escalate_s))
        return timedelta(seconds=self.times.emergency_repeat_s), timedelta(seconds=self.times.emergency_escalate_s)

    def repeat_emergencies(self) -> int:
        """An emergency nobody has taken over (a possible emergency nobody has looked at) is
        alerted again every few minutes; after a while the coordinators hear that nobody has.
        A repeat that finds nobody is tried again on the next pass."""
        if not self.can_send:
            return 0
        now = self.clock()
        soonest = timedelta(seconds=min(self.times.emergency_repeat_s, self.times.possible_emergency_repeat_s))
        repeated = 0
        with unit_of_work(self.sessions) as session:
            due = [
                alert for alert in session.scalars(
                    select(CaseAlert)
                    .where(CaseAlert.reason.in_(REPEATING), CaseAlert.resolved_at.is_(None), CaseAlert.last_sent_at < now - soonest)
                    .order_by(CaseAlert.id)
                    .with_for_update(skip_locked=True)
                )
                if now - alert.last_sent_at >= self._timers(alert)[0]
            ]
            for alert in due:
                repeated += self._repeat(session, alert, now)
        return repeated

    def _repeat(self, session: Session, alert: CaseAlert, now: datetime) -> int:
        case = self._case_of(session, alert)
        conversation = session.get(Conversation, alert.conversation_id) if alert.conversation_id else None
        # A case-less alert (a turn given up on, a guess during a case-less takeover) repeats
        # too: it is about the conversation until an officer answers there.
        if (case is None and conversation is None) or (case is not None and case.status == "closed") or (
            conversation is not None and answered_by_holder(session, conversation.id, alert.created_at)
        ):
            alert.resolved_at = now
            return 0
        possible = alert.reason == "possible_emergency"
        passed_over = self._passed_over(session, alert, now)
        waited = age_label(alert.sent_at, now)
        buttons = conversation_buttons(alert.conversation_id)
        headline = (f"⚠️ Mungkin darurat, belum dicek petugas ({waited}), pengingat ke-{alert.repeats + 1}" if possible
                    else f"🚨 DARURAT belum {'dijawab' if holder_lines(session, alert) else 'diambil alih'} "
                         f"({waited}), pengingat ke-{alert.repeats + 1}")
        recipients = alert_recipients(session, case, now=now, with_coordinators=not possible, passed_over=passed_over)
        text = "\n".join([headline, *case_lines(case, alert.conversation_id, now), *holder_lines(session, alert)])
        if not self._deliver(session, alert, recipients, text, buttons, now):
            return 0
        alert.repeats += 1
        alert.last_sent_at = now
        if alert.escalated_at is None and now - alert.sent_at >= self._timers(alert)[1]:
            self._escalate(session, alert, case, waited, passed_over, now)
        return 1

    def _escalate(self, session: Session, alert: CaseAlert, case: Case | None, waited: str, passed_over: set[int], now: datetime) -> None:
        possible = alert.reason == "possible_emergency"
        lines = (
            [f"⚠️ ESKALASI: kemungkinan keadaan darurat belum dicek siapa pun setelah {waited}.",
             *case_lines(case, alert.conversation_id, now), "Mohon buka Ringkasan, tunjuk petugas, atau ambil alih sendiri."]
            if possible else
            [f"⚠️ ESKALASI: keadaan darurat belum diambil alih siapa pun setelah {waited}.",
             *case_lines(case, alert.conversation_id, now), "Mohon tunjuk petugas atau ambil alih sendiri."]
        )
        coordinators = alert_recipients(session, case, now=now, from_rung=COORDINATORS, passed_over=passed_over)
        if self._deliver(session, alert, coordinators, "\n".join(lines), conversation_buttons(alert.conversation_id), now):
            alert.escalated_at = now
            label = case.ticket if case else f"conversation #{alert.conversation_id}"
            log.error("%s %s not acted on after %s; coordinators told", alert.reason, label, waited)

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
                    text = (f"⏰ Anda masih memegang {label}, tetapi belum ada pesan ke pelapor selama {age_label(takeover.last_activity_at, now)}. "
                            "Balas pelapor, atau serahkan kembali ke bot dengan /kembalikan.")
                    if self._send(session, [takeover.officer], text, {"conversation_id": takeover.conversation_id}):
                        takeover.reminded_at = now
                        told += 1
                if takeover.escalated_at is None and quiet >= timedelta(seconds=self.times.takeover_escalate_s):
                    # the coordinators, or whoever the ladder finds above them (not the holder)
                    above = alert_recipients(session, takeover.case, now=now, from_rung=COORDINATORS, passed_over={takeover.officer_id})
                    text = (f"⚠️ {label} dipegang {takeover.officer.name} tanpa pesan ke pelapor selama "
                            f"{age_label(takeover.last_activity_at, now)}. Mohon pastikan pelapor tidak ditinggalkan.")
                    if sent := self._send(session, above, text):  # nobody yet: a later pass tries again
                        takeover.escalated_at = now
                        told += sent
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
        the coordinators whose remit covers the case (with none linked, national staff) hear
        of it once, with a button to route it to the next facility. Returns how many referrals
        were reported."""
        now = self.clock()
        reported = 0
        with unit_of_work(self.sessions) as session:
            overdue = overdue_referrals(
                session, sla_hours=self.times.referral_sla_hours, urgent_hours=self.times.referral_sla_urgent_hours, now=now
            )
            for referral in overdue:
                # only a coordinator or national staff may re-route it
                coordinators = alert_recipients(session, referral.case, now=now, from_rung=COORDINATORS, to_rung=NATIONAL)
                if not coordinators or not self.can_send:
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
