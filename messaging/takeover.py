"""An officer takes a conversation over from the bot, talks with the reporter, and hands it back.

Exactly one officer wins a takeover: the conversation changes hands in one conditional
UPDATE (`handled_by = 'bot'`), so of any number of officers pressing "Ambil alih" at
once, the database lets one through. Every step is a case event when the conversation
has a case; the Takeover row keeps the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from messaging.models import Conversation, HandoffRequest, Message
from messaging.staff_text import quoted
from messaging.store import ORDINARY, URGENT, find_inbound, queue_staff_message
from referral.models import AlertDelivery, Case, CaseAlert, CaseEvent, Officer, Takeover
from referral.officers import REPEATING, case_in_remit
from referral.reports import Report, report_emergency


class TakeoverError(ValueError):
    """The takeover, reply or hand-back is not allowed; the message says why (in English)."""


@dataclass(frozen=True)
class TakeoverResult:
    won: bool
    takeover: Takeover | None = None
    holder: Officer | None = None  # who has it, when somebody else won


def actor(officer: Officer) -> str:
    return f"officer:{officer.id}"


def conversation_case(session: Session, conversation_id: int) -> Case | None:
    """The case a conversation is about: its newest open case, else its newest case."""
    cases = session.scalars(select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id.desc())).all()
    open_cases = [case for case in cases if case.status != "closed"]
    return (open_cases or cases or [None])[0]


def conversation_in_remit(session: Session, officer: Officer, conversation_id: int) -> Conversation | None:
    """The conversation, only when the officer may see it: its case lies in their remit
    (`case_in_remit`). A conversation without a case yet, like a case without a place, is
    national staff's, and theirs whom an alert about it reached. Asked of the database."""
    if officer.role == "facility" or not officer.active:
        return None
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    case = conversation_case(session, conversation_id)
    if case is None:
        return conversation if officer.remit_all or _alerted(session, officer, conversation_id) else None
    if session.scalar(select(Case.id).where(Case.id == case.id, case_in_remit(officer))) is None:
        return None
    return conversation


def _alerted(session: Session, officer: Officer, conversation_id: int) -> bool:
    """An alert about this conversation, which has no case yet, asked the officer to act and
    still does: one that repeats (an emergency) while it is unresolved, one told once while
    the conversation has no case (the rule of `case_in_remit` for a case without a place)."""
    return session.scalar(
        select(AlertDelivery.id)
        .join(CaseAlert, CaseAlert.id == AlertDelivery.alert_id)
        .where(AlertDelivery.officer_id == officer.id, CaseAlert.conversation_id == conversation_id,
               or_(CaseAlert.resolved_at.is_(None), CaseAlert.reason.not_in(REPEATING)))
        .limit(1)
    ) is not None


def take_over(session: Session, officer: Officer, conversation_id: int, *, now: datetime) -> TakeoverResult:
    if conversation_in_remit(session, officer, conversation_id) is None:
        raise TakeoverError("conversation outside the officer's remit")
    won = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.handled_by == "bot")
        .values(handled_by="officer", officer_id=officer.id)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not won:
        holder_id = session.scalar(select(Conversation.officer_id).where(Conversation.id == conversation_id))
        holder = session.get(Officer, holder_id) if holder_id else None
        return TakeoverResult(won=False, holder=holder)
    session.expire_all()  # the conversation row changed under the session
    case = conversation_case(session, conversation_id)
    takeover = Takeover(
        conversation_id=conversation_id, case_id=case.id if case else None, officer_id=officer.id,
        started_at=now, last_activity_at=now,
    )
    session.add(takeover)
    session.flush()
    # An officer's plain messages go to the one conversation they hold; with two or more they
    # choose (a reply, or /pilih): taking another over never changes their target silently.
    officer.current_conversation_id = conversation_id if len(held_takeovers(session, officer)) == 1 else None
    settle_alerts(session, conversation_id, case, now=now)
    session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status == "open")
        .values(status="taken")
        .execution_options(synchronize_session=False)
    )
    if case is not None:
        case.events.append(CaseEvent(at=now, actor=actor(officer), kind="takeover", detail={"officer": officer.first_name}))
    session.flush()
    return TakeoverResult(won=True, takeover=takeover)


def open_takeover(session: Session, officer: Officer, conversation_id: int) -> Takeover | None:
    return session.scalar(
        select(Takeover).where(
            Takeover.conversation_id == conversation_id, Takeover.officer_id == officer.id, Takeover.ended_at.is_(None)
        )
    )


def held_takeovers(session: Session, officer: Officer) -> list[Takeover]:
    """The conversations this officer holds now, oldest first."""
    return list(
        session.scalars(
            select(Takeover).where(Takeover.officer_id == officer.id, Takeover.ended_at.is_(None)).order_by(Takeover.id)
        )
    )


