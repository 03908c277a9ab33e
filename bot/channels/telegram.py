"""Telegram with python-telegram-bot 22: updates in (polling or webhook), replies out.

Every update becomes a stored inbound message (unique on chat and message id)
before anything else (in polling mode before Telegram hears it arrived:
telegram_polling.py); replies leave through the outbox (TelegramSender), with
PTB's rate limiter honouring Telegram's RetryAfter. Reports are private: a group
gets one notice saying so, then the bot leaves it; nothing of it is stored.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

import httpx
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.channels.intake import InboundRecord, Intake, Stored
from bot.channels.telegram_polling import UpdatePoller
from bot.gateway.language import language_hint
from bot.desk.telegram_desk import OfficerDesk, OfficerInput
from bot.gateway.outbox import SendFailed
from bot.gateway.replies import gateway_text
from messaging.store import Inbound, queue_staff_message
from messaging.models import Message
from messaging.statuses import MessageStatus
from referral.storage import unit_of_work

log = logging.getLogger(__name__)
MEDIA_ATTRIBUTES = ("photo", "voice", "audio", "video", "video_note", "document", "sticker", "animation")
GROUP_NOTICE = (
    "Layanan Pengaduan MPKS bersifat pribadi dan rahasia. Silakan kirim laporan lewat pesan "
    "langsung (chat pribadi) ke bot ini, bukan di grup."
)
GROUP_NOTICE_KIND = "group_notice"  # the one message a group gets; the bot leaves the group after it


def build_application(token: str, api_base: str) -> Application:
    base = api_base.rstrip("/")
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        # Telegram's flood control ("not sent; retry after N s") is waited out here: nothing was
        # delivered, so this retry cannot say anything twice. Every other retry is the outbox's.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .updater(None)  # polling is our own (telegram_polling.py): PTB's acknowledges updates before they are stored
        .build()
    )


def button_data(outbound_id: int, index: int) -> str:
    """Telegram allows 64 bytes of callback data; our payloads can be longer, so the
    button points at the stored reply and the position of the button in it."""
    return f"b{outbound_id}:{index}"


BUTTON_DATA = re.compile(r"b([0-9]{1,18}):([0-9]{1,3})")  # ASCII digits, numbers a database holds


def parse_button_data(data: str) -> tuple[int, int] | None:
    """Our own button reference; None for anything else (a modified client can send any data)."""
    match = BUTTON_DATA.fullmatch(data)
    return (int(match.group(1)), int(match.group(2))) if match else None


def inbound_from_update(update: Update) -> InboundRecord | None:
    """The message an update carries, as an InboundRecord; None for updates we do not store.
    A button press carries its raw callback data until the channel resolves it."""
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != ChatType.PRIVATE:
            return None
        return _record(
            str(chat.id),
            Inbound(kind="callback", text=query.data or "", provider_message_id=f"cb:{query.id}"),
        )
    message = update.message or update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return None
    chat_id = str(message.chat.id)
    provider_id = f"{chat_id}:{message.message_id}"
    extra: dict[str, Any] = {}
    if update.edited_message is not None:
        provider_id += f":edit:{int(message.edit_date.timestamp()) if message.edit_date else 0}"
        extra["edited"] = True
        extra["edit_of"] = f"{chat_id}:{message.message_id}"  # the message it changes (relayed with it)
    if message.location is not None:
        point = {"latitude": message.location.latitude, "longitude": message.location.longitude}
        return _record(chat_id, Inbound(kind="location", payload=point, provider_message_id=provider_id))
    if message.contact is not None:
        # Sharing one's contact is an explicit act; the number is kept only as given.
        contact = {"phone_number": message.contact.phone_number, "own": message.contact.user_id == (message.from_user.id if message.from_user else None)}
        return _record(chat_id, Inbound(kind="contact", payload=contact, provider_message_id=provider_id))
    for attribute in MEDIA_ATTRIBUTES:
        media = getattr(message, attribute, None)
        if media:
            item = media[-1] if isinstance(media, tuple) else media  # photos come in several sizes
            payload = {"type": attribute, "file_id": item.file_id, **extra}
            return _record(
                chat_id, Inbound(kind="media", text=message.caption, payload=payload, provider_message_id=provider_id)
            )
    if message.text is not None and message.text.strip():
        text = message.text
        if text.split()[0].split("@")[0] == "/start":
            return _record(chat_id, Inbound(kind="start", text=text, payload=extra or None, provider_message_id=provider_id))
        return _record(chat_id, Inbound(kind="text", text=text, payload=extra or None, provider_message_id=provider_id))
    return _record(chat_id, Inbound(kind="unsupported", payload={"type": "other"}, provider_message_id=provider_id))


def _record(chat_id: str, inbound: Inbound) -> InboundRecord:
    return InboundRecord("telegram", chat_id, inbound)


def is_group_update(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def group_notice(session, chat_id: str) -> Message:
    """The group's one notice: queued for its first update, the same one for every later update."""
    notice = session.scalar(select(Message).where(
        Message.channel == "telegram", Message.conversation_id.is_(None), Message.address == chat_id,
        Message.kind == GROUP_NOTICE_KIND,
    ).limit(1))
    return notice or queue_staff_message(session, channel="telegram", address=chat_id, text=GROUP_NOTICE, kind=GROUP_NOTICE_KIND)


