"""The inbox worker: processes stored messages that are still waiting, then flushes the outbox.

Runs inside the gateway. Every few seconds it puts back messages whose holder
died mid-processing, processes the oldest waiting message of each
conversation whose retry time has come, tells reporters who have waited too
long that a person will follow up, and sends queued channel replies.
Rasa or a provider being down only delays answers.
"""

from __future__ import annotations

import asyncio
import logging

from bot.alerts import OfficerAlerts
from bot.conversation import ConversationService
from bot.outbox import Outbox
from referral.messages import due_inbound, release_stale
from referral.storage import unit_of_work

log = logging.getLogger(__name__)


class InboxWorker:
    def __init__(
        self,
        service: ConversationService,
        interval_s: float = 2.0,
        outbox: Outbox | None = None,
        alerts: OfficerAlerts | None = None,
    ) -> None:
        self.service = service
        self.interval_s = interval_s
        self.outbox = outbox
        self.alerts = alerts

    async def run_once(self) -> int:
        """One pass; returns how many messages it processed."""
        with unit_of_work(self.service.sessions) as session:
            released = release_stale(session)
            due = due_inbound(session)
        if released:
            log.warning("%s message(s) were left mid-processing; queued again", released)
        for message_id in due:
            await self.service.process(message_id)
        self.service.acknowledge_waiting()
        if self.outbox:
            await self.outbox.flush()
        if self.alerts:
            await self.alerts.check()
        return len(due)

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the worker alive; the next pass tries again
                log.exception("inbox worker pass failed")
            await asyncio.sleep(self.interval_s)