def hand_back(session: Session, officer: Officer, conversation_id: int, note: str | None, *, now: datetime) -> Takeover:
    takeover = open_takeover(session, officer, conversation_id)
    if takeover is None:
        raise TakeoverError("the officer does not hold this conversation")
    conversation = session.get(Conversation, conversation_id, with_for_update=True)
    conversation.handled_by, conversation.officer_id = "bot", None
    conversation.engine_paused = True  # Rasa may hold it paused: a resume always follows (it is harmless)
    takeover.ended_at = now
    session.execute(
        update(HandoffRequest)
        .where(HandoffRequest.conversation_id == conversation_id, HandoffRequest.status.in_(("open", "taken")))
        .values(status="closed", closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if takeover.case is not None:
        detail = {"note": note.strip()[:1000]} if note and note.strip() else None
        takeover.case.events.append(CaseEvent(at=now, actor=actor(officer), kind="handed_back", detail=detail))
    remaining = [t for t in held_takeovers(session, officer) if t.id != takeover.id]
    if len(remaining) == 1:  # one left: nothing to choose
        officer.current_conversation_id = remaining[0].conversation_id
    elif officer.current_conversation_id == conversation_id:  # several left: the officer chooses again
        officer.current_conversation_id = None
    session.flush()
    return takeover


def add_note(session: Session, officer: Officer, case: Case, text: str, *, now: datetime) -> None:
    text = (text or "").strip()
    if not text:
        raise TakeoverError("an empty note")
    case.events.append(CaseEvent(at=now, actor=actor(officer), kind="note", detail={"note": text[:2000]}))
    session.flush()


def settle_alerts(session: Session, conversation_id: int, case: Case | None, *, now: datetime) -> None:
    """Whatever officers were told about this conversation has been acted on: no more repeats."""
    session.execute(
        update(CaseAlert)
        .where(
            CaseAlert.resolved_at.is_(None),
            or_(CaseAlert.conversation_id == conversation_id, CaseAlert.case_id == (case.id if case else -1)),
            CaseAlert.reason != "referral",
        )
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )


def current_takeover(session: Session, conversation_id: int) -> Takeover | None:
    """The takeover of this conversation going on now, if any."""
    return session.scalar(
        select(Takeover).where(Takeover.conversation_id == conversation_id, Takeover.ended_at.is_(None))
        .order_by(Takeover.id.desc()).limit(1)
    )


def answered_by_holder(session: Session, conversation_id: int, since: datetime) -> bool:
    """Has the officer holding this conversation acted since `since` (taken it over, or
    written to the reporter)? An alert raised while they hold it (danger read during the
    takeover) waits for their answer: it repeats and escalates until then."""
    takeover = current_takeover(session, conversation_id)
    return takeover is not None and takeover.last_activity_at >= since


def record_officer_message(session: Session, officer: Officer, takeover: Takeover, message: Message, *, now: datetime) -> None:
    """An officer's message to the reporter: the takeover is active again, the alerts about
    this conversation are answered, and the case notes that it was sent (the words stay in
    the message store, under its retention)."""
    takeover.last_activity_at = now
    takeover.reminded_at = None
    settle_alerts(session, takeover.conversation_id, takeover.case, now=now)
    if takeover.case is not None:
        takeover.case.events.append(
            CaseEvent(at=now, actor=actor(officer), kind="officer_message", detail={"message_id": message.id, "kind": message.kind})
        )
    session.flush()


def last_messages(session: Session, conversation_id: int, limit: int) -> list[Message]:
    rows = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id.desc()).limit(limit)
    ).all()
    return list(reversed(rows))


def conversation_label(session: Session, conversation_id: int) -> str:
    case = conversation_case(session, conversation_id)
    return case.ticket if case else f"percakapan #{conversation_id}"


def record_danger(
    session: Session, conversation: Conversation, inbound: Message, *, category: str, now: datetime
) -> tuple[Case, bool]:
    """Danger now in a reporter's message while an officer holds the conversation: the
    emergency case, new or (the same emergency going on) the open one with an
    `emergency_repeated` event, and an emergency alert that repeats and escalates like any
    until the holding officer answers. The takeover goes on with that case. (case, is_new)
    A new emergency case takes the place and victim of the case being talked about, so that
    it is alerted to the officers of that place, not to everyone on duty."""
    takeover = current_takeover(session, conversation.id)
    known = (takeover.case if takeover else None) or conversation_case(session, conversation.id)
    report = Report(
        category=category, reporter_id=conversation.reporter_id, conversation_id=conversation.id,
        source_message_id=inbound.id, is_emergency=True, description=(inbound.text or "")[:2000] or None,
        **(_place_and_victim(known) if known else {}),
    )
    case, is_new = report_emergency(session, report, now=now, repeated_alert="emergency")
    if takeover is not None:
        takeover.case_id = case.id
    session.flush()
    return case, is_new


