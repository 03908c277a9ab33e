"""Telling duty officers when reporters wait too long for an answer.

Officers with a Telegram chat id (the `officers` table) get a message from the
bot; without Telegram the alert goes to the log (and the officer console shows
the waiting count either way). Alerts carry counts and ages, never message text.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from referral.messages import waiting_too_long
from referral.models import Officer, utcnow
from referral.storage import unit_of_work

log = logging.getLogger(__name__)


def alert_text(count: int, minutes: int) -> str:
    return (
        f"⚠️ {count} pesan pelapor belum terjawab sistem lebih dari {minutes} menit. "
        "Buka konsol petugas dan tindak lanjuti langsung."
    )


class OfficerAlerts:
    def __init__(self, sessions: sessionmaker[Session], after_seconds: float, telegram_bot=None) -> None:
        self.sessions = sessions
        self.after_seconds = after_seconds
        self.telegram_bot = telegram_bot

    async def check(self) -> int:
        """Alert once about every message that has waited longer than the threshold."""
        now = utcnow()
        with unit_of_work(self.sessions) as session:
            waiting = waiting_too_long(session, older_than=now - timedelta(seconds=self.after_seconds))
            if not waiting:
                return 0
            for message in waiting:
                message.alerted_at = now
            chat_ids = [
                chat_id
                for chat_id in session.scalars(
                    select(Officer.telegram_chat_id).where(Officer.active.is_(True), Officer.telegram_chat_id.is_not(None))
                )
            ]
        text = alert_text(len(waiting), max(1, round(self.after_seconds / 60)))
        log.warning("officer alert: %s message(s) waiting longer than %ss", len(waiting), self.after_seconds)
        if self.telegram_bot is not None:
            for chat_id in chat_ids:
                try:
                    await self.telegram_bot.send_message(chat_id=chat_id, text=text)
                except Exception as error:  # one unreachable officer must not stop the others
                    log.error("could not alert officer chat: %s", type(error).__name__)
        return len(waiting)
