"""Telling duty officers what needs a person: emergencies, and reporters who wait too long.

Officers with a Telegram chat id (the `officers` table) get a message from the bot,
through the outbox; without Telegram the alert goes to the log (and the officer console shows the
waiting count either way). Alerts carry tickets, categories, regions, counts and
ages, never a reporter's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from messaging.queries import waiting_too_long
from messaging.store import queue_staff_message
from referral.models import Case, CaseAlert, Officer, utcnow
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
CATEGORY_NAMES = {"violence": "kekerasan", "bullying": "perundungan", "elderly_care": "perawatan lansia", "aid": "bantuan"}


def coordinator_chats(session: Session) -> list[str]:
    """The Telegram chats of the active coordinators (the digest, overdue referrals)."""
    return list(
        session.scalars(
            select(Officer.telegram_chat_id).where(
                Officer.active.is_(True), Officer.role == "coordinator", Officer.telegram_chat_id.is_not(None)
            )
        )
    )


def alert_text(count: int, minutes: int) -> str:
    return (
        f"⚠️ {count} pesan pelapor belum terjawab sistem lebih dari {minutes} menit. "
        "Buka konsol petugas dan tindak lanjuti langsung."
    )


def case_alert_text(alert: CaseAlert, case: Case) -> str:
    region = case.regency_code or case.province_code or "belum diketahui"
    category = CATEGORY_NAMES.get(case.category, case.category)
    if alert.reason == "emergency_repeated":
        return (
            f"🚨 DARURAT (pesan baru): pelapor kasus {case.ticket} ({category}, wilayah {region}) "
            "mengirim pesan darurat lagi. Segera tindak lanjuti."
        )
    return f"🚨 DARURAT: kasus baru {case.ticket} ({category}, wilayah {region}). Segera tindak lanjuti."


class OfficerAlerts:
    """Turns what officers must know into messages to their Telegram chats, queued in the
    outbox in the same transaction that marks the alert as handled: a restart or a
    Telegram outage delays an alert, never loses it, and never sends it twice."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        after_seconds: float,
        channel: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.after_seconds = after_seconds
        self.channel = channel  # "telegram" when officers can be reached; None: the log only
        self.clock = clock

    async def check(self) -> int:
        """Queue pending case alerts, and one alert about the messages that have waited
        longer than the threshold. Returns how many alerts were handled."""
        return self.queue_case_alerts() + self.queue_waiting_alert()

    def _officer_chats(self, session: Session) -> list[str]:
        return list(
            session.scalars(
                select(Officer.telegram_chat_id).where(
                    Officer.active.is_(True),
                    Officer.telegram_chat_id.is_not(None),
                    Officer.role != "facility",  # a facility's contact hears about its referrals, not every alert
                )
            )
        )

    def _queue(self, session: Session, text: str) -> int:
        """One message per reachable officer; returns how many were queued."""
        if self.channel is None:
            return 0
        chats = self._officer_chats(session)
        for chat_id in chats:
            queue_staff_message(session, channel=self.channel, address=chat_id, text=text)
        return len(chats)

    def queue_case_alerts(self) -> int:
        with unit_of_work(self.sessions) as session:
            pending = list(session.scalars(select(CaseAlert).where(CaseAlert.sent_at.is_(None)).order_by(CaseAlert.id)))
            for alert in pending:
                log.warning("officer alert: emergency case %s", alert.case.ticket)
                self._queue(session, case_alert_text(alert, alert.case))
                alert.sent_at = self.clock()  # handed to the outbox
        return len(pending)

    def queue_waiting_alert(self) -> int:
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            waiting = waiting_too_long(session, older_than=now - timedelta(seconds=self.after_seconds))
            if not waiting:
                return 0
            for message in waiting:
                message.alerted_at = now
            self._queue(session, alert_text(len(waiting), max(1, round(self.after_seconds / 60))))
        log.warning("officer alert: %s message(s) waiting longer than %ss", len(waiting), self.after_seconds)
        return len(waiting)
