"""What the actions say, in Indonesian and English.

Indonesian is the default; English only when the reporter writes clearly in
English (the `language` slot, set from the gateway's detection).
"""

from __future__ import annotations

from rasa_sdk import Tracker

from wiring.texts import localised

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
        "id": "Laporan Anda kami teruskan ke {facility} ({kind}), sekitar {distance} dari lokasi Anda.",
        "en": "We are passing your report to {facility} ({kind}), about {distance} from you.",
    },
    "distance_under_1km": {"id": "kurang dari 1 km", "en": "less than 1 km"},
    "to_province": {
        "id": "Belum ada layanan kami yang cukup dekat dengan lokasi Anda, jadi laporan ini kami teruskan "
        "ke koordinator wilayah provinsi Anda.",
        "en": "None of our services is close enough to you yet, so we are passing this report to the "
        "coordinator for your province.",
    },
    "to_national": {
        "id": "Belum ada layanan kami yang cukup dekat dengan lokasi Anda, jadi laporan ini kami teruskan "
        "ke koordinator wilayah di pusat.",
        "en": "None of our services is close enough to you yet, so we are passing this report to the "
        "national coordinator.",
    },
    "unrouted": {
        "id": "Koordinator wilayah kami akan mencarikan layanan yang paling sesuai.",
        "en": "Our regional coordinator will find the most suitable service.",
    },
    "emergency_hotlines": {
        "id": "Keselamatan Anda yang utama. Jika Anda atau orang lain dalam bahaya sekarang, segera hubungi:\n"
        "{hotlines}\nJika bisa, pergilah ke tempat yang aman atau ke rumah tetangga yang Anda percaya. "
        "Petugas jaga kami sedang diberi tahu sekarang.",
        "en": "Your safety comes first. If you or someone else is in danger now, call right away:\n"
        "{hotlines}\nIf you can, go somewhere safe or to a neighbour you trust. "
        "Our duty officer is being alerted now.",
    },
    # The first reply for a medical emergency leads with the ambulance (119 first in the list).
    "emergency_hotlines_medical": {
        "id": "Segera telepon 119 untuk ambulans, sekarang juga. Sambil menunggu, tetap di dekatnya dan minta "
        "orang di sekitar Anda membantu; jika Anda sendiri yang sakit, minta tolong orang terdekat sekarang. "
        "Nomor darurat:\n{hotlines}\nPetugas jaga kami sedang diberi tahu sekarang.",
        "en": "Call 119 for an ambulance right now. While you wait, stay close and ask anyone nearby to help; if you "
        "are the one who is unwell, ask the nearest person for help now. Emergency numbers:\n{hotlines}\n"
        "Our duty officer is being alerted now.",
    },
    # Suicide: written after WHO's "Preventing suicide: a resource for media professionals" (2023 update)
    # and the #chatsafe guidelines (Orygen): thank them, say they are not alone, no judgement, no
    # method words, distance from the means, someone to be with, a line to call now (docs/nlu.md).
    "emergency_hotlines_suicide": {
        "id": "Terima kasih sudah memberi tahu kami. Anda tidak sendirian, dan keselamatan Anda yang paling penting "
        "sekarang. Jika ada sesuatu di dekat Anda yang bisa melukai Anda, tolong jauhkan dulu, dan usahakan ada orang "
        "yang Anda percaya menemani Anda. Jika Anda sudah melukai diri atau menelan sesuatu, telepon 119 sekarang "
        "juga. Anda bisa bicara dengan seseorang sekarang:\n{hotlines}\n"
        "Petugas jaga kami sedang diberi tahu dan akan berusaha segera menyapa Anda di sini.",
        "en": "Thank you for telling us. You are not alone, and your safety matters most right now. If there is "
        "anything near you that could hurt you, please put it away, and try to have someone you trust with you. "
        "If you have already hurt yourself or swallowed something, call 119 right now. You can talk to someone "
        "now:\n{hotlines}\nOur duty officer is being alerted and will try to reach you here soon.",
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
    # -- the report flow's questions (buttons carry the plain words actions/answers.py reads)
    "ask_description": {
        "id": "Boleh ceritakan singkat apa yang terjadi? Tulis dengan kata-kata Anda sendiri. Jika tidak ingin, balas \"lewati\".",
        "en": "Could you tell us briefly what happened, in your own words? If you prefer not to, reply \"skip\".",
    },
    "ask_victim": {
        "id": "Siapa yang mengalami atau membutuhkan bantuan ini?",
        "en": "Who is going through this, or needs the help?",
    },
    "ask_victim_aid": {
        "id": "Bantuan ini untuk siapa?",
        "en": "Who is the help for?",
    },
    "ask_situation": {
        "id": "Apakah kejadian ini masih berlangsung, atau orangnya sekarang sudah aman?",
        "en": "Is this still going on, or is the person safe now?",
    },
    "ask_contact": {
        "id": "Bolehkah petugas kami dan lembaga yang menangani laporan ini menghubungi Anda untuk menindaklanjuti? "
        "Bisa lewat percakapan ini, lewat telepon, atau tidak sama sekali (anonim). Laporan tetap kami proses apa pun "
        "pilihan Anda.",
        "en": "May our officers and the service that takes on your report contact you to follow up? In this chat, by "
        "phone, or not at all (anonymous). We will act on your report whatever you choose.",
    },
    "ask_contact_phone": {
        "id": "Silakan tulis nomor telepon yang bisa dihubungi (misalnya 0812-3456-7890). Nomor ini hanya dipakai "
        "petugas kami dan lembaga yang menangani laporan ini, dan hanya untuk laporan ini.",
        "en": "Please write the phone number we can call (for example 0812-3456-7890). Only our officers and the "
        "service that takes on your report will use it, and only for this report.",
    },
    "phone_invalid": {
        "id": "Maaf, nomor itu sepertinya belum lengkap atau bukan nomor Indonesia. Boleh tulis lagi, misalnya "
        "0812-3456-7890? Atau balas \"lewati\".",
        "en": "Sorry, that does not look like a complete Indonesian number. Could you write it again, for example "
        "0812-3456-7890? Or reply \"skip\".",
    },
    "ask_again": {
        "id": "Maaf, saya belum menangkap jawabannya. Silakan pilih salah satu, atau balas \"lewati\".",
        "en": "Sorry, I did not catch that. Please choose one, or reply \"skip\".",
    },
    "summary_intro": {"id": "Ini yang kami catat:", "en": "This is what we have noted:"},
    "summary_question": {
        "id": "Sudah benar? Jika ada yang perlu diperbaiki, pilih \"Ubah\".",
        "en": "Is that right? If something needs correcting, choose \"Change\".",
    },
    "ask_edit_item": {"id": "Bagian mana yang ingin diubah?", "en": "Which part do you want to change?"},
    "label_description": {"id": "Kejadian", "en": "What happened"},
    "label_victim": {"id": "Yang mengalami", "en": "Who"},
    "label_situation": {"id": "Keadaan sekarang", "en": "Now"},
    "label_location": {"id": "Lokasi", "en": "Where"},
    "label_contact": {"id": "Kontak", "en": "Contact"},
    "not_given": {"id": "(tidak disebutkan)", "en": "(not given)"},
    "victim_anak": {"id": "Anak", "en": "A child"},
    "victim_perempuan": {"id": "Perempuan", "en": "A woman"},
    "victim_lansia": {"id": "Lansia", "en": "An elderly person"},
    "victim_disabilitas": {"id": "Penyandang disabilitas", "en": "A person with a disability"},
    "victim_diri_sendiri": {"id": "Saya sendiri", "en": "Myself"},
    "victim_lainnya": {"id": "Orang lain", "en": "Someone else"},
    "situation_ongoing": {"id": "Masih berlangsung", "en": "Still going on"},
    "situation_safe": {"id": "Sudah aman", "en": "Safe now"},
    "situation_danger": {"id": "Dalam bahaya sekarang", "en": "In danger now"},
    "contact_chat": {"id": "Lewat percakapan ini", "en": "In this chat"},
    "contact_telepon": {"id": "Lewat telepon", "en": "By phone"},
    "contact_phone_number": {"id": "Lewat telepon ({phone})", "en": "By phone ({phone})"},
    "contact_anonim": {"id": "Tidak usah (anonim)", "en": "No (anonymous)"},
    "button_skip": {"id": "Lewati", "en": "Skip"},
    "button_yes": {"id": "Benar", "en": "Correct"},
    "button_change": {"id": "Ubah", "en": "Change"},
    "report_cancelled": {
        "id": "Baik, laporan ini tidak kami lanjutkan dan tidak ada kasus yang dibuka. Jika nanti ingin bercerita "
        "lagi, tulis saja di sini kapan pun. Jika ada yang dalam bahaya, segera hubungi 112 atau 110.",
        "en": "All right, we have stopped this report and no case was opened. Whenever you want to tell us, just "
        "write here. If anyone is in danger, call 112 or 110 right away.",
    },
    "emergency_where": {
        "id": "Di mana Anda, atau orang yang dalam bahaya, sekarang? Tulis nama daerah atau alamatnya, atau bagikan "
        "lokasi Anda, agar petugas bisa segera membantu. Balas \"lewati\" jika tidak ingin menyebutkan.",
        "en": "Where are you, or the person in danger, now? Write the area or the address, or share your location, so "
        "our officers can help quickly. Reply \"skip\" if you prefer not to say.",
    },
    "emergency_noted": {
        "id": "Baik. Laporan darurat {ticket} tetap kami tangani lebih dulu. ",
        "en": "All right. Emergency report {ticket} is still our first priority. ",
    },
    "story_added": {"id": "Baik, sudah kami tambahkan ke laporan ini.", "en": "All right, we have added that to this report."},
    # Another report (another category or person) told while this one is taken: kept for after it.
    "report_kept_for_later": {
        "id": "Baik, itu kami catat sebagai laporan tersendiri. Kita lanjutkan setelah laporan ini selesai.",
        "en": "All right, we will take that down as a separate report once this one is done.",
    },
    "next_report": {
        "id": "Sekarang kita catat laporan Anda yang lain.",
        "en": "Now let us take down your other report.",
    },
    "location_taken": {
        "id": "Terima kasih, lokasi yang Anda bagikan sudah kami catat.",
        "en": "Thank you, we have noted the location you shared.",
    },
    "added_to_emergency": {
        "id": "Pesan Anda kami tambahkan ke laporan darurat {ticket}; petugas kami bisa membacanya.",
        "en": "We have added your message to emergency report {ticket}; our officers can read it.",
    },
    "facility_kind_PSKM": {"id": "PSKM", "en": "PSKM, Muhammadiyah family support centre"},
    "facility_kind_AUMSOS": {"id": "layanan sosial Muhammadiyah (AUMSos)", "en": "a Muhammadiyah social institution (AUMSos)"},
    "facility_kind_PARTNER": {"id": "mitra layanan", "en": "a partner service"},
    "next_steps_chat": {
        "id": " Petugas akan menyapa Anda di percakapan ini {when}.",
        "en": " An officer will write to you in this chat {when}.",
    },
    "next_steps_phone": {
        "id": " Petugas akan menelepon nomor yang Anda berikan {when}.",
        "en": " An officer will call the number you gave {when}.",
    },
    "next_steps_anonymous": {
        "id": " Karena Anda memilih anonim, kami tidak akan menghubungi Anda; laporan tetap ditindaklanjuti.",
        "en": " As you chose to stay anonymous, we will not contact you; your report will still be followed up.",
    },
    "next_steps_unknown": {
        "id": " Petugas akan menindaklanjutinya {when}.",
        "en": " An officer will follow it up {when}.",
    },
    "when_emergency": {"id": "secepatnya", "en": "as soon as possible"},
    "when_high": {"id": "hari ini juga", "en": "today"},
    "when_normal": {"id": "dalam 2 hari kerja", "en": "within 2 working days"},
    "ask_later": {
        "id": " Untuk menanyakan perkembangannya, tulis \"status {ticket}\" kapan saja.",
        "en": " To ask how it is going, write \"status {ticket}\" any time.",
    },
    "handoff_open": {
        "id": "Baik, kami sambungkan Anda dengan petugas. Petugas jaga akan menyapa Anda di percakapan ini, biasanya "
        "dalam beberapa menit (jam layanan petugas: {hours}). Sambil menunggu, Anda boleh terus menulis di sini; "
        "semua pesan Anda tersimpan.",
        "en": "All right, we are connecting you with an officer. The duty officer will write to you in this chat, "
        "usually within a few minutes (officers' hours: {hours}). While you wait, you can keep writing here; every "
        "message is saved.",
    },
    "handoff_closed": {
        "id": "Permintaan Anda untuk berbicara dengan petugas sudah kami catat. Saat ini di luar jam layanan petugas "
        "({hours}), jadi petugas akan menyapa Anda di percakapan ini begitu jam layanan dimulai. Jika ada yang dalam "
        "bahaya sekarang, jangan menunggu, segera hubungi:\n{hotlines}",
        "en": "We have noted that you want to talk to an officer. It is outside our officers' hours now ({hours}), "
        "so an officer will write to you in this chat as soon as they start. If anyone is in danger now, do not wait, "
        "call:\n{hotlines}",
    },
    "handoff_already": {
        "id": "Permintaan Anda untuk berbicara dengan petugas sudah tercatat; petugas akan menyapa Anda di percakapan "
        "ini. Jika ada yang dalam bahaya sekarang, segera hubungi 112 atau 110.",
        "en": "Your request to talk to an officer is already noted; an officer will write to you in this chat. If "
        "anyone is in danger now, call 112 or 110.",
    },
    "offer_person": {
        "id": "Maaf, saya masih belum memahami pesan Anda. Apakah Anda ingin berbicara langsung dengan petugas?",
        "en": "Sorry, I still do not understand. Would you like to talk to an officer in person?",
    },
    "button_person": {"id": "Bicara dengan petugas", "en": "Talk to an officer"},
    "button_services": {"id": "Apa saja layanannya?", "en": "What do you offer?"},
    "status_list": {
        "id": "Laporan Anda yang tercatat dari percakapan ini ada di bawah. Pilih salah satu untuk melihat perkembangannya.",
        "en": "Your reports from this conversation are below. Choose one to see how it is going.",
    },
    "status_facility": {"id": " Layanan yang menangani: {facility}.", "en": " Handled by: {facility}."},
    "status_updated": {"id": " Pembaruan terakhir: {date}.", "en": " Last update: {date}."},
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
    "emergency_not_recorded": {
        "id": "Maaf, sistem kami sedang terganggu sehingga laporan darurat ini belum tercatat. Segera hubungi nomor "
        "darurat di atas, lalu kirim pesan Anda sekali lagi.",
        "en": "Sorry, our system has a problem and this emergency report is not recorded yet. Call one of the numbers "
        "above right away, then send your message once more.",
    },
    # The database failed and the gateway tries the turn again in a moment (messaging/turns.py).
    "still_recording": {
        "id": "Mohon tunggu sebentar, pesan Anda sedang kami catat. Jika ada bahaya, jangan menunggu: segera "
        "hubungi nomor di atas.",
        "en": "Please wait a moment, we are recording your message. If anyone is in danger, do not wait: call one "
        "of the numbers above right away.",
    },
    # The second tier: only the classifier took the message for danger now.
    "check_hotlines": {
        "id": "Jika Anda atau orang lain dalam bahaya sekarang, segera hubungi:\n{hotlines}",
        "en": "If you or someone else is in danger now, call right away:\n{hotlines}",
    },
    "check_hotlines_suicide": {
        "id": "Terima kasih sudah mau bercerita. Yang Anda rasakan itu berat, dan Anda tidak harus menanggungnya "
        "sendirian. Anda bisa menghubungi layanan konseling ini, gratis dan rahasia:\n{hotlines}",
        "en": "Thank you for telling us. What you feel is heavy, and you do not have to carry it alone. You can talk "
        "to a counsellor, free and in confidence:\n{hotlines}",
    },
    "ask_danger_now_suicide": {
        "id": "Boleh kami bertanya dengan jujur: apakah Anda sedang berpikir untuk mengakhiri hidup atau menyakiti "
        "diri sendiri sekarang?",
        "en": "May we ask you honestly: are you thinking of ending your life or hurting yourself right now?",
    },
    "ask_danger_now": {
        "id": "Apakah Anda atau orang lain dalam bahaya sekarang?",
        "en": "Are you or someone else in danger right now?",
    },
    "button_danger_yes": {"id": "Ya, dalam bahaya", "en": "Yes, in danger"},
    "button_danger_no": {"id": "Tidak", "en": "No"},
    "button_danger_yes_suicide": {"id": "Ya", "en": "Yes"},
    "not_in_danger_suicide": {
        "id": "Terima kasih sudah menjawab. Anda boleh menulis di sini kapan saja jika ingin bercerita. Jika terasa "
        "makin berat, hubungi layanan konseling yang nomornya kami kirim tadi, atau tulis saja di sini.",
        "en": "Thank you for answering. You can write here any time you want to talk. If it gets heavier, call the "
        "counselling line we sent above, or just write here.",
    },
    "not_in_danger": {
        "id": "Syukurlah. Jika ada yang ingin Anda ceritakan atau laporkan, tulis saja di sini. Kami siap mendengarkan.",
        "en": "We are glad to hear that. If there is anything you want to tell us or report, just write here. We are listening.",
    },
    "not_in_danger_report": {
        "id": "Baik, terima kasih sudah menjawab. Mari kita lanjutkan mencatat laporan Anda.",
        "en": "All right, thank you for answering. Let us go on taking down your report.",
    },
    "danger_unanswered": {
        "id": "Baik. Jika Anda atau orang lain dalam bahaya, segera hubungi nomor darurat di atas. Petugas kami juga "
        "akan membaca pesan Anda.",
        "en": "All right. If you or someone else is in danger, call one of the numbers above right away. Our officers "
        "will also read your message.",
    },
    # A message that looks a little like a report: ask before opening a form.
    "ask_wants_report": {
        "id": "Apakah Anda ingin melaporkan sesuatu kepada kami?",
        "en": "Would you like to report something to us?",
    },
    "button_report_yes": {"id": "Ya, saya mau melapor", "en": "Yes, report"},
    "button_report_no": {"id": "Tidak", "en": "No"},
    "not_a_report": {
        "id": "Baik, tidak apa-apa. Layanan ini menerima laporan kekerasan, perundungan (bullying), lansia yang butuh "
        "perawatan, dan permintaan bantuan. Jika suatu saat Anda perlu, tulis saja di sini.",
        "en": "All right, no problem. This service takes reports of violence, bullying, elderly people who need care, "
        "and requests for help. Whenever you need us, just write here.",
    },
}


def tracker_language(tracker: Tracker) -> str:
    """The reply language the conversation's `language` slot asks for."""
    return "en" if tracker.get_slot("language") == "en" else "id"


def action_text(key: str, language: str, **values: object) -> str:
    return localised(TEXTS, key, language, **values)


def text_for_kind(key: str, kind: str | None) -> str:
    """The variant of a text made for this kind of danger (`emergency_hotlines_medical`), if any."""
    return f"{key}_{kind}" if kind and f"{key}_{kind}" in TEXTS else key