async def leave_group(bot, chat_id: str) -> None:
    try:
        await bot.leave_chat(chat_id=chat_id)
    except TelegramError as error:  # it stays a while longer; its next update tries again
        log.warning("could not leave a Telegram group: %s", type(error).__name__)


def keyboard(outbound_id: int, buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["title"][:64], callback_data=button_data(outbound_id, i))] for i, b in enumerate(buttons)]
    )


def formatting(payload: dict[str, Any]) -> list[MessageEntity] | None:
    """Our own formatting of a message to staff (a bold header, a reporter's words quoted),
    as entities: no markup is parsed, so nothing a reporter wrote can format anything."""
    entities = [MessageEntity(type=e["type"], offset=e["offset"], length=e["length"]) for e in payload.get("entities") or []]
    return entities or None


def never_left(error: TimedOut) -> bool:
    """Whether a timeout came before the request was sent: PTB raises TimedOut for httpx's
    pool and connect timeouts too, when nothing went out and a retry cannot say anything twice."""
    return isinstance(error.__cause__, (httpx.PoolTimeout, httpx.ConnectTimeout))


class TelegramSender:
    """The outbox's sender for Telegram."""

    def __init__(self, application: Application) -> None:
        self.application = application

    async def send(self, chat_id: str, message, conversation) -> str:
        bot = self.application.bot
        payload = message.payload or {}
        try:
            if message.kind == "location" and "latitude" in payload:  # an officer's shared location
                sent = await bot.send_location(chat_id=chat_id, latitude=payload["latitude"], longitude=payload["longitude"])
            elif message.kind == "photo" and payload.get("file_id"):  # an officer's photo (same bot: its file id works)
                sent = await bot.send_photo(chat_id=chat_id, photo=payload["file_id"], caption=message.text or None)
            else:
                sent = await bot.send_message(
                    chat_id=chat_id,
                    text=message.text or "…",
                    reply_markup=keyboard(message.id, payload.get("buttons") or []),
                    entities=formatting(payload),
                )
        except TimedOut as error:
            if never_left(error):  # no connection in time: nothing reached Telegram
                raise SendFailed(f"Telegram not reached in time: {type(error.__cause__).__name__}", retryable=True) from error
            # the request went out and no answer came: Telegram may have delivered it
            raise SendFailed(f"Telegram timed out: {error}", retryable=False, ambiguous=True) from error
        except (BadRequest, Forbidden, InvalidToken) as error:  # refused for good (blocked, bad chat)
            raise SendFailed(f"Telegram refused the message: {type(error).__name__}", retryable=False) from error
        except NetworkError as error:  # no connection, or Telegram's 5xx: not delivered
            raise SendFailed(f"Telegram unreachable: {type(error).__name__}", retryable=True) from error
        if message.kind == GROUP_NOTICE_KIND:  # said once: the bot has no business in a group
            await leave_group(bot, chat_id)
        return f"{chat_id}:{sent.message_id}"


