"""What the actions say, in Indonesian and English.

Indonesian is the default; English only when the reporter writes clearly in
English (the `language` slot, set from the gateway's detection).
"""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.replies import localised

TEXTS: dict[str, dict[str, str]] = {
    "case_opened": {
        "id": "Laporan Anda sudah kami terima dengan nomor {ticket}. Simpan nomor ini untuk menanyakan perkembangannya. ",
        "en": "We have received your report; its number is {ticket}. Keep this number to ask how it is going. ",
    },
    "location_added": {
        "id": "Lokasi sudah kami tambahkan ke laporan {ticket}. ",
        "en": "We have added the location to report {ticket}. ",
    },
    "referred": {
        "id": "Laporan Anda kami teruskan ke {facility}, sekitar {distance} dari lokasi Anda. "
        "Petugas mereka akan menghubungi Anda lewat percakapan ini.",
        "en": "We are passing your report to {facility}, about {distance} from you. "
        "Their staff will contact you in this conversation.",
    },
    "distance_under_1km": {"id": "kurang dari 1 km", "en": "less than 1 km"},
    "to_province": {
        "id": "Belum ada layanan kami yang cukup dekat dengan lokasi Anda, jadi laporan ini kami teruskan "
        "ke koordinator wilayah provinsi Anda. Mereka akan menghubungi Anda lewat percakapan ini.",
        "en": "None of our services is close enough to you yet, so we are passing this report to the "
        "coordinator for your province. They will contact you in this conversation.",
    },
    "to_national": {
        "id": "Belum ada layanan kami yang cukup dekat dengan lokasi Anda, jadi laporan ini kami teruskan "
        "ke koordinator pusat. Mereka akan menghubungi Anda lewat percakapan ini.",
        "en": "None of our services is close enough to you yet, so we are passing this report to the "
        "national coordinator. They will contact you in this conversation.",
    },
    "unrouted": {
        "id": "Koordinator kami akan mencarikan layanan yang paling sesuai dan menghubungi Anda lewat percakapan ini.",
        "en": "Our coordinator will find the most suitable service and contact you in this conversation.",
    },
    "emergency_hotlines": {
        "id": "Keselamatan Anda yang utama. Jika Anda atau orang lain dalam bahaya sekarang, segera hubungi:\n"
        "{hotlines}\nJika bisa, pergilah ke tempat yang aman atau ke rumah tetangga yang Anda percaya.",
        "en": "Your safety comes first. If you or someone else is in danger now, call right away:\n"
        "{hotlines}\nIf you can, go somewhere safe or to a neighbour you trust.",
    },
    "emergency_opened": {
        "id": "Laporan darurat Anda tercatat dengan nomor {ticket}. Laporan ini kami prioritaskan untuk segera "
        "ditindaklanjuti petugas.",
        "en": "Your emergency report is recorded as {ticket}. Our officers will follow it up first.",
    },
    "emergency_repeated": {
        "id": "Pesan Anda kami tambahkan ke laporan darurat {ticket}, dan petugas kami sudah diberi tahu lagi "
        "agar segera menindaklanjuti.",
        "en": "We have added your message to emergency report {ticket} and alerted our officers again to act "
        "right away.",
    },
    "status_which": {
        "id": "Boleh sebutkan nomor laporannya? Formatnya seperti MPKS-2026-00123.",
        "en": "Could you tell me the report number? It looks like MPKS-2026-00123.",
    },
    "status_not_found": {
        "id": "Maaf, laporan {ticket} tidak kami temukan dari percakapan ini. Periksa lagi nomornya, "
        "atau tulis \"mau bicara dengan petugas\".",
        "en": "Sorry, we cannot find report {ticket} from this conversation. Please check the number, "
        "or write \"I want to talk to an officer\".",
    },
    "status": {"id": "Laporan {ticket} {state}.", "en": "Report {ticket} {state}."},
    "state_new": {
        "id": "sudah kami terima dan sedang dicarikan layanan terdekat",
        "en": "has been received and we are finding the nearest service",
    },
    "state_referred": {
        "id": "sudah diteruskan ke layanan terdekat dan menunggu konfirmasi mereka",
        "en": "has been passed to the nearest service and is waiting for their confirmation",
    },
    "state_accepted": {
        "id": "sudah diterima oleh layanan yang akan mendampingi",
        "en": "has been accepted by the service that will support you",
    },
    "state_in_progress": {"id": "sedang ditangani oleh pendamping", "en": "is being handled by a caseworker"},
    "state_closed": {"id": "sudah selesai ditangani", "en": "has been closed"},
}


def tracker_language(tracker: Tracker) -> str:
    """The reply language the conversation's `language` slot asks for."""
    return "en" if tracker.get_slot("language") == "en" else "id"


def action_text(key: str, language: str, **values: object) -> str:
    return localised(TEXTS, key, language, **values)
