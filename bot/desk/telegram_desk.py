"""The officers' side of the Telegram bot: enrolment, duty, takeover, relay, hand-back,
notes, case status, and facilities answering referrals.

Only chats linked to an active officer (by a one-time `/daftar KODE`) reach this desk;
everyone else is a reporter. Each officer message is stored and acted on in one
transaction, with every reply and relayed message queued in the outbox in that same
transaction: all of it happens, or none of it. Telling Rasa to pause or resume a
conversation follows the commit (and is retried until Rasa has it).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.service import ON_DUTY_HOURS, Desk, release_takeovers
from bot.desk.texts import HELP_FACILITY, HELP_STAFF, ROLE_NAMES, STATUS_NAMES, case_details, officer_names, officer_text, speaker
from bot.gateway.engine_client import EngineClient, EngineUnavailable
from messaging.models import Conversation, Message
from messaging.statuses import MessageStatus
from messaging.store import queue_staff_message
from messaging.takeover import conversation_case, conversation_label, held_takeovers, last_messages, open_takeover
from referral.models import Officer, Takeover, utcnow
from referral.officers import case_for_officer, linked_officer, redeem_link_code
from referral.roster import WIB
from referral.routing_cache import RoutingCache
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
TRANSCRIPT_MESSAGES = 20
SUMMARY_MESSAGES = 10
TRANSCRIPT_CHARS = 2800  # leaves room for the case's details in one Telegram message
LINK_ATTEMPTS_PER_HOUR = 5
TICKET = re.compile(r"MPKS-\d{4}-\d{3,}", re.IGNORECASE)
NOT_HELD = -1  # a reply to a conversation the officer does not hold
UNCHOSEN = -2  # a plain message while several conversations are held and none is chosen
STATUS_WORDS = {"in_progress": "in_progress", "proses": "in_progress", "closed": "closed", "selesai": "closed", "tutup": "closed"}


@dataclass(frozen=True)
class OfficerInput:
    """One thing an officer sent: a message (text, location, photo) or a button press."""

    chat_id: str
    provider_message_id: str
    kind: str  # text | location | photo | button | edited | other
    text: str | None = None
    payload: dict[str, Any] | None = None  # coordinates, a photo's file id
    reply_to: str | None = None  # provider id of our message the officer replied to
    button: str | None = None  # the payload of our button they pressed


class LinkAttempts:
    """Wrong `/daftar` codes per chat in the last hour: a code cannot be guessed by trying."""

    def __init__(self, per_hour: int = LINK_ATTEMPTS_PER_HOUR) -> None:
        self.per_hour = per_hour
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, chat_id: str) -> bool:
        failures = self._failures.get(chat_id)
        if not failures:
            return False
        while failures and failures[0] < time.monotonic() - 3600:
            failures.popleft()
        if not failures:
            del self._failures[chat_id]
        return len(failures) >= self.per_hour

    def failed(self, chat_id: str) -> None:
        self._failures[chat_id].append(time.monotonic())


def wib(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%d-%m-%Y %H:%M")


class OfficerDesk:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        engine: EngineClient,
        secret_key: str,
        routing: RoutingCache,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.engine = engine
        self.secret_key = secret_key
        self.routing = routing
        self.clock = clock
        self.link_attempts = LinkAttempts()
        self._engine_lock = asyncio.Lock()  # one sync at a time (the channel and the worker both ask)

    # -- the way in -------------------------------------------------------------------

    def wants(self, chat_id: str, text: str | None) -> bool:
        """Is this message for the officers' side: a linked officer's, or an enrolment?"""
        words = (text or "").split()
        if words and words[0].split("@")[0].lower() == "/daftar":
            return True
        with unit_of_work(self.sessions) as session:
            return linked_officer(session, chat_id) is not None

    async def receive(self, item: OfficerInput) -> None:
        """Store and act on one officer message (off the event loop: routing may load the
        gazetteer). Telling Rasa of a takeover is the caller's next, background step."""
        await asyncio.to_thread(self._receive, item)

    def _receive(self, item: OfficerInput) -> None:
        try:
            self._act(item)
        except Exception:  # nothing of the turn was kept; the officer hears so, and no question stays open
            log.exception("an officer's message could not be acted on")
            with unit_of_work(self.sessions) as session:
                officer = linked_officer(session, item.chat_id)
                if officer is not None:
                    officer.awaiting = None
                    queue_staff_message(session, channel="telegram", address=item.chat_id, text=officer_text("failed"))

    def _act(self, item: OfficerInput) -> None:
        with unit_of_work(self.sessions) as session:
            if self._already_stored(session, item):
                return  # a redelivered update: it was acted on
            session.add(Message(
                conversation_id=None, address=item.chat_id, direction="in", channel="telegram",
                provider_message_id=item.provider_message_id, kind=item.kind,
                text=self._storable_text(item), payload={"button": item.button} if item.button else item.payload,
                status=MessageStatus.FROM_STAFF,
            ))
            session.flush()
            Turn(self, session, item).run()

    @staticmethod
    def _already_stored(session: Session, item: OfficerInput) -> bool:
        return session.scalar(
            select(Message.id).where(
                Message.channel == "telegram", Message.direction == "in", Message.conversation_id.is_(None),
                Message.address == item.chat_id, Message.provider_message_id == item.provider_message_id,
            )
        ) is not None

    @staticmethod
    def _storable_text(item: OfficerInput) -> str | None:
        text = item.text
        if text and text.strip().lower().startswith("/daftar"):
            return "/daftar ***"  # a one-time code is not kept
        return text

    async def sync_engine(self) -> None:
        """Tell Rasa which conversations are paused (taken over) and which resumed (handed
        back). `engine_paused` means "Rasa may hold it paused": it is set before a pause is
        sent and by every hand-back, so a resume (harmless when not needed) always follows;
        one that fails is tried again at the next call (the worker's duties). First, whatever
        a disabled officer still holds goes back to the bot."""
        self.release_disabled()
        async with self._engine_lock:
            with unit_of_work(self.sessions) as session:
                to_pause = list(session.scalars(
                    select(Conversation).where(Conversation.handled_by == "officer", Conversation.engine_paused.is_(False))
                    .with_for_update(skip_locked=True)
                ))
                for conversation in to_pause:
                    conversation.engine_paused = True
                pause = [(c.id, c.engine_sender_id) for c in to_pause]
                resume = session.execute(
                    select(Conversation.id, Conversation.engine_sender_id).where(
                        Conversation.handled_by == "bot", Conversation.engine_paused.is_(True)
                    )
                ).all()
            for conversation_id, sender in pause:
                try:
                    await self.engine.pause(sender)
                except EngineUnavailable as error:
                    log.warning("Rasa did not take the pause of conversation %s yet: %s", conversation_id, error)
                    if not error.maybe_processing:  # certainly not arrived: try again later
                        self._set_paused(conversation_id, False, only_if_handled_by="officer")
            for conversation_id, sender in resume:
                try:
                    await self.engine.resume(sender)
                except EngineUnavailable as error:
                    log.warning("Rasa did not take the resume of conversation %s yet: %s", conversation_id, error)
                    continue
                self._set_paused(conversation_id, False, only_if_handled_by="bot")

    def release_disabled(self) -> int:
        """Conversations held by an officer who has been disabled, by whatever path, are handed
        back to the bot, and the duty officers alerted (as `helpline officers disable` does)."""
        with unit_of_work(self.sessions) as session:
            holders = session.scalars(
                select(Officer).where(Officer.active.is_(False), Officer.id.in_(
                    select(Takeover.officer_id).where(Takeover.ended_at.is_(None))
                ))
            ).all()
            released = sum(release_takeovers(session, officer, "petugas dinonaktifkan", now=self.clock()) for officer in holders)
        if released:
            log.warning("%s conversation(s) of disabled officers handed back to the bot", released)
        return released

    def _set_paused(self, conversation_id: int, paused: bool, *, only_if_handled_by: str) -> None:
        with unit_of_work(self.sessions) as session:
            conversation = session.get(Conversation, conversation_id, with_for_update=True)
            if conversation.handled_by == only_if_handled_by:  # unchanged meanwhile
                conversation.engine_paused = paused