class TelegramChannel:
    """Connects Telegram's updates to the intake: store first, then process and send in the
    background (processing may wait for a slow Rasa answer; storing never does).

    Updates come from the webhook or from the poller, one after another. Reports are
    private: a group gets one notice (through the outbox, as a message to no reporter's
    conversation), the bot then leaves it, and nothing of the group is stored.
    """

    def __init__(self, application: Application, intake: Intake, secret_token: str, desk: OfficerDesk | None = None) -> None:
        self.application = application
        self.intake = intake
        self.desk = desk  # the officers' side: linked officers' chats and /daftar
        self.sessions = intake.conversations.sessions
        # What Telegram sends back in X-Telegram-Bot-Api-Secret-Token in webhook mode.
        self.secret_token = secret_token
        self.poller: UpdatePoller | None = None  # polling mode only

    def start_polling(self, retry_max_s: float) -> None:
        if self.poller is None:
            self.poller = UpdatePoller(self, retry_max_s=retry_max_s)
        self.poller.start()

    async def stop_polling(self) -> None:
        if self.poller is not None:
            await self.poller.stop()

    async def store_update(self, update: Update) -> list[Stored]:
        """Store what the update carries; returns the newly stored messages."""
        if is_group_update(update):
            self._answer_group(update)
            return []
        if self.desk is not None and (item := self.officer_input(update)) is not None:
            if self.desk.wants(item.chat_id, item.text):
                await self.desk.receive(item)  # stored and acted on before the update is acknowledged
                await self._answer_button(update)
                self.intake.conversations.in_background(self._after_officer())
                return []
        record = inbound_from_update(update)
        if record is None:
            return []
        stored: list[Stored] = []
        if update.callback_query is not None:
            payload = self._stored_button(record.address, record.inbound.text or "", to_staff=False)
            if payload:  # the payload of our own button, as if typed
                stored = self.intake.store([replace(record, inbound=replace(record.inbound, kind="text", text=payload))])
            await self._answer_button(update)
            return stored
        return self.intake.store([record])

    def _answer_group(self, update: Update) -> None:
        """One notice per group, then the bot leaves (the sender leaves once the notice is out;
        if the group is still there after that, it leaves now)."""
        member = update.my_chat_member
        if member is not None and member.new_chat_member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            return  # the bot has left, or was removed: nothing to say
        chat_id = str(update.effective_chat.id)
        with unit_of_work(self.sessions) as session:
            waiting = group_notice(session, chat_id).status in (MessageStatus.QUEUED, MessageStatus.SENDING)
        after = self.intake.outbox.flush() if waiting else leave_group(self.application.bot, chat_id)
        self.intake.conversations.in_background(after)

    @staticmethod
    async def _answer_button(update: Update) -> None:
        """Only after the press is stored: after downtime Telegram refuses old query ids, and
        that must not cost the press. The answer only stops the button's spinner."""
        if update.callback_query is None:
            return
        try:
            await update.callback_query.answer()
        except TelegramError as error:
            log.info("a button press was stored but could not be acknowledged: %s", type(error).__name__)

    async def tell_not_processed(self, update: Update) -> None:
        """The sender of an update given up on is asked to write again (best effort: sent
        straight to Telegram, since storing is what failed; private chats only)."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        text = (update.effective_message.text or "") if update.effective_message else ""
        language = language_hint(text[:500]) or "id"
        try:
            await self.application.bot.send_message(chat.id, gateway_text("not_processed", language))
        except TelegramError as error:
            log.warning("the sender of an update given up on could not be told: %s", type(error).__name__)

    async def _after_officer(self) -> None:
        await self.desk.sync_engine()
        await self.intake.outbox.flush()

    def officer_input(self, update: Update) -> OfficerInput | None:
        """An update from a private chat, as the officers' desk reads it."""
        if update.callback_query is not None:
            query = update.callback_query
            chat = query.message.chat if query.message else None
            if chat is None or chat.type != ChatType.PRIVATE:
                return None
            button = self._stored_button(str(chat.id), query.data or "", to_staff=True)
            if button is None:
                return None
            return OfficerInput(str(chat.id), f"cb:{query.id}", "button", button=button)
        message = update.message or update.edited_message
        if message is None or message.chat.type != ChatType.PRIVATE:
            return None
        chat_id = str(message.chat.id)
        provider_id = f"{chat_id}:{message.message_id}"
        if update.edited_message is not None:  # an edit is not sent on: the reporter has the first version
            edit = f"{provider_id}:edit:{int(message.edit_date.timestamp()) if message.edit_date else 0}"
            return OfficerInput(chat_id, edit, "edited", text=message.text)  # an edited /daftar still links
        reply_to = f"{chat_id}:{message.reply_to_message.message_id}" if message.reply_to_message else None
        if message.location is not None:
            point = {"latitude": message.location.latitude, "longitude": message.location.longitude}
            return OfficerInput(chat_id, provider_id, "location", payload=point, reply_to=reply_to)
        if message.photo:
            return OfficerInput(chat_id, provider_id, "photo", text=message.caption,
                                payload={"file_id": message.photo[-1].file_id}, reply_to=reply_to)
        if message.text:
            return OfficerInput(chat_id, provider_id, "text", text=message.text, reply_to=reply_to)
        return OfficerInput(chat_id, provider_id, "other", reply_to=reply_to)

    def _stored_button(self, chat_id: str, data: str, *, to_staff: bool) -> str | None:
        """The payload of the button `data` points at, only on a Telegram message we sent to
        this very chat: a reporter's reply (to_staff False) or a message to staff."""
        ref = parse_button_data(data)
        if ref is None:
            return None
        outbound_id, index = ref
        with unit_of_work(self.sessions) as session:
            message = session.get(Message, outbound_id)
            if message is None or message.direction != "out" or message.channel != "telegram":
                return None
            if to_staff:
                ours = message.conversation_id is None and message.address == chat_id
            else:  # only one's own buttons
                ours = message.conversation is not None and message.conversation.channel_address == chat_id
            if not ours:
                return None
            buttons = (message.payload or {}).get("buttons") or []
            return buttons[index]["payload"] if index < len(buttons) else None