def _place_and_victim(case: Case) -> dict:
    """What a new case of the same conversation keeps from this one (Report's fields)."""
    return {
        "location_text": case.location_text, "province_code": case.province_code, "regency_code": case.regency_code,
        "district_code": case.district_code, "latitude": case.latitude, "longitude": case.longitude,
        "victim": case.victim,
    }


def record_possible_danger(session: Session, conversation: Conversation, *, now: datetime) -> CaseAlert:
    """The classifier alone read danger in a reporter's message while an officer holds the
    conversation: a possible-emergency alert, repeating until the holding officer writes to
    the reporter (or someone opens Ringkasan). One chain per conversation: a further guess
    renews the open alert, so it waits for an answer after the newest message."""
    takeover = current_takeover(session, conversation.id)
    case = (takeover.case if takeover else None) or conversation_case(session, conversation.id)
    alert = session.scalar(
        select(CaseAlert)
        .where(CaseAlert.conversation_id == conversation.id, CaseAlert.reason == "possible_emergency",
               CaseAlert.resolved_at.is_(None))
        .order_by(CaseAlert.id.desc())
        .limit(1)
    )
    if alert is not None:
        alert.created_at = now
    else:
        alert = CaseAlert(case_id=case.id if case else None, conversation_id=conversation.id,
                          reason="possible_emergency", created_at=now)
        session.add(alert)
    session.flush()
    return alert


RELAY_HEADERS = {
    None: "💬 {label}:",
    "edited": "✏️ {label}, pesan yang diubah pelapor:",
    "emergency": "🚨 TANDA BAHAYA, {label}:",
}


def relay_body(inbound: Message) -> str:
    """What the reporter sent, as the officer reads it (their words as they wrote them)."""
    if inbound.kind == "location" and inbound.payload:
        point = f"{inbound.payload.get('latitude')},{inbound.payload.get('longitude')}"
        return f"📍 lokasi: https://maps.google.com/?q={point}"
    if inbound.kind == "text":
        return inbound.text or ""
    if inbound.kind == "media":
        kind = (inbound.payload or {}).get("type", "berkas")
        return f"📎 ({kind} dari pelapor, tersimpan di sistem)" + (f"\n{inbound.text}" if inbound.text else "")
    return f"({inbound.kind} dari pelapor)"


def _edited_from(session: Session, conversation: Conversation, inbound: Message) -> str | None:
    """For an edited message: a line with the words it replaced, when we have them."""
    payload = inbound.payload or {}
    if not payload.get("edited"):
        return None
    original = find_inbound(session, conversation.id, payload["edit_of"]) if payload.get("edit_of") else None
    if original is None or not original.text:
        return "Pelapor mengubah pesan sebelumnya."
    before = " ".join(original.text.split())  # one line: nothing in it reads as a line of ours
    return f"Sebelumnya tertulis: «{before[:300]}{'…' if len(before) > 300 else ''}»"


def relay_to_officer(
    session: Session, conversation: Conversation, inbound: Message, *, danger: str | None = None, footer: str | None = None
) -> list[Message]:
    """A reporter's message during a takeover, sent privately to the officer who holds the
    conversation (through the outbox, in order). A reply to it goes back to this reporter.

    Our header is bold and the reporter's words a quote (a reporter cannot write a line
    that passes for ours); a long message comes in numbered parts; an edit says so;
    `danger` (the emergency check's finding) marks it urgent; `footer` says what was done."""
    officer = session.get(Officer, conversation.officer_id) if conversation.officer_id else None
    if officer is None or not officer.active or not officer.telegram_chat_id:
        return []
    edited = _edited_from(session, conversation, inbound)
    urgent = danger == "emergency"  # the safety net's finding; a classifier's guess is in the footer only
    header = RELAY_HEADERS["emergency" if urgent else "edited" if edited else None].format(
        label=conversation_label(session, conversation.id))
    lines = [line for line in (edited, footer) if line]
    payload = {"conversation_id": conversation.id, **({"urgent": True} if urgent else {})}
    return [
        queue_staff_message(session, channel="telegram", address=officer.telegram_chat_id, text=part.text,
                            payload={**payload, **part.payload()}, priority=URGENT if urgent else ORDINARY)
        for part in quoted(header, relay_body(inbound), "\n".join(lines))
    ]
