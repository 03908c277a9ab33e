"""The inbox worker: processes stored messages that are still waiting, and runs the
periodic duties beside it.

Runs inside the gateway as three loops, so that none can hold up the others:
- the inbox: every few seconds it puts back messages whose holder died mid-processing
  and starts processing the oldest waiting message of each conversation whose retry
  time has come, several conversations at once (bounded), never one twice;
- the duties: acknowledgements to reporters who have waited too long, and officer alerts;
- the outbox: queued channel replies are sent.
Rasa or a provider being down, or one conversation stuck in Rasa, only delays answers
to that conversation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.duties.alerts import OfficerAlerts
from bot.gateway.conversation import ConversationService
from bot.desk.telegram_desk import OfficerDesk
from bot.gateway.outbox import Outbox
from messaging.queries import due_inbound
from messaging.statuses import release_stale
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
MAX_CONCURRENT_CONVERSATIONS = 8


class InboxWorker:
    def __init__(
        self,
        service: ConversationService,
        interval_s: float = 2.0,
        outbox: Outbox | None = None,
        alerts: OfficerAlerts | None = None,
        desk: OfficerDesk | None = None,
        concurrency: int = MAX_CONCURRENT_CONVERSATIONS,
    ) -> None:
        self.service = service
        self.interval_s = interval_s
        self.outbox = outbox
        self.alerts = alerts
        self.desk = desk  # retries telling Rasa of takeovers and hand-backs it missed
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[int] = set()

    async def start_due(self) -> int:
        """Start processing every due message not already in hand; returns how many started."""
        with unit_of_work(self.service.sessions) as session:
            now = self.service.clock()
            released = release_stale(session, now=now)
            due = [m for m in due_inbound(session, now=now) if m not in self._in_flight]
        if released:
            log.warning("%s message(s) were left mid-processing; queued again", released)
        for message_id in due:
            self._in_flight.add(message_id)
            self.service.in_background(self._process(message_id))
        return len(due)

    async def _process(self, message_id: int) -> None:
        try:
            async with self._slots:
                await self.service.process(message_id)
        except Exception:
            log.exception("processing message %s failed; it will be tried again", message_id)
        finally:
            self._in_flight.discard(message_id)

    async def run_duties(self) -> None:
        """Reporters who waited too long hear from us; officers hear what needs them; Rasa
        hears of takeovers it missed."""
        self.service.acknowledge_waiting()
        if self.alerts:
            await self.alerts.check()
        if self.desk:
            await self.desk.sync_engine()

    async def flush_outbox(self) -> None:
        if self.outbox:
            await self.outbox.flush()

    async def run_once(self) -> int:
        """One pass of everything, waiting for the processing it started (for tests)."""
        started = await self.start_due()
        await self.service.drain()
        await self.run_duties()
        await self.flush_outbox()
        return started

    async def run(self) -> None:
        await asyncio.gather(
            self._every(self.start_due, "inbox"),
            self._every(self.run_duties, "duties"),
            self._every(self.flush_outbox, "outbox"),
        )

    async def _every(self, step: Callable[[], Awaitable[object]], name: str) -> None:
        while True:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the loop alive; the next pass tries again
                log.exception("%s pass failed", name)
            await asyncio.sleep(self.interval_s)
