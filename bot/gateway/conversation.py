"""Channel-agnostic handling of inbound messages: the durable inbox.

Every inbound message is stored (all-or-nothing) before anything else. It is
then processed once: claimed under a lease, sent to Rasa, and its replies are
stored together with its new status. If Rasa does not answer, the message
stays `pending` and the inbox worker (bot/gateway/worker.py) tries it again with
backoff, in order per conversation; once it has waited `ack_after_s`, the
reporter is told (once) that it is saved and a person will follow up. A
retried message is first looked up in Rasa's tracker, so a message Rasa
already handled (the gateway died before storing the answer) is never
answered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from actions.texts import action_text
from bot.gateway import replies
from bot.gateway.danger_check import EMERGENCY, POSSIBLE, Reading, read_danger, reporter_lines
from bot.gateway.engine_client import EngineClient, EngineUnavailable
from bot.gateway.language import language_hint, regional_language
from bot.desk.texts import officer_text
from wiring.settings import PROJECT_ROOT
from messaging.queries import (
    has_earlier_unanswered,
    offered_payloads,
    replies_to,
    waiting_without_acknowledgement,
)
from messaging.models import Conversation, Message
from messaging.statuses import (
    OPEN_INBOUND,
    WAITING,
    MessageStatus,
    claim_inbound,
    finish_inbound,
    first_outbound_status,
    holds_lease,
    postpone_inbound,
    renew_lease,
    retry_delay_seconds,
)
from messaging.store import ORDINARY, URGENT, Inbound, get_or_create_conversation, record_inbound, record_outbound
from messaging.takeover import record_danger, record_possible_danger, relay_to_officer
from messaging.turns import (
    BOOKKEEPING, TURN_DONE, done_before, is_urgent, refused_since, split_at_retry, with_done, with_refused_since,
)
from referral.follow_up import read_answer, record_answer
from referral.lifecycle import CaseError
from referral.models import CaseAlert, Officer, utcnow
from referral.storage import unit_of_work

log = logging.getLogger(__name__)

# What Rasa receives for a shared location; the coordinates travel in metadata.
LOCATION_TRIGGER = "/provide_location"
# A holder renews its lease while Rasa works, so a crashed holder's message is free
# again within a minute while a slow answer is still waited for.
LEASE_SECONDS = 60.0
LEASE_RENEW_SECONDS = 20.0
# Every turn of ours says something, so an empty answer is a turn Rasa ran without its action
# server: tried again this many times (with the backoff of a message Rasa did not answer: 2, 4,
# 8, 16 s, while the supervisor restarts it), and up to MAX_ACTIONS_DOWN_ATTEMPTS (about a
# quarter of an hour) while its /health does not answer; then it is taken as the answer, so that
# nothing holds a conversation back for ever.
MAX_SILENT_TURN_ATTEMPTS = 5
MAX_ACTIONS_DOWN_ATTEMPTS = 10
# Rasa got the message but did not answer in time: give it this long to finish and save
# its tracker before we look there for the answer (and only then send again).
RECHECK_AFTER_TIMEOUT_SECONDS = 60.0
# A message whose officer was disabled waits this long for the desk to hand it back to the bot.
RELEASE_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Reply:
    text: str | None
    buttons: list[dict[str, Any]] = field(default_factory=list)
    id: int | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "buttons": self.buttons}
        if self.id is not None:
            data["id"] = self.id
        return data


def reply_from_engine(raw: dict[str, Any]) -> Reply | None:
    text = raw.get("text")
    buttons = [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in raw.get("buttons") or []
        if isinstance(button, dict)
    ]
    if not text and not buttons:
        return None
    return Reply(text=text, buttons=buttons)


def stored_reply(message: Message) -> Reply:
    return Reply(text=message.text, buttons=(message.payload or {}).get("buttons", []), id=message.id)


LEADING_SLASHES = re.compile(r"^[\s/]+")


def as_plain_text(text: str) -> str:
    """A reporter's words as words: Rasa strips a message and reads "/intent{...}" as an
    intent, so every leading slash (and the white space between them) is dropped from
    anything the bot did not itself offer as a button."""
    return LEADING_SLASHES.sub("", text)


def reply_language_for(kind: str, text: str | None) -> str | None:
    """The reply language a message asks for; None for commands, buttons and non-text."""
    if kind != "text" or not text or text.startswith("/"):
        return None
    return language_hint(text[:500])


def said_text(work: "_Work") -> str | None:
    """What a message says in words: a text, or a photo's caption."""
    return work.text if work.kind in ("text", "media") else None