class Turn:
    """One officer message, acted on inside its transaction."""

    def __init__(self, desk: OfficerDesk, session: Session, item: OfficerInput) -> None:
        self.desk = desk
        self.session = session
        self.item = item
        self.now = desk.clock()
        self.officer = linked_officer(session, item.chat_id)

    def say(self, text: str, payload: dict[str, Any] | None = None) -> None:
        queue_staff_message(self.session, channel="telegram", address=self.item.chat_id, text=text[:4000], payload=payload)

    def run(self) -> None:
        item = self.item
        words = (item.text or "").strip().split(maxsplit=1)
        command = words[0].split("@")[0].lower() if words and words[0].startswith("/") else None
        rest = words[1].strip() if len(words) > 1 else ""
        if command == "/daftar":
            return self.link(rest)
        if self.officer is None:
            return None  # unlinked and no code: not ours (the channel sends reporters elsewhere)
        if item.kind == "button":
            return self.press(item.button or "")
        if item.kind == "edited":
            return self.say(officer_text("edit_not_sent"))
        if command is not None:
            return self.command(command, rest)
        if self.officer.awaiting and item.kind == "text":
            return self.answer_question(item.text or "")
        return self.relay()

    # -- enrolment and duty -----------------------------------------------------------

    def link(self, code: str) -> None:
        chat = self.item.chat_id
        if not code:
            return self.say(officer_text("link_usage"))
        if self.desk.link_attempts.blocked(chat):
            return self.say(officer_text("link_too_many"))
        previous = self.officer  # whom this chat belonged to until now
        officer = redeem_link_code(self.session, code, chat, self.desk.secret_key, now=self.now)
        if officer is not None and previous is not None and previous.id != officer.id:  # a phone handed on
            release_takeovers(self.session, previous, "akun Telegram dipakai petugas lain", now=self.now)
        if officer is None:
            self.desk.link_attempts.failed(chat)
            log.warning("a /daftar code was refused")
            return self.say(officer_text("link_refused"))
        log.warning("officer %s linked a Telegram account", officer.id)
        self.officer = officer
        self.say(officer_text("linked", name=officer.first_name, role=ROLE_NAMES.get(officer.role, officer.role)))
        self.say(self.help())

    def help(self) -> str:
        return HELP_FACILITY if self.officer.role == "facility" else HELP_STAFF

    def command(self, command: str, rest: str) -> None:
        staff_commands = {
            "/siaga": self.go_on_duty,
            "/selesai_siaga": self.go_off_duty,
            "/pilih": lambda: self.choose(rest),
            "/kembalikan": lambda: self.hand_back(self.target_conversation(), rest),
            "/catatan": lambda: self.note(rest),
        }
        if command in ("/start", "/bantuan", "/help"):
            return self.say(self.help())
        if command == "/status":
            return self.change_status(rest)
        if command == "/batal":
            self.officer.awaiting = None
            return self.say(officer_text("cancelled"))
        if command in staff_commands:
            if self.officer.role == "facility":
                return self.say(officer_text("staff_only"))
            return staff_commands[command]()
        return self.say(officer_text("unknown_command"))

    def go_on_duty(self) -> None:
        outcome = self.desk_service().go_on_duty(ON_DUTY_HOURS)
        self.say(officer_text("on_duty", until=wib(outcome.values["until"])))

    def go_off_duty(self) -> None:
        outcome = self.desk_service().go_off_duty()
        if outcome.code == "off_duty_until":
            return self.say(officer_text("off_duty_until", until=wib(outcome.values["until"])))
        self.say(officer_text("off_duty"))

    # -- buttons ----------------------------------------------------------------------

    def press(self, button: str) -> None:
        action, _, raw_id = button.partition(":")
        if not raw_id.isdigit():
            return self.say(officer_text("unknown_command"))
        target = int(raw_id)
        if action in ("accept", "decline"):
            return self.answer_referral(target, accept=action == "accept")
        if action == "reroute":
            return self.reroute(target)
        if self.officer.role == "facility":
            return self.say(officer_text("staff_only"))
        if action == "take":
            return self.take(target)
        if action == "summary":
            return self.summary(target)
        if action == "handback":
            return self.hand_back(target, "")
        if action == "choose":
            return self.choose_conversation(target)
        self.say(officer_text("unknown_command"))

    def take(self, conversation_id: int) -> None:
        outcome = self.desk_service().take_over(conversation_id)
        if outcome.code == "taken_by_you":
            if len(held_takeovers(self.session, self.officer)) == 1:  # the target stays as it was
                return self.say(officer_text("taken_by_you"))
            return self.say(officer_text("taken_by_you_choose", **outcome.values), {"conversation_id": conversation_id})
        if outcome.code != "taken":
            return self.say(officer_text(outcome.code, **outcome.values))
        held = outcome.values["held"]
        several = officer_text("taken_several", count=held) if held > 1 else ""
        self.say(
            officer_text("taken", label=outcome.values["label"]) + several + "\n\n" + self.transcript(conversation_id, TRANSCRIPT_MESSAGES),
            {"conversation_id": conversation_id, "buttons": [{"title": "Kembalikan ke bot", "payload": f"handback:{conversation_id}"}]},
        )
        log.warning("officer %s took over conversation %s", self.officer.id, conversation_id)

    def desk_service(self) -> Desk:
        return Desk(self.session, self.officer, now=self.now, source="telegram", routing=self.desk.routing)

    def summary(self, conversation_id: int) -> None:
        read = self.desk_service().read_conversation(conversation_id, SUMMARY_MESSAGES)
        if read is None:
            return self.say(officer_text("outside_remit"))
        case, _ = read
        lines = [f"📋 Ringkasan {conversation_label(self.session, conversation_id)}"]
        if case is not None:
            lines += case_details(case)
        lines += ["", "Pesan terakhir:", self.transcript(conversation_id, SUMMARY_MESSAGES)]
        self.say("\n".join(lines), {"conversation_id": conversation_id})

    def transcript(self, conversation_id: int, limit: int) -> str:
        messages = last_messages(self.session, conversation_id, limit)
        names = officer_names(self.session, messages)
        lines = [f"{wib(m.created_at)[-5:]} {speaker(m, names)}: {(m.text or f'({m.kind})')[:300]}" for m in messages]
        while lines and len("\n".join(lines)) > TRANSCRIPT_CHARS:  # a Telegram message holds 4096: the oldest go first
            lines.pop(0)
        return "\n".join(lines) or officer_text("transcript_empty")

    # -- talking with the reporter ----------------------------------------------------

    def target_conversation(self) -> int | None:
        """The conversation an officer's message is for: the one whose message they replied
        to, else the one they hold, else (holding several) the one they chose with /pilih;
        UNCHOSEN when they hold several and chose none since the last takeover. A reply goes
        only where the replied message says: to a message of a conversation they do not hold,
        or of none we can tell (a reminder, a help text, a relay whose details were erased),
        it goes nowhere, never silently to another conversation."""
        held = [t.conversation_id for t in held_takeovers(self.session, self.officer)]
        if self.item.reply_to:
            conversation_id = self.replied_conversation()
            if conversation_id in held:
                return conversation_id
            return UNCHOSEN if conversation_id is None and len(held) > 1 else NOT_HELD
        if len(held) <= 1:
            return held[0] if held else None
        return self.officer.current_conversation_id if self.officer.current_conversation_id in held else UNCHOSEN

    def replied_conversation(self) -> int | None:
        """The conversation of the staff message the officer replied to, when it names one."""
        replied = self.session.scalar(
            select(Message).where(
                Message.channel == "telegram", Message.direction == "out", Message.conversation_id.is_(None),
                Message.address == self.item.chat_id, Message.provider_message_id == self.item.reply_to,
            )
        )
        conversation_id = (replied.payload or {}).get("conversation_id") if replied is not None else None
        return conversation_id if isinstance(conversation_id, int) else None

    def ask_to_choose(self) -> None:
        """Holding several conversations, none chosen: nothing is sent; the officer chooses."""
        held = held_takeovers(self.session, self.officer)
        labels = [(t.conversation_id, conversation_label(self.session, t.conversation_id)) for t in held]
        self.say(
            officer_text("choose_first", count=len(held), lines="\n".join(f"· {label}" for _, label in labels)),
            {"buttons": [{"title": f"Pilih {label}", "payload": f"choose:{cid}"} for cid, label in labels]},
        )

    def relay(self) -> None:
        if self.officer.role == "facility":
            return self.say(officer_text("facility_nothing_pending"))
        conversation_id = self.target_conversation()
        if conversation_id == NOT_HELD:
            return self.say(officer_text("not_holding", label="itu") + " Pesan ini tidak diteruskan.")
        if conversation_id == UNCHOSEN:
            return self.ask_to_choose()
        outcome = self.desk_service().send(conversation_id, self.item.kind, self.item.text, self.item.payload)
        if outcome.code != "relayed_to":
            return self.say(officer_text("no_conversation" if outcome.code == "empty_message" else outcome.code))
        # where it went, every time: a reply to this confirmation goes to the same reporter
        self.say(officer_text("relayed_to", label=outcome.values["label"]), {"conversation_id": conversation_id})

    def choose(self, ticket: str) -> None:
        held = held_takeovers(self.session, self.officer)
        if not ticket:
            if not held:
                return self.say(officer_text("held_none"))
            lines = [
                f"{'▶' if t.conversation_id == self.officer.current_conversation_id else '·'} "
                f"{conversation_label(self.session, t.conversation_id)}"
                for t in held
            ]
            return self.say(officer_text("held_list", lines="\n".join(lines)))
        wanted = ticket.split()[0].upper()
        for takeover in held:
            label = conversation_label(self.session, takeover.conversation_id)
            by_number = wanted.lstrip("#") == str(takeover.conversation_id)  # "percakapan #12" has no ticket
            if by_number or label == wanted or (takeover.case and takeover.case.ticket == wanted):
                return self.choose_conversation(takeover.conversation_id)
        self.say(officer_text("not_holding", label=wanted))

    def choose_conversation(self, conversation_id: int) -> None:
        """The officer's plain messages go to this conversation from now on (if they hold it)."""
        if open_takeover(self.session, self.officer, conversation_id) is None:
            return self.say(officer_text("not_holding", label=conversation_label(self.session, conversation_id)))
        self.officer.current_conversation_id = conversation_id
        label = conversation_label(self.session, conversation_id)
        self.say(officer_text("chosen", label=label), {"conversation_id": conversation_id})

    def hand_back(self, conversation_id: int | None, note: str) -> None:
        if conversation_id == UNCHOSEN:
            return self.ask_to_choose()
        if conversation_id in (None, NOT_HELD) or open_takeover(self.session, self.officer, conversation_id) is None:
            return self.say(officer_text("no_conversation"))
        label = self.desk_service().hand_back(conversation_id, note).values["label"]
        current = self.officer.current_conversation_id
        remaining = len(held_takeovers(self.session, self.officer))
        following = (officer_text("now_active", label=conversation_label(self.session, current)) if current
                     else officer_text("still_several", count=remaining) if remaining > 1 else "")
        self.say(officer_text("handed_back", label=label, next=following))
        log.warning("officer %s handed conversation %s back to the bot", self.officer.id, conversation_id)

    def note(self, text: str) -> None:
        if not text:
            return self.say(officer_text("note_usage"))
        first, _, remainder = text.partition(" ")
        case = None
        if TICKET.fullmatch(first) and remainder.strip():
            case = case_for_officer(self.session, self.officer, first)
            if case is None:
                return self.say(officer_text("status_unknown_case", ticket=first.upper()))
            text = remainder
        else:
            conversation_id = self.target_conversation()
            if conversation_id == UNCHOSEN:
                return self.ask_to_choose()
            if conversation_id in (None, NOT_HELD) or open_takeover(self.session, self.officer, conversation_id) is None:
                return self.say(officer_text("no_conversation"))
            case = conversation_case(self.session, conversation_id)
            if case is None:
                return self.say(officer_text("no_case"))
        outcome = self.desk_service().note(case, text)
        self.say(officer_text(outcome.code, **outcome.values))

    # -- case status ------------------------------------------------------------------

    def change_status(self, rest: str) -> None:
        parts = rest.split(maxsplit=2)
        if len(parts) < 2:
            return self.say(officer_text("status_usage"))
        ticket, wanted = parts[0].upper(), STATUS_WORDS.get(parts[1].lower())
        if wanted is None:
            return self.say(officer_text("status_bad_value"))
        case = case_for_officer(self.session, self.officer, ticket)
        if case is None:
            return self.say(officer_text("status_unknown_case", ticket=ticket))
        note = parts[2].strip() if len(parts) > 2 else None
        outcome = self.desk_service().change_status(case, wanted, note)
        if outcome.code == "status_not_allowed":
            allowed = ", ".join(STATUS_NAMES[s] for s in outcome.values["allowed"]) or "tidak ada (kasus sudah selesai)"
            return self.say(officer_text("status_not_allowed", ticket=ticket, current=STATUS_NAMES[outcome.values["current"]],
                                         wanted=STATUS_NAMES[wanted], allowed=allowed))
        if outcome.code == "status_changed":
            return self.say(officer_text("status_changed", ticket=ticket, status=STATUS_NAMES[wanted]))
        self.say(officer_text(outcome.code, ticket=ticket, **{k: v for k, v in outcome.values.items() if k == "name"}))

    # -- referrals --------------------------------------------------------------------

    def answer_referral(self, referral_id: int, *, accept: bool) -> None:
        service = self.desk_service()
        if not accept:
            referral = service.own_referral(referral_id)
            if referral is None:
                return self.say(officer_text("referral_gone"))
            self.officer.awaiting = {"decline": referral.id}
            return self.say(officer_text("decline_reason", ticket=referral.case.ticket))
        outcome = service.accept_referral(referral_id)
        if outcome.code != "referral_accepted":
            return self.say(officer_text(outcome.code))
        values = outcome.values
        self.say(officer_text(
            "referral_accepted", ticket=values["ticket"], facility=values["facility"],
            told=" Pelapor sudah kami kabari." if values["told"] else "",
            details="\n".join(case_details(values["case"], for_facility=True)),
        ))

    def answer_question(self, text: str) -> None:
        awaiting, self.officer.awaiting = self.officer.awaiting or {}, None
        referral_id = awaiting.get("decline")
        if not isinstance(referral_id, int):
            return self.say(officer_text("referral_gone"))
        outcome = self.desk_service().decline_referral(referral_id, text)
        if outcome.code == "decline_reason":  # an empty answer: ask again
            self.officer.awaiting = {"decline": referral_id}
        self.say(officer_text(outcome.code, **outcome.values))

    def reroute(self, referral_id: int) -> None:
        outcome = self.desk_service().reroute(referral_id)
        if outcome.code.startswith("rerouted_"):
            return self.say(officer_text("rerouted", ticket=outcome.values["ticket"], next=officer_text(outcome.code, **outcome.values)))
        self.say(officer_text(outcome.code))
