"""The desk: what an officer does, whether from Telegram or from the web console.

Take over, write to the reporter, hand back, add a note, change a case's status, answer or
re-route a referral, read a conversation. Each operation runs inside the caller's
transaction, checks the officer's remit in the database, queues whatever the reporter must
hear in the outbox, writes its audit row, and returns an `Outcome`: a code saying what
happened (the front-end chooses the words) and the values those words need. Nothing here
knows Telegram or HTML.

Exactly one officer wins a takeover, whichever front-end they press it on: the conversation
changes hands in one conditional UPDATE (messaging/takeover.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.duties.alerts import possible_emergency_checked
from bot.gateway import replies
from messaging.models import Conversation, Message
from messaging.statuses import first_outbound_status
from messaging.store import queue_staff_message, record_outbound
from messaging.takeover import (
    TakeoverError,
    actor,
    add_note,
    conversation_case,
    conversation_in_remit,
    conversation_label,
    hand_back,
    held_takeovers,
    last_messages,
    open_takeover,
    record_officer_message,
    take_over,
)
from referral import audit
from referral.cases import change_status
from referral.lifecycle import IllegalTransition
from referral.models import Case, CaseAlert, CaseEvent, Officer, Referral
from referral.officers import case_in_remit
from referral.referrals import REROUTE_REASON, ReferralError, accept_referral, decline_referral
from referral.roster import rostered_until
from referral.routing_cache import RoutingCache

NOTE_CHARS = 2000
ON_DUTY_HOURS = 12  # on duty outside the roster lasts this long unless ended earlier
# What a person may set by hand: "referred" and "accepted" (and back to "new") are routing's and
# the facility's, through the referral they belong to; a person moves a case on, or closes it.
MANUAL_TRANSITIONS = {"new": ("closed",), "referred": ("closed",), "accepted": ("closed", "in_progress"), "in_progress": ("closed",)}
SENDABLE_KINDS = ("text", "location", "photo")


@dataclass(frozen=True)
class Outcome:
    """What an operation did: `code` names it (the Telegram desk's text key), `values` fill the words."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)
    conversation_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.code in SUCCESS


SUCCESS = frozenset({
    "assigned", "assigned_untold", "checked", "on_duty", "off_duty", "off_duty_until", "taken", "relayed_to", "handed_back", "noted", "status_changed", "referral_accepted", "decline_reason",
    "declined_next", "declined_none", "rerouted",
})


class Desk:
    """One officer's operations inside one transaction (`session`), at one moment (`now`).

    `source` says where the officer acts from ("telegram", or the web client's address), for
    the audit trail.
    """

    def __init__(
        self, session: Session, officer: Officer, *, now: datetime, source: str,
        routing: RoutingCache | None = None,
    ) -> None:
        self.session = session
        self.officer = officer
        self.now = now
        self.source = source
        self.routing = routing

    def _audit(self, action: str, *, case: Case | None = None, conversation_id: int | None = None,
               detail: dict | None = None) -> None:
        audit.record(
            self.session, action, officer=self.officer, ticket=case.ticket if case else None,
            conversation_id=conversation_id if conversation_id is not None else (case.conversation_id if case else None),
            source=self.source, detail=detail, now=self.now,
        )

    # -- conversations ------------------------------------------------------------------

    def take_over(self, conversation_id: int) -> Outcome:
        """Codes: taken, taken_by_you, taken_by_other (name), outside_remit."""
        try:
            result = take_over(self.session, self.officer, conversation_id, now=self.now)
        except TakeoverError:
            return Outcome("outside_remit", conversation_id=conversation_id)
        label = conversation_label(self.session, conversation_id)
        if not result.won:
            if result.holder is not None and result.holder.id == self.officer.id:
                return Outcome("taken_by_you", {"label": label}, conversation_id)
            name = result.holder.name if result.holder else "petugas lain"
            return Outcome("taken_by_other", {"name": name, "label": label}, conversation_id)
        conversation = self.session.get(Conversation, conversation_id)
        record_outbound(
            self.session, conversation,
            text=replies.gateway_text("officer_joined", conversation.reporter.language or "id", name=self.officer.first_name),
            payload={"officer_id": self.officer.id}, status=first_outbound_status(conversation.channel),
        )
        self._audit("takeover", case=conversation_case(self.session, conversation_id), conversation_id=conversation_id)
        held = len(held_takeovers(self.session, self.officer))
        return Outcome("taken", {"label": label, "held": held}, conversation_id)

    def send(self, conversation_id: int | None, kind: str, text: str | None = None,
             payload: dict[str, Any] | None = None) -> Outcome:
        """Write to the reporter of a conversation this officer holds, on the reporter's own
        channel (through the outbox). Codes: relayed_to (label, message_id), no_conversation,
        photo_not_possible, kind_not_possible, empty_message."""
        takeover = open_takeover(self.session, self.officer, conversation_id) if conversation_id else None
        if takeover is None:
            return Outcome("no_conversation", conversation_id=conversation_id)
        conversation = self.session.get(Conversation, conversation_id)
        common = {"status": first_outbound_status(conversation.channel)}
        if kind == "text":
            text = (text or "").strip()
            if not text:
                return Outcome("empty_message", conversation_id=conversation_id)
            message = record_outbound(self.session, conversation, text=text[:4000], payload={"officer_id": self.officer.id}, **common)
        elif kind == "location" and payload:
            point = f"{payload['latitude']},{payload['longitude']}"
            message = record_outbound(
                self.session, conversation, kind="location", text=f"📍 https://maps.google.com/?q={point}",
                payload={"officer_id": self.officer.id, **payload}, **common,
            )
        elif kind == "photo" and payload:
            if conversation.channel != "telegram":
                return Outcome("photo_not_possible", conversation_id=conversation_id)
            message = record_outbound(
                self.session, conversation, kind="photo", text=text,
                payload={"officer_id": self.officer.id, "file_id": payload["file_id"]}, **common,
            )
        else:
            return Outcome("kind_not_possible", conversation_id=conversation_id)
        record_officer_message(self.session, self.officer, takeover, message, now=self.now)
        self._audit("message_sent", case=takeover.case, conversation_id=conversation_id, detail={"message_id": message.id, "kind": kind})
        label = conversation_label(self.session, conversation_id)
        return Outcome("relayed_to", {"label": label, "message_id": message.id}, conversation_id)

    def hand_back(self, conversation_id: int | None, note: str | None = None) -> Outcome:
        """Codes: handed_back (label), no_conversation."""
        if conversation_id is None or open_takeover(self.session, self.officer, conversation_id) is None:
            return Outcome("no_conversation", conversation_id=conversation_id)
        label = conversation_label(self.session, conversation_id)
        case = conversation_case(self.session, conversation_id)
        give_back(self.session, self.officer, conversation_id, note, now=self.now)
        self._audit("hand_back", case=case, conversation_id=conversation_id)
        return Outcome("handed_back", {"label": label}, conversation_id)

    def read_conversation(self, conversation_id: int, limit: int, *, action: str = "view_summary",
                          marks_checked: bool = True) -> tuple[Case | None, list[Message]] | None:
        """The conversation's case and its last `limit` messages, when it lies in the officer's
        remit (else None); the look is audited. Telegram's "Ringkasan" button is pressed to
        check a possible emergency, so it stops the repeats (`marks_checked`); opening a web
        page is not (the page has its own "Sudah dicek" button)."""
        if conversation_in_remit(self.session, self.officer, conversation_id) is None:
            return None
        case = conversation_case(self.session, conversation_id)
        self._audit(action, case=case, conversation_id=conversation_id)
        if marks_checked:
            possible_emergency_checked(self.session, self.officer, conversation_id, now=self.now)
        return case, last_messages(self.session, conversation_id, limit)

    # -- cases --------------------------------------------------------------------------

    def note(self, case: Case, text: str) -> Outcome:
        """Codes: noted (ticket), note_usage (empty). Private: it never reaches the reporter."""
        text = (text or "").strip()
        if not text:
            return Outcome("note_usage")
        add_note(self.session, self.officer, case, text[:NOTE_CHARS], now=self.now)
        self._audit("note", case=case)
        return Outcome("noted", {"ticket": case.ticket})

    def change_status(self, case: Case, wanted: str, note: str | None = None) -> Outcome:
        """Codes: status_changed (ticket, status), status_not_allowed (ticket, current, wanted,
        allowed), status_needs_note, status_held_by_other (name), status_emergency_open.

        "referred" is routing's to set, not a person's. Closing cannot be undone, so it needs
        a note, and is refused while another officer holds the conversation or an emergency
        alert about the case is still unanswered."""
        note = (note or "").strip() or None
        before = case.status
        values = {"ticket": case.ticket, "current": before, "wanted": wanted}
        manual = sorted(MANUAL_TRANSITIONS.get(before, ()))
        if wanted not in manual:
            return Outcome("status_not_allowed", values | {"allowed": manual})
        if wanted == "closed":
            if note is None:
                return Outcome("status_needs_note", values)
            holder = self._other_holder(case)
            if holder is not None:
                return Outcome("status_held_by_other", values | {"name": holder.name})
            if self._emergency_unanswered(case):
                return Outcome("status_emergency_open", values)
        try:
            change_status(self.session, case, wanted, actor=actor(self.officer), detail={"note": note[:1000]} if note else None)
        except IllegalTransition as error:
            return Outcome("status_not_allowed", values | {"current": error.current, "allowed": manual})
        self._audit("status", case=case, detail={"from": before, "to": wanted})
        return Outcome("status_changed", {"ticket": case.ticket, "status": wanted})

    def _other_holder(self, case: Case) -> Officer | None:
        if not case.conversation_id:
            return None
        conversation = self.session.get(Conversation, case.conversation_id)
        if conversation.handled_by != "officer" or conversation.officer_id in (None, self.officer.id):
            return None
        return self.session.get(Officer, conversation.officer_id)

    def _emergency_unanswered(self, case: Case) -> bool:
        return self.session.scalar(
            select(CaseAlert.id).where(
                CaseAlert.resolved_at.is_(None), CaseAlert.reason.in_(("emergency", "possible_emergency")),
                (CaseAlert.case_id == case.id) | ((CaseAlert.conversation_id == case.conversation_id) & (CaseAlert.conversation_id.is_not(None))),
            ).limit(1)
        ) is not None

    def mark_checked(self, conversation_id: int) -> Outcome:
        """The officer read the conversation and judged the possible danger: the repeating
        alert stops (an explicit act, never a side effect of opening a page)."""
        if conversation_in_remit(self.session, self.officer, conversation_id) is None:
            return Outcome("outside_remit", conversation_id=conversation_id)
        possible_emergency_checked(self.session, self.officer, conversation_id, now=self.now)
        self._audit("possible_emergency_checked", case=conversation_case(self.session, conversation_id), conversation_id=conversation_id)
        return Outcome("checked", conversation_id=conversation_id)

    def assign(self, case: Case, officer_id: int) -> Outcome:
        """A coordinator asks another officer to handle a case; they hear of it on Telegram.
        Codes: assigned (ticket, name), assign_only_coordinator, assign_not_possible."""
        if self.officer.role not in ("coordinator", "admin"):
            return Outcome("assign_only_coordinator")
        if case.status == "closed":
            return Outcome("assign_not_possible", {"ticket": case.ticket})
        target = self.session.get(Officer, officer_id)
        if target is None or not target.active or target.role == "facility" or self.session.scalar(
            select(Case.id).where(Case.id == case.id, case_in_remit(target))
        ) is None:
            return Outcome("assign_not_possible", {"ticket": case.ticket})
        case.assigned_officer_id = target.id
        case.events.append(CaseEvent(at=self.now, actor=actor(self.officer), kind="assigned", detail={"officer_id": target.id}))
        if target.telegram_chat_id and target.id != self.officer.id:
            queue_staff_message(self.session, channel="telegram", address=target.telegram_chat_id, text=(
                f"📌 {self.officer.first_name} menugaskan kasus {case.ticket} kepada Anda. "
                "Bukalah di Meja Petugas (web) untuk membaca dan menanganinya."
            ), payload={"conversation_id": case.conversation_id} if case.conversation_id else None)
        self._audit("assign", case=case, detail={"officer_id": target.id})
        told = bool(target.telegram_chat_id and target.id != self.officer.id)
        return Outcome("assigned" if told else "assigned_untold", {"ticket": case.ticket, "name": target.name})

    # -- duty ---------------------------------------------------------------------------

    def go_on_duty(self, hours: int = ON_DUTY_HOURS) -> Outcome:
        """On duty outside the roster (Telegram's /siaga). Code: on_duty (until)."""
        until = self.now + timedelta(hours=hours)
        self.officer.duty_override, self.officer.duty_override_until = "on", until
        return Outcome("on_duty", {"until": until})

    def go_off_duty(self) -> Outcome:
        """Off duty; within a rostered shift, off until its end. Codes: off_duty, off_duty_until (until)."""
        self.officer.duty_override, self.officer.duty_override_until = None, None
        shift_end = rostered_until(self.officer.shifts, self.now)
        if shift_end is not None:
            self.officer.duty_override, self.officer.duty_override_until = "off", shift_end
            return Outcome("off_duty_until", {"until": shift_end})
        return Outcome("off_duty")

    # -- referrals ----------------------------------------------------------------------

    def own_referral(self, referral_id: int) -> Referral | None:
        """A referral waiting for this facility contact's answer (checked in the query)."""
        if self.officer.role != "facility":
            return None
        return self.session.scalar(
            select(Referral).join(Case, Case.id == Referral.case_id).where(
                Referral.id == referral_id, Referral.facility_id == self.officer.facility_id, Referral.status == "sent",
                Case.status != "closed",
            ).with_for_update()
        )

    def accept_referral(self, referral_id: int) -> Outcome:
        """Codes: referral_accepted (ticket, facility, told), referral_gone."""
        referral = self.own_referral(referral_id)
        if referral is None:
            return Outcome("referral_gone")
        case = referral.case
        try:
            accept_referral(self.session, case, actor=actor(self.officer))
        except (ReferralError, IllegalTransition):
            return Outcome("referral_gone")
        told = False
        if case.conversation_id:
            conversation = self.session.get(Conversation, case.conversation_id)
            language = conversation.reporter.language or "id"
            contact = replies.gateway_text("referral_accepted_contact", language) if case.consent_contact else ""
            record_outbound(
                self.session, conversation,
                text=replies.gateway_text("referral_accepted", language, ticket=case.ticket, facility=referral.facility.name, contact=contact),
                status=first_outbound_status(conversation.channel),
            )
            told = True
        self._audit("referral_accepted", case=case, detail={"referral_id": referral.id})
        return Outcome("referral_accepted", {"ticket": case.ticket, "facility": referral.facility.name, "told": told, "case": case})

    def decline_referral(self, referral_id: int, reason: str) -> Outcome:
        """Codes: declined_next (ticket, facility), declined_none (ticket), referral_gone, decline_reason (no reason given)."""
        referral = self.own_referral(referral_id)
        if referral is None:
            return Outcome("referral_gone")
        if not (reason or "").strip():
            return Outcome("decline_reason", {"ticket": referral.case.ticket})
        return self._route_elsewhere(referral, reason, "declined", "referral_declined")

    def reroute(self, referral_id: int) -> Outcome:
        """A coordinator sends an unanswered referral on. Codes: rerouted_next (ticket, facility),
        rerouted_none (ticket), referral_gone, reroute_only_coordinator."""
        if self.officer.role not in ("coordinator", "admin"):
            return Outcome("reroute_only_coordinator")
        referral = self.session.scalar(
            select(Referral).join(Case, Case.id == Referral.case_id)
            .where(Referral.id == referral_id, Referral.status == "sent", Case.status != "closed", case_in_remit(self.officer))
            .with_for_update()
        )
        if referral is None:
            return Outcome("referral_gone")
        reason = f"{REROUTE_REASON} {self.officer.first_name}"
        return self._route_elsewhere(referral, reason, "rerouted", "referral_rerouted")

    def _route_elsewhere(self, referral: Referral, reason: str, prefix: str, action: str) -> Outcome:
        case = referral.case
        index = self.routing.routing_index(self.session)
        try:
            result = decline_referral(self.session, case, reason, index, self.routing.gazetteer, actor=actor(self.officer))
        except (ReferralError, IllegalTransition):
            return Outcome("referral_gone")
        self._audit(action, case=case, detail={"referral_id": referral.id})
        if result is not None and result.facility is not None:
            return Outcome(f"{prefix}_next", {"ticket": case.ticket, "facility": result.facility.facility.name})
        # Nobody else can take it: the coordinators of the region must hear of it
        self.session.add(CaseAlert(case_id=case.id, conversation_id=case.conversation_id, reason="unrouted"))
        return Outcome(f"{prefix}_none", {"ticket": case.ticket})


def assignable_officers(session: Session, case: Case) -> list[Officer]:
    """The active staff whose remit covers this case (whom a coordinator may assign it to)."""
    return [
        officer for officer in session.scalars(
            select(Officer).where(Officer.active.is_(True), Officer.role != "facility").order_by(Officer.name)
        )
        if session.scalar(select(Case.id).where(Case.id == case.id, case_in_remit(officer))) is not None
    ]


def give_back(session: Session, officer: Officer, conversation_id: int, note: str | None, *, now: datetime) -> None:
    """Hand a conversation back to the bot and tell the reporter, in their language."""
    hand_back(session, officer, conversation_id, note, now=now)
    conversation = session.get(Conversation, conversation_id)
    record_outbound(
        session, conversation, text=replies.gateway_text("officer_left", conversation.reporter.language or "id"),
        status=first_outbound_status(conversation.channel),
    )


def release_takeovers(session: Session, officer: Officer, reason: str, *, now: datetime) -> int:
    """An officer who can no longer answer (disabled, or their chat now belongs to someone
    else) lets go of every conversation they hold: each goes back to the bot, and the on-duty
    officers are alerted so that somebody takes it up again."""
    held = held_takeovers(session, officer)
    for takeover in held:
        give_back(session, officer, takeover.conversation_id, reason, now=now)
        session.add(CaseAlert(case_id=takeover.case_id, conversation_id=takeover.conversation_id, reason="handoff", created_at=now))
    return len(held)
