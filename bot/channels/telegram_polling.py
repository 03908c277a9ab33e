"""Telegram's long polling, with an update acknowledged only once it is stored.

Telegram forgets an update once getUpdates is called with an offset above its id.
python-telegram-bot's Updater moves the offset on as soon as it has fetched an update,
stored or not: an update the database refused (SQLite busy, PostgreSQL down) was lost.
Here the offset passes an update only after the channel has stored it. On a failure that
update, and those after it, are fetched again after a pause (doubling each time, at most
TELEGRAM_RETRY_MAX_SECONDS); what was stored before the failure is stored once (messages
are unique on their provider id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import InvalidToken, RetryAfter

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)
POLL_TIMEOUT_S = 10  # how long Telegram holds a getUpdates open while nothing comes
# An error that is not the database's (a bug meeting an odd update) would otherwise hold
# every later reporter back: after this many tries that one update is given up.
# Given up, the sender of a private chat is told at once to write again (and the hotlines),
# sent straight to Telegram because storing is what failed, and /healthz counts it.
TRIES_FOR_OTHER_ERRORS = 5


class Pause:
    """A wait that doubles after each failure, up to a limit, and starts over after a success."""

    def __init__(self, first_s: float, max_s: float) -> None:
        self.first_s, self.max_s = min(first_s, max_s), max_s
        self.next_s = self.first_s

    async def wait(self) -> None:
        await asyncio.sleep(self.next_s)
        self.next_s = min(self.next_s * 2, self.max_s)

    def reset(self) -> None:
        self.next_s = self.first_s


class UpdatePoller:
    def __init__(self, channel: TelegramChannel, *, retry_max_s: float, first_pause_s: float = 1.0) -> None:
        self.channel = channel
        self.pause = Pause(first_pause_s, retry_max_s)
        self.offset: int | None = None  # the first update not stored yet
        self.tries = 0  # of the update at `offset`, for errors that are not the database's
        self.given_up = 0  # updates given up since the process started (/healthz)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="telegram-polling")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        while True:
            try:
                updates = await self._fetch()
            except InvalidToken:
                log.error("Telegram refused the bot token; polling stops")
                return
            for update in updates or ():
                if not await self._store(update):
                    await self.pause.wait()
                    break  # fetched again from this update on

    async def _fetch(self) -> tuple[Update, ...] | None:
        try:
            return await self.channel.application.bot.get_updates(
                offset=self.offset, timeout=POLL_TIMEOUT_S, allowed_updates=Update.ALL_TYPES
            )
        except RetryAfter as error:  # Telegram's flood control: wait as told
            wait = error.retry_after
            await asyncio.sleep(wait.total_seconds() if isinstance(wait, timedelta) else wait)
        except InvalidToken:
            raise
        except Exception as error:  # no connection, Telegram's 5xx, another process polling the same bot
            log.warning("Telegram getUpdates failed (%s); trying again in %.0f s", type(error).__name__, self.pause.next_s)
            await self.pause.wait()
        return None

    async def _store(self, update: Update) -> bool:
        """Store one update; True when the offset may pass it (stored, or given up)."""
        try:
            stored = await self.channel.store_update(update)
        except SQLAlchemyError as error:  # the database is busy or away: it will be back
            log.error("Telegram update %s could not be stored (%s); it is fetched again in %.0f s",
                      update.update_id, type(error).__name__, self.pause.next_s)
            return False
        except Exception:
            self.tries += 1
            if self.tries < TRIES_FOR_OTHER_ERRORS:
                log.exception("Telegram update %s could not be handled (try %s); fetched again", update.update_id, self.tries)
                return False
            log.exception("Telegram update %s could not be handled after %s tries; given up", update.update_id, self.tries)
            self.given_up += 1
            await self.channel.tell_not_processed(update)
        else:
            if stored:
                self.channel.intake.conversations.in_background(self.channel.intake.after_store(stored))
        self.offset, self.tries = update.update_id + 1, 0
        self.pause.reset()
        return True
