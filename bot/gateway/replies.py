"""Reporter-facing texts that the gateway itself sends (not Rasa), in Indonesian and English."""

from wiring.texts import localised

TEXTS: dict[str, dict[str, str]] = {
    "engine_down": {
        "id": "Pesan Anda sudah kami terima dan tersimpan. Sistem kami sedang mengalami gangguan, petugas kami akan menindaklanjuti secepatnya. Jika ada yang dalam bahaya saat ini, segera hubungi 112 atau 110.",
        "en": "We have received and saved your message. Our system is having a problem right now; an officer will follow up as soon as possible. If anyone is in danger right now, call 112 or 110.",
    },
    "too_long": {
        "id": "Maaf, pesan Anda terlalu panjang untuk kami proses sekaligus (lebih dari {max_chars} huruf). Pesan ini tetap kami simpan. Mohon kirim ceritanya dalam beberapa pesan yang lebih pendek.",
        "en": "Sorry, your message is too long for us to process at once (more than {max_chars} characters). We have kept it. Please send your story in a few shorter messages.",
    },
    "queued": {
        "id": "Pesan ini juga sudah kami terima dan tersimpan; kami jawab berurutan setelah pesan sebelumnya.",
        "en": "We have received and saved this message too; we will answer it after your previous one.",
    },
    "media_saved": {
        "id": "Terima kasih, kiriman Anda sudah kami simpan untuk petugas. Untuk saat ini saya baru bisa memahami "
        "pesan tulisan dan lokasi, jadi boleh ceritakan dengan tulisan apa yang terjadi?",
        "en": "Thank you, we have saved what you sent for our officers. For now I can only understand written "
        "messages and locations, so could you tell us in writing what happened?",
    },
    "not_processed": {
        "id": "Maaf, pesan Anda barusan tidak dapat kami proses karena gangguan di sistem kami. Mohon kirim ulang dengan tulisan. Jika ada yang dalam bahaya saat ini, segera hubungi 112 atau 110.",
        "en": "Sorry, we could not process the message you just sent because of a problem on our side. Please send it again in writing. If anyone is in danger right now, call 112 or 110.",
    },
    "unsupported": {
        "id": "Maaf, jenis pesan ini belum bisa kami baca. Silakan tulis pesan Anda.",
        "en": "Sorry, we cannot read this kind of message yet. Please write your message.",
    },
    "welcome": {
        "id": "Assalamu'alaikum, selamat datang di Layanan Pengaduan MPKS PP Muhammadiyah. Di sini Anda bisa bercerita tentang kekerasan, perundungan, lansia yang butuh perawatan, atau kebutuhan bantuan. Cerita Anda kami jaga kerahasiaannya. Jika ada yang dalam bahaya saat ini, segera hubungi 112 atau 110. Silakan tulis apa yang terjadi.",
        "en": "Welcome to the MPKS PP Muhammadiyah helpline. You can tell us about violence, bullying, an elderly person who needs care, or a need for help. What you tell us stays confidential. If anyone is in danger right now, call 112 or 110. Please write what happened.",
    },
    "contact_saved": {
        "id": "Terima kasih, nomor yang Anda bagikan kami simpan agar petugas bisa menghubungi Anda. Silakan lanjutkan cerita Anda.",
        "en": "Thank you, we have saved the number you shared so an officer can contact you. Please go on with your story.",
    },
    "follow_up_question": {
        "id": "Assalamu'alaikum. Laporan Anda {ticket} sudah selesai ditangani. Apakah bantuan sudah Anda terima? "
        "Jawaban Anda membantu kami memperbaiki layanan.",
        "en": "Hello. Your report {ticket} has been closed. Did you receive the help? Your answer helps us improve.",
    },
    "follow_up_received": {"id": "Sudah diterima", "en": "Yes, received"},
    "follow_up_not_received": {"id": "Belum", "en": "Not yet"},
    "follow_up_thanks_yes": {
        "id": "Terima kasih atas jawabannya. Semoga Anda dan keluarga sehat selalu. Jika butuh lagi, tulis saja di sini.",
        "en": "Thank you for answering. We wish you and your family well. If you need us again, just write here.",
    },
    "follow_up_thanks_no": {
        "id": "Terima kasih sudah memberi tahu. Koordinator kami akan menindaklanjutinya dan menghubungi Anda di sini.",
        "en": "Thank you for telling us. Our coordinator will follow it up and contact you here.",
    },
    "officer_joined": {
        "id": "Halo, saya {name}, petugas Layanan Pengaduan MPKS. Saya sudah membaca pesan Anda dan sekarang saya yang menemani Anda di sini. Silakan cerita dengan tenang; apa yang Anda sampaikan tetap kami jaga kerahasiaannya.",
        "en": "Hello, I am {name}, an officer of the MPKS helpline. I have read your messages and I am with you here now. Take your time; what you tell us stays confidential.",
    },
    "officer_left": {
        "id": "Terima kasih sudah berbicara dengan petugas kami. Mulai sekarang asisten otomatis kami kembali menemani Anda di sini. Jika ingin bicara lagi dengan petugas, tulis saja \"ingin bicara dengan petugas\".",
        "en": "Thank you for talking with our officer. Our automatic assistant is with you here again now. If you want to talk to an officer again, just write \"I want to talk to an officer\".",
    },
    "referral_accepted": {
        "id": "Kabar baik: laporan {ticket} sudah diterima oleh {facility}. Mereka akan menindaklanjutinya{contact}. Terima kasih sudah melapor.",
        "en": "Good news: report {ticket} has been accepted by {facility}. They will follow it up{contact}. Thank you for reporting.",
    },
    "referral_accepted_contact": {
        "id": " dan menghubungi Anda sesuai pilihan Anda",
        "en": " and contact you as you asked",
    },
    "slow_down": {
        "id": "Pesan Anda banyak sekali dalam waktu singkat. Semuanya sudah kami simpan dan akan kami jawab satu per satu. Jika ada yang dalam bahaya saat ini, segera hubungi 112 atau 110.",
        "en": "You have sent many messages in a short time. We have saved all of them and will answer them one by one. If anyone is in danger right now, call 112 or 110.",
    },
}


def gateway_text(key: str, language: str = "id", **values: object) -> str:
    return localised(TEXTS, key, language, **values)
