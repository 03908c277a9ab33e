"""Telling duty officers what needs a person: emergencies, and reporters who wait too long.

Officers with a Telegram chat id (the `officers` table) get a message from the bot;
without Telegram the alert goes to the log (and the officer console shows the
waiting count either way). Alerts carry tickets, categories, regions, counts and
ages, never a reporter's words.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from messaging.queries import waiting_too_long
from referral.models import Case, CaseAlert, Officer, utcnow
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
CATEGORY_NAMES = {"violence": "kekerasan", "bullying": "perundungan", "elderly_care": "perawatan lansia", "aid": "bantuan"}


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
    def __init__(self, sessions: sessionmaker[Session], after_seconds: float, telegram_bot=None) -> None:
        self.sessions = sessions
        self.after_seconds = after_seconds
        self.telegram_bot = telegram_bot

    async def check(self) -> int:
        """Send pending case alerts and alert once about every message that has waited
        longer than the threshold. Returns how many alerts went out."""
        return await self.send_case_alerts() + await self.alert_waiting()

    def _officer_chats(self, session: Session) -> list[str]:
        return list(
            session.scalars(
                select(Officer.telegram_chat_id).where(Officer.active.is_(True), Officer.telegram_chat_id.is_not(None))
            )
        )

    async def _send(self, chat_ids: list[str], text: str) -> int:
        """Send to every officer; returns how many received it."""
        if self.telegram_bot is None:
            return 0
        delivered = 0
        for chat_id in chat_ids:
            try:
                await self.telegram_bot.send_message(chat_id=chat_id, text=text)
                delivered += 1
            except Exception as error:  # one unreachable officer must not stop the others
                log.error("could not alert officer chat: %s", type(error).__name__)
        return delivered

    async def send_case_alerts(self) -> int:
        """Alerts kept in the database until sent: a restart or a Telegram outage delays
        them, never loses them."""
        with unit_of_work(self.sessions) as session:
            pending = [
                (alert.id, case_alert_text(alert, alert.case), alert.case.ticket)
                for alert in session.scalars(select(CaseAlert).where(CaseAlert.sent_at.is_(None)).order_by(CaseAlert.id))
            ]
            chat_ids = self._officer_chats(session)
        sent = 0
        for alert_id, text, ticket in pending:
            log.warning("officer alert: emergency case %s", ticket)
            if chat_ids and self.telegram_bot is not None and not await self._send(chat_ids, text):
                continue  # nobody reached: try again on the next pass
            with unit_of_work(self.sessions) as session:
                session.get(CaseAlert, alert_id).sent_at = utcnow()
            sent += 1
        return sent

    async def alert_waiting(self) -> int:
        now = utcnow()
        with unit_of_work(self.sessions) as session:
            waiting = waiting_too_long(session, older_than=now - timedelta(seconds=self.after_seconds))
            if not waiting:
                return 0
            for message in waiting:
                message.alerted_at = now
            chat_ids = self._officer_chats(session)
        log.warning("officer alert: %s message(s) waiting longer than %ss", len(waiting), self.after_seconds)
        await self._send(chat_ids, alert_text(len(waiting), max(1, round(self.after_seconds / 60))))
        return len(waiting)