def relay_footer(reading: Reading, ticket: str | None, held_back: bool) -> str | None:
    """What the officer is told under a relayed message: what was done about danger in it."""
    lines = []
    if reading.danger:
        lines.append(officer_text("relay_emergency" if reading.danger == EMERGENCY else "relay_possible", ticket=ticket))
    elif not reading.checked:
        lines.append(officer_text("relay_unchecked"))
    if held_back:
        lines.append(officer_text("relay_held_back"))
    return "\n".join(lines) or None


@dataclass(frozen=True)
class _Work:
    """What processing needs from a claimed message, read inside its transaction."""

    message_id: int
    conversation_id: int
    sender_id: str
    channel: str
    kind: str
    text: str | None
    payload: dict[str, Any] | None
    attempts: int
    lease_token: str
    known_language: str  # what the reporter last wrote in: for replies to messages that say nothing of it
    handled_by: str  # bot | officer
    engine_paused: bool  # Rasa still holds the conversation paused from a takeover


class ConversationService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        engine: EngineClient,
        secret_key: str,
        max_message_chars: int = 4000,
        ack_after_s: float = 0.0,
        wait_s: float = 20.0,
        clock: Callable[[], datetime] = utcnow,
        hotlines_file: Path = PROJECT_ROOT / "config" / "hotlines.yml",
        turn_retry_s: float = 600.0,
        on_turn: Callable[[float], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.on_turn = on_turn  # told how long each message's processing took (GET /metrics)
        self.engine = engine
        self.secret_key = secret_key
        self.max_message_chars = max_message_chars
        self.ack_after_s = ack_after_s
        self.wait_s = wait_s  # how long handle() waits for an answer before returning
        self.clock = clock  # the time retries, leases and acknowledgements go by (tests move it)
        self.hotlines_file = hotlines_file  # the numbers a reporter in danger gets while an officer holds the chat
        self.turn_retry_s = turn_retry_s  # how long a turn the database refuses is retried before it is given up on
        self.turns_given_up = 0  # since the process started (/healthz)
        self._running: set[asyncio.Task] = set()

    def in_background(self, work: Awaitable[Any]) -> asyncio.Task:
        """Run work that must finish even when the caller stops waiting (a closed web chat
        request, a Telegram update handler that has to get on with the next update).
        A failure is logged; the message stays stored and the inbox worker retries it."""
        task = asyncio.ensure_future(work)
        self._running.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background processing failed; the inbox worker will retry", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait for the background work there is (tests)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)

    async def stop(self, grace_s: float = 15.0) -> None:
        """On shutdown: let Rasa finish what it is working on for a while (a cut-off call
        makes Rasa drop that turn unsaved), then stop waiting. A message cut off here keeps
        its lease until it runs out; then the next gateway takes it, reading Rasa's tracker first."""
        if self._running:
            await asyncio.wait(list(self._running), timeout=grace_s)
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*list(self._running), return_exceptions=True)

    def store(self, channel: str, address: str, inbound: Inbound) -> tuple[int, bool, str]:
        """Store one inbound message (a redelivery finds the stored one): (id, is_new, status)."""
        with unit_of_work(self.sessions) as session:
            message_id, is_new = self.store_in(session, channel, address, inbound)
            return message_id, is_new, session.get(Message, message_id).status

    def store_in(self, session: Session, channel: str, address: str, inbound: Inbound) -> tuple[int, bool]:
        """Store one inbound message in the caller's transaction: (id, is_new)."""
        conversation = get_or_create_conversation(session, secret_key=self.secret_key, channel=channel, address=address)
        message, is_new = record_inbound(session, conversation, inbound)
        return message.id, is_new

    async def handle(self, channel: str, address: str, inbound: Inbound) -> list[Reply]:
        """Store one inbound message, process it now if it is its turn, and return its replies."""
        message_id, is_new, status = self.store(channel, address, inbound)
        # A repeat of an answered message gets the same answer; a repeat of one that
        # is still waiting for Rasa is tried again.
        if not is_new and status not in WAITING:
            with unit_of_work(self.sessions) as session:
                return [stored_reply(m) for m in replies_to(session, message_id)]
        processing = self.in_background(self.process(message_id))
        # A slow answer is not given up on: it is stored when it comes and the page
        # fetches it; meanwhile the reporter sees the message is saved.
        done, _ = await asyncio.wait({processing}, timeout=self.wait_s)
        answer = processing.result() if done and not processing.exception() else []
        if answer:
            return answer
        with unit_of_work(self.sessions) as session:
            given = [stored_reply(m) for m in replies_to(session, message_id)]
            message = session.get(Message, message_id)
            # A repeat while still waiting gets the same acknowledgement as before (if any); a
            # message Rasa could not answer yet is acknowledged later, by the inbox worker.
            if given or not is_new or message.attempts > 0:
                return given
            # Queued behind an earlier message that is still waiting: say it is safe with us.
            language = reply_language_for(inbound.kind, inbound.text) or "id"
            return [self._reply(session, message, replies.gateway_text("queued", language))]

    async def process(self, message_id: int) -> list[Reply]:
        """Process one stored inbound message, if it is its turn and nobody else holds it."""
        started = time.perf_counter()
        replies = await self._process(message_id)
        if replies and self.on_turn:  # answered (not another's turn, not postponed)
            self.on_turn(time.perf_counter() - started)
        return replies

    async def _process(self, message_id: int) -> list[Reply]:
        work = self._claim(message_id)
        if work is None:
            return []
        if work.handled_by == "officer":  # a person is talking with them now: for the officer, not the bot
            return await self._for_officer(work)
        kind = work.kind
        if kind == "media" and work.text:  # a photo with a caption: the caption is what was said
            kind = "text"
        language = reply_language_for(kind, work.text)
        answer_in = language or work.known_language
        if kind == "text" and len(work.text or "") > self.max_message_chars:
            reply = Reply(replies.gateway_text("too_long", answer_in, max_chars=self.max_message_chars))
            return self._finish(work, MessageStatus.TOO_LONG, [reply])
        if kind == "media":  # kept for officers (media id in the payload); nothing for Rasa to read
            return self._finish(work, MessageStatus.ANSWERED, [Reply(replies.gateway_text("media_saved", answer_in))])
        if kind == "reaction":
            return self._finish(work, MessageStatus.IGNORED, [])
        if kind == "start":  # Telegram's /start: a warm welcome, nothing for Rasa to read
            return self._finish(work, MessageStatus.ANSWERED, [Reply(replies.gateway_text("welcome", answer_in))])
        if kind == "contact":
            return self._finish(work, MessageStatus.ANSWERED, [Reply(replies.gateway_text("contact_saved", answer_in))])
        if kind not in ("text", "location"):
            return self._finish(work, MessageStatus.ANSWERED, [Reply(replies.gateway_text("unsupported", answer_in))])

        text = work.text if kind == "text" else LOCATION_TRIGGER
        answer = read_answer(text or "") if kind == "text" else None
        if answer and self._offered(work, text or ""):  # a press of the follow-up's buttons: for the case, not Rasa
            return self._follow_up_answered(work, *answer, language=language or work.known_language)
        if kind == "text" and (text or "").lstrip().startswith("/") and not self._offered(work, text or ""):
            text = as_plain_text(text or "")
        metadata: dict[str, Any] = {"channel": work.channel, "message_id": work.message_id}
        if language:
            metadata["language"] = language
        if work.kind == "location" and work.payload:
            metadata["location"] = {key: value for key, value in work.payload.items() if key not in BOOKKEEPING}
        if done := done_before(work.payload):  # an earlier run of this turn was undone after saying this
            metadata[TURN_DONE] = done
        try:
            raw = await self._keeping_lease(work, self._ask_engine(work, text or "", metadata))
            if not raw and (work.attempts < MAX_SILENT_TURN_ATTEMPTS or (
                    work.attempts < MAX_ACTIONS_DOWN_ATTEMPTS and await self.engine.actions_down())):
                # Rasa said nothing: a turn it ran without its action server (restarted by the
                # time we could ask, often). Undone (marked, so never twice) and tried again like
                # a message Rasa did not answer, for a bounded time
                await self._keeping_lease(work, self.engine.undo_turn(work.sender_id, work.message_id, mark=True))
                raise EngineUnavailable("the action server did not answer; Rasa's turn was undone")
            retry = split_at_retry(raw)
            if retry is not None:  # an action could not record this turn: undone in Rasa, to be tried again
                await self._keeping_lease(work, self.engine.undo_turn(work.sender_id, work.message_id))
        except EngineUnavailable as error:
            log.warning("message %s kept pending (attempt %s): %s", work.message_id, work.attempts, error)
            delay = RECHECK_AFTER_TIMEOUT_SECONDS if error.maybe_processing else None
            return self._postpone(work, answer_in, delay)
        if retry is not None:
            return self._retry_turn(work, *retry)
        answer = [reply for r in raw if (reply := reply_from_engine(r))]
        stored = self._finish(work, MessageStatus.ANSWERED, answer, language=language, while_handled_by="bot",
                              priority=URGENT if is_urgent(raw) else ORDINARY)
        if stored is None:  # an officer took the conversation over while Rasa worked: its answer is held back
            return await self._for_officer(work, held_back=True)
        return stored

    async def _ask_engine(self, work: _Work, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if work.engine_paused:  # handed back, but Rasa did not hear of it yet: a paused Rasa says nothing
            await self.engine.resume(work.sender_id)
            with unit_of_work(self.sessions) as session:
                session.get(Conversation, work.conversation_id).engine_paused = False
        raw = None
        if work.attempts > 1:  # tried before: Rasa may have answered while we were gone
            raw = await self.engine.replies_already_given(work.sender_id, work.message_id)
        if raw is None:  # never handled, or undone
            raw = await self.engine.send(work.sender_id, text, metadata)
        return raw

    async def _keeping_lease(self, work: _Work, call: Awaitable[Any]) -> Any:
        """Await `call`, renewing the message's lease meanwhile, so no one else takes the
        message (and sends it to Rasa a second time) while Rasa is still working on it."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(LEASE_RENEW_SECONDS)
                try:
                    with unit_of_work(self.sessions) as session:
                        if not renew_lease(session, work.message_id, work.lease_token, lease_seconds=LEASE_SECONDS):
                            return
                except Exception:  # a busy database: try again at the next renewal, well inside the lease
                    log.warning("could not renew the lease of message %s; trying again", work.message_id)

        renewing = asyncio.create_task(renew())
        try:
            return await call
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    def _follow_up_answered(self, work: _Work, ticket: str, received: bool, *, language: str) -> list[Reply]:
        with unit_of_work(self.sessions) as session:
            try:
                record_answer(session, ticket, work.conversation_id, received)
            except CaseError:  # not this conversation's case: nothing recorded, nothing told
                log.warning("a follow-up answer named a case of another conversation; ignored")
        key = "follow_up_thanks_yes" if received else "follow_up_thanks_no"
        return self._finish(work, MessageStatus.ANSWERED, [Reply(replies.gateway_text(key, language))])

    def _offered(self, work: _Work, text: str) -> bool:
        """Is `text` the payload of a button the bot itself sent in this conversation?"""
        with unit_of_work(self.sessions) as session:
            return text.strip() in offered_payloads(session, work.conversation_id)

    def defer(self, message_id: int, seconds: float, notice: str | None) -> None:
        """Keep a stored message for later (a flooding sender), optionally telling them so."""
        with unit_of_work(self.sessions) as session:
            message = session.get(Message, message_id)
            if message is None or message.status not in WAITING:
                return
            postpone_inbound(message, seconds, now=self.clock())
            if notice:
                self._reply(session, message, notice)

    def _claim(self, message_id: int) -> _Work | None:
        with unit_of_work(self.sessions) as session:
            message = session.get(Message, message_id)
            if message is None or message.direction != "in" or has_earlier_unanswered(session, message):
                return None  # an older message of this conversation goes first (the worker sees to it)
            token = claim_inbound(session, message_id, lease_seconds=LEASE_SECONDS, now=self.clock())
            if token is None:
                return None
            session.refresh(message)
            message.attempts += 1
            conversation = session.get(Conversation, message.conversation_id)
            return _Work(
                message_id=message.id,
                conversation_id=conversation.id,
                sender_id=conversation.engine_sender_id,
                channel=conversation.channel,
                kind=message.kind,
                text=message.text,
                payload=message.payload,
                attempts=message.attempts,
                lease_token=token,
                known_language=conversation.reporter.language or "id",
                handled_by=conversation.handled_by,
                engine_paused=conversation.engine_paused,
            )

    def _finish(
        self, work: _Work, status: MessageStatus, answer: list[Reply], language: str | None = None,
        while_handled_by: str | None = None, priority: int = ORDINARY,
    ) -> list[Reply] | None:
        """Store the replies and the inbound message's new status together, if the message
        is still ours (a holder whose lease ran out must not answer a second time).
        `while_handled_by`: only if the conversation is still handled so (else None, nothing
        stored: an officer took it over meanwhile, and the bot's answer must not follow theirs)."""
        with unit_of_work(self.sessions) as session:
            # locked: no one can take the message between this check and the commit
            inbound = session.get(Message, work.message_id, with_for_update=True)
            if not holds_lease(inbound, work.lease_token):
                log.warning("message %s was taken over by another worker; its answer here is dropped", work.message_id)
                return []
            # locked too: a takeover lands before this check or after the answer is stored
            conversation = session.get(Conversation, work.conversation_id, with_for_update=while_handled_by is not None)
            if while_handled_by is not None and conversation.handled_by != while_handled_by:
                return None
            if language:  # what the reporter last wrote in, for officers and later messages
                conversation.reporter.language = language
            if work.kind == "text" and (regional := regional_language(work.text or "")):
                conversation.reporter.regional_language = regional
            stored = self._store_replies(session, conversation, work.message_id, answer, priority)
            finish_inbound(inbound, status)
        return stored

    async def _for_officer(self, work: _Work, held_back: bool = False) -> list[Reply]:
        """A person holds the conversation: the message goes to them, read first by the
        emergency check (Rasa's NLU only; its dialogue stays paused). `held_back`: the bot had
        answered it when the officer took over; that answer is not sent."""
        reading = await self._keeping_lease(work, read_danger(self.engine, as_plain_text(said_text(work) or "")))
        relayed = self._finish_for_officer(work, reading, held_back)
        if relayed is None:  # handed back while it was read: the bot answers it after all
            return await self._process(work.message_id)
        return relayed

    def _finish_for_officer(self, work: _Work, reading: Reading, held_back: bool) -> list[Reply] | None:
        """Relay the message to the officer holding the conversation, with what its reading
        asks for done in the same transaction (the hotlines to the reporter, the emergency
        case and its alert). None when nobody holds it now: it is the bot's again."""
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            inbound = session.get(Message, work.message_id, with_for_update=True)
            if not holds_lease(inbound, work.lease_token):
                return []
            conversation = session.get(Conversation, work.conversation_id, with_for_update=True)
            holder = session.get(Officer, conversation.officer_id) if conversation.officer_id else None
            if conversation.handled_by != "officer":
                postpone_inbound(inbound, 0, now=now)
                return None
            if holder is not None and not holder.active:  # disabled: the desk hands the conversation back first
                postpone_inbound(inbound, RELEASE_WAIT_SECONDS, now=now)
                return []
            language = reply_language_for("text", said_text(work)) or work.known_language
            ticket, is_new = None, False
            if reading.danger == EMERGENCY:
                case, is_new = record_danger(session, conversation, inbound, category=reading.category, now=now)
                ticket = case.ticket
                log.warning("danger read in message %s during a takeover: emergency case %s", work.message_id, ticket)
            elif reading.danger == POSSIBLE:  # the officer asks; duty officers hear until they write to the reporter
                record_possible_danger(session, conversation, now=now)
                log.warning("possible danger read in message %s during a takeover", work.message_id)
            lines = reporter_lines(reading, self.hotlines_file, language, ticket=ticket, is_new=is_new) if reading.danger else []
            relay_to_officer(session, conversation, inbound, danger=reading.danger,
                             footer=relay_footer(reading, ticket, held_back))
            stored = self._store_replies(session, conversation, work.message_id, [Reply(line) for line in lines], URGENT)
            finish_inbound(inbound, MessageStatus.FOR_OFFICER)
        return stored

    def _retry_turn(self, work: _Work, kept: list[dict[str, Any]], done: list[str]) -> list[Reply]:
        """An action could not record this turn (a database write failed) and its turn in
        Rasa was undone: what it said before that goes out now (the hotline numbers), what
        it did is noted for the next run (which then does not say it again), and the message
        is tried again later like one Rasa did not answer. Refused for `turn_retry_s` since
        the first time, it is given up on (`_give_up_turn`): no message waits behind it for ever."""
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            inbound = session.get(Message, work.message_id, with_for_update=True)
            if not holds_lease(inbound, work.lease_token):
                return []
            conversation = session.get(Conversation, work.conversation_id)
            first_refused = refused_since(inbound.payload) or now
            inbound.payload = with_refused_since(with_done(inbound.payload, done), first_refused)
            answer = [reply for r in kept if (reply := reply_from_engine(r))]
            give_up = (now - first_refused).total_seconds() >= self.turn_retry_s
            if give_up:
                stored = self._give_up_turn(session, work, conversation, inbound, answer, now)
            else:
                stored = self._store_replies(session, conversation, work.message_id, answer,
                                             URGENT if is_urgent(kept) else ORDINARY)
                postpone_inbound(inbound, retry_delay_seconds(work.attempts), now=now)
        if give_up:
            self.turns_given_up += 1
        else:
            log.error("message %s: the dialogue could not record its turn; it is tried again (attempt %s)",
                      work.message_id, work.attempts)
        return stored

    def _give_up_turn(
        self, session: Session, work: _Work, conversation: Conversation, inbound: Message, answer: list[Reply],
        now: datetime,
    ) -> list[Reply]:
        """The database refused this turn for too long: the reporter (who has the hotline
        numbers already) is told it is not recorded, the message counts as answered so their
        later messages go on, and officers get an emergency alert about the conversation,
        if the database takes that much."""
        language = reply_language_for(work.kind, work.text) or work.known_language
        answer = [*answer, Reply(action_text("emergency_not_recorded", language))]
        stored = self._store_replies(session, conversation, work.message_id, answer, URGENT)
        finish_inbound(inbound, MessageStatus.ANSWERED)
        try:
            with session.begin_nested():  # the alert may be refused too: the answer is stored all the same
                session.add(CaseAlert(conversation_id=conversation.id, reason="emergency", created_at=now))
            alerted = "officers are alerted"
        except SQLAlchemyError as error:
            alerted = f"the officers' alert could not be recorded either ({type(error).__name__})"
        log.error("message %s: the dialogue could not record its turn for %.0f minutes (attempt %s); given up, the "
                  "reporter is told it is not recorded, %s", work.message_id, self.turn_retry_s / 60, work.attempts, alerted)
        return stored

    def count_retrying_turns(self) -> int:
        """Messages whose turn the database refused and which are still being retried (/healthz)."""
        with unit_of_work(self.sessions) as session:
            payloads = session.scalars(
                select(Message.payload).where(Message.direction == "in", Message.status.in_(OPEN_INBOUND))
            )
            return sum(1 for payload in payloads if refused_since(payload) is not None)

    @staticmethod
    def _store_replies(
        session: Session, conversation: Conversation, message_id: int, answer: list[Reply], priority: int = ORDINARY,
    ) -> list[Reply]:
        stored = []
        for reply in answer:
            out = record_outbound(
                session,
                conversation,
                text=reply.text,
                payload={"buttons": reply.buttons} if reply.buttons else None,
                in_reply_to=message_id,
                status=first_outbound_status(conversation.channel),
                priority=priority,  # URGENT: answers to danger go out first
            )
            stored.append(Reply(reply.text, reply.buttons, out.id))
        return stored

    def _postpone(self, work: _Work, language: str, delay_s: float | None = None) -> list[Reply]:
        """Rasa is away: keep the message for a retry. With no acknowledgement delay the
        reporter is told at once that it is safe with us; otherwise the worker does it later."""
        with unit_of_work(self.sessions) as session:
            inbound = session.get(Message, work.message_id, with_for_update=True)
            if not holds_lease(inbound, work.lease_token):
                return []
            delay_s = retry_delay_seconds(work.attempts) if delay_s is None else delay_s
            postpone_inbound(inbound, delay_s, now=self.clock())
            if self.ack_after_s > 0 or replies_to(session, work.message_id):
                return []
            return [self._reply(session, inbound, replies.gateway_text("engine_down", language))]

    def acknowledge_waiting(self) -> int:
        """Tell each reporter whose message has waited `ack_after_s` for Rasa that it is
        saved and a person will follow up (once per message). Returns how many were told."""
        if self.ack_after_s <= 0:
            return 0  # without a delay, _postpone acknowledges at once
        now = self.clock()
        older_than = now - timedelta(seconds=self.ack_after_s)
        with unit_of_work(self.sessions) as session:
            waiting = waiting_without_acknowledgement(session, older_than=older_than, now=now)
            for message in waiting:
                language = reply_language_for(message.kind, message.text) or message.conversation.reporter.language or "id"
                self._reply(session, message, replies.gateway_text("engine_down", language))
        if waiting:
            log.warning("%s reporter(s) told their message waits for a person", len(waiting))
        return len(waiting)

    @staticmethod
    def _reply(session: Session, inbound: Message, text: str) -> Reply:
        """Store one plain-text reply of the gateway's own (not Rasa's) to an inbound message."""
        conversation = session.get(Conversation, inbound.conversation_id)
        out = record_outbound(
            session, conversation, text=text, in_reply_to=inbound.id, status=first_outbound_status(conversation.channel)
        )
        return stored_reply(out)
