"""'How is my report?': answer only about the reporter's own cases."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import get_services
from referral.lifecycle import CaseError
from referral.reports import case_for_reporter
from referral.storage import unit_of_work
from referral.tickets import find_ticket

STATUS_TEXT = {
    "new": "sudah kami terima dan sedang dicarikan layanan terdekat",
    "referred": "sudah diteruskan ke layanan terdekat dan menunggu konfirmasi mereka",
    "accepted": "sudah diterima oleh layanan yang akan mendampingi",
    "in_progress": "sedang ditangani oleh pendamping",
    "closed": "sudah selesai ditangani",
}


class ActionCaseStatus(Action):
    def name(self) -> str:
        return "action_case_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ticket = (
            find_ticket(tracker.get_slot("case_id") or "")
            or find_ticket(tracker.latest_message.get("text") or "")
            or tracker.get_slot("ticket")
        )
        if not ticket:
            dispatcher.utter_message(
                text="Boleh sebutkan nomor laporannya? Formatnya seperti MPKS-2026-00123."
            )
            return []
        try:
            with unit_of_work(get_services().sessions) as session:
                status = case_for_reporter(session, tracker.sender_id, ticket).status
        except CaseError:
            dispatcher.utter_message(
                text=(
                    f"Maaf, laporan {ticket} tidak kami temukan dari percakapan ini. "
                    "Periksa lagi nomornya, atau tulis \"mau bicara dengan petugas\"."
                )
            )
            return []
        dispatcher.utter_message(text=f"Laporan {ticket} {STATUS_TEXT.get(status, status)}.")
        return []
