"""What the desk says to officers (Telegram and the web), in Indonesian (officers are MPKS staff)."""

from __future__ import annotations

from sqlalchemy import select

from referral.models import Case, Officer

CATEGORY_NAMES = {"violence": "kekerasan", "bullying": "perundungan", "elderly_care": "perawatan lansia", "aid": "bantuan"}
URGENCY_NAMES = {"emergency": "DARURAT", "high": "tinggi", "normal": "biasa"}
STATUS_NAMES = {"new": "baru", "referred": "dirujuk", "accepted": "diterima", "in_progress": "sedang ditangani", "closed": "selesai"}
EVENT_NAMES = {
    "created": "kasus dibuat", "status": "status diubah", "takeover": "diambil alih petugas", "handed_back": "dikembalikan ke bot",
    "note": "catatan", "officer_message": "pesan petugas ke pelapor", "referred": "dirujuk", "assigned": "ditugaskan",
    "follow_up_sent": "pertanyaan tindak lanjut dikirim", "follow_up_answered": "pelapor menjawab tindak lanjut",
}
VICTIM_NAMES = {"self": "pelapor sendiri", "child": "anak", "other": "orang lain", "elderly": "lansia"}
# The audit trail's actions as coordinators read them (referral/audit.py ACTIONS).
AUDIT_NAMES = {
    "view_case": "membuka kasus", "view_summary": "membaca ringkasan", "view_messages": "membaca pesan baru",
    "view_media": "membuka lampiran", "takeover": "mengambil alih", "message_sent": "mengirim pesan ke pelapor",
    "hand_back": "mengembalikan ke bot", "note": "menulis catatan", "status": "mengubah status", "assign": "menugaskan",
    "referral_accepted": "menerima rujukan", "referral_declined": "menolak rujukan", "referral_rerouted": "mengalihkan rujukan",
    "possible_emergency_checked": "mengecek tanda bahaya", "export": "mengekspor data", "facilities_import": "mengimpor direktori",
    "login": "masuk", "login_failed": "gagal masuk", "logout": "keluar", "password_set": "mengatur kata sandi",
    "login_link": "tautan kata sandi dibuat", "totp_enrolled": "mengaktifkan verifikasi dua langkah",
    "totp_reset": "verifikasi dua langkah dihapus", "conduct_accepted": "menyetujui kode etik", "conduct_edited": "mengubah kode etik",
    "view_audit": "membuka jejak audit", "view_digest": "membuka ringkasan mingguan", "view_facility": "membuka angka layanan",
    "view_facilities": "membuka direktori", "view_officers": "membuka daftar petugas",
}
ROLE_NAMES = {"officer": "petugas jaga", "coordinator": "koordinator", "admin": "admin", "facility": "kontak layanan"}

HELP_STAFF = """Perintah petugas:
/siaga: mulai siaga di luar jadwal (12 jam)
/selesai_siaga: selesai siaga
Tekan Ambil alih pada pemberitahuan untuk bicara langsung dengan pelapor; tekan Ringkasan untuk membaca ringkasannya.
Selama mengambil alih, pesan, lokasi, dan foto yang Anda kirim ke sini diteruskan ke pelapor. Balas (reply) pesan pelapor untuk memilih percakapan, atau:
/pilih TIKET: pilih percakapan tujuan pesan Anda
/pilih: daftar percakapan yang Anda pegang
/kembalikan [catatan]: serahkan kembali ke bot
/catatan TEKS: tambahkan catatan ke kasus
/status TIKET proses|selesai [catatan]: ubah status kasus (menutup dengan selesai perlu catatan)
/bantuan: pesan ini"""

HELP_FACILITY = """Perintah kontak layanan:
Tekan Terima atau Tolak pada rujukan yang masuk. Jika menolak, Anda akan diminta menulis alasannya.
/status TIKET proses|selesai [catatan]: ubah status kasus yang sudah Anda terima (menutup dengan selesai perlu catatan)
/bantuan: pesan ini"""

TEXTS = {
    "link_usage": "Kirim /daftar diikuti kode dari koordinator, misalnya: /daftar ABCD234567",
    "link_refused": "Kode tidak berlaku: salah, sudah dipakai, atau sudah kedaluwarsa. Mintalah kode baru kepada koordinator.",
    "link_too_many": "Terlalu banyak percobaan kode yang salah. Silakan coba lagi satu jam lagi.",
    "linked": "Selamat datang, {name}. Akun Telegram ini sekarang terhubung sebagai {role}.",
    "unknown_command": "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah.",
    "on_duty": "Anda sekarang siaga sampai {until} WIB. Pemberitahuan kasus di wilayah Anda akan masuk ke sini. Ketik /selesai_siaga bila selesai.",
    "off_duty": "Siaga selesai. Terima kasih. Pemberitahuan kasus tidak akan dikirim kepada Anda sampai jadwal jaga berikutnya, kecuali tidak ada petugas lain yang siaga.",
    "off_duty_until": "Siaga selesai sampai {until} WIB (akhir jadwal jaga Anda). Terima kasih.",
    "staff_only": "Perintah ini hanya untuk petugas jaga dan koordinator.",
    "outside_remit": "Maaf, percakapan atau kasus ini di luar wilayah tugas Anda.",
    "taken_by_other": "Percakapan ini sudah ditangani oleh {name}.",
    "taken_by_you": "Anda sudah memegang percakapan ini.",
    "taken": "✅ Anda sekarang berbicara langsung dengan pelapor {label}. Bot berhenti menjawab percakapan ini.\nPesan yang Anda kirim ke sini diteruskan ke pelapor. Selesai? /kembalikan [catatan]",
    "transcript_empty": "(belum ada pesan)",
    "no_conversation": "Anda belum memegang percakapan. Tekan Ambil alih pada pemberitahuan, atau /pilih TIKET.",
    "not_holding": "Anda tidak sedang memegang percakapan {label}.",
    "held_none": "Anda tidak sedang memegang percakapan apa pun.",
    "held_list": "Percakapan yang Anda pegang (yang aktif bertanda ▶):\n{lines}\nPilih dengan /pilih TIKET.",
    "chosen": "Pesan Anda berikutnya diteruskan ke pelapor {label}.",
    "handed_back": "Percakapan {label} diserahkan kembali ke bot. Terima kasih.{next}",
    "photo_not_possible": "Foto hanya bisa diteruskan ke pelapor yang memakai Telegram. Mohon tuliskan isinya.",
    "edit_not_sent": "Pesan yang diubah tidak diteruskan ke pelapor (pelapor sudah menerima versi pertama). Kirim pesan baru bila perlu.",
    "kind_not_possible": "Jenis pesan ini tidak bisa diteruskan ke pelapor. Kirim tulisan, lokasi, atau foto.",
    "note_usage": "Tulis catatannya, misalnya: /catatan Pelapor aman di rumah saudara.",
    "no_case": "Percakapan ini belum punya kasus tercatat, jadi catatan belum bisa disimpan.",
    "noted": "Catatan disimpan pada kasus {ticket}.",
    "status_usage": "Cara pakai: /status TIKET proses|selesai [catatan], misalnya /status MPKS-2026-00012 selesai bantuan sudah diterima",
    "status_unknown_case": "Kasus {ticket} tidak ditemukan di wilayah tugas Anda.",
    "status_bad_value": "Status yang bisa dipilih lewat Telegram: proses (sedang ditangani) atau selesai (ditutup). Kata in_progress dan closed juga bisa dipakai.",
    "status_not_allowed": "Status kasus {ticket} tidak bisa diubah dari {current} ke {wanted}. Yang diperbolehkan berikutnya: {allowed}.",
    "status_changed": "Status kasus {ticket} sekarang {status}.",
    "status_needs_note": "Menutup kasus tidak bisa dibatalkan: tuliskan catatan singkat alasannya, misalnya /status {ticket} selesai bantuan sudah diterima keluarga.",
    "status_held_by_other": "Kasus {ticket} belum bisa ditutup: percakapannya sedang dipegang {name}. Mintalah ia menyerahkannya kembali dulu.",
    "status_emergency_open": "Kasus {ticket} belum bisa ditutup: masih ada peringatan darurat yang belum dijawab. Ambil alih dan pastikan pelapor aman dulu.",
    "referral_gone": "Rujukan ini sudah dijawab atau bukan untuk layanan Anda.",
    "referral_accepted": "✅ Terima kasih, kasus {ticket} diterima {facility}.{told}\n\n{details}",
    "decline_reason": "Mohon tulis alasan singkat mengapa rujukan {ticket} tidak dapat diterima (atau /batal).",
    "declined_next": "Alasan dicatat. Kasus {ticket} dirujuk ke layanan lain. Terima kasih.",
    "declined_none": "Alasan dicatat. Tidak ada layanan lain yang cocok di sekitarnya; koordinator akan menanganinya."
    ,"rerouted_next": "Kasus dirujuk ke layanan berikutnya: {facility}."
    ,"rerouted_none": "Tidak ada layanan lain yang cocok di sekitarnya: mohon tangani kasus ini langsung.",
    "cancelled": "Dibatalkan.",
    "reroute_only_coordinator": "Hanya koordinator yang dapat mengalihkan rujukan.",
    "rerouted": "Rujukan kasus {ticket} dialihkan. {next}",
    "now_active": "\nPesan Anda berikutnya diteruskan ke {label}.",
    "failed": "Maaf, perintah tadi tidak dapat diproses karena kesalahan sistem; tidak ada yang berubah. Silakan coba lagi, atau hubungi koordinator.",
    "facility_nothing_pending": "Pesan ini tidak diteruskan ke siapa pun. Untuk rujukan, tekan Terima atau Tolak pada pesan rujukan. Ketik /bantuan untuk daftar perintah.",
    # while holding several conversations: the target is always chosen, never guessed
    "choose_first": "Anda sedang memegang {count} percakapan, jadi pesan ini belum diteruskan ke siapa pun. Balas (reply) pesan pelapor yang dituju, atau pilih dulu dengan /pilih TIKET (atau tombol di bawah), lalu kirim lagi:\n{lines}",
    "relayed_to": "✓ Terkirim ke pelapor {label}.",
    "taken_several": "\nAnda sekarang memegang {count} percakapan. Agar pesan sampai ke orang yang tepat, balas (reply) pesan pelapor yang dituju, atau /pilih TIKET dulu.",
    "still_several": "\nAnda masih memegang {count} percakapan: balas (reply) pesan pelapor yang dituju, atau /pilih TIKET dulu.",
    "taken_by_you_choose": "Anda sudah memegang percakapan ini. Untuk menulis ke pelapor ini, balas (reply) pesannya atau /pilih {label}.",
    # under a reporter's message relayed during a takeover: what the emergency check did
    "relay_emergency": "Nomor darurat sudah dikirim ke pelapor. Kasus darurat {ticket} tercatat, dan petugas jaga terus diberi tahu sampai Anda membalas pelapor. Mohon segera balas.",
    "relay_possible": "⚠️ Sistem membaca kemungkinan tanda bahaya pada pesan ini. Mohon tanyakan apakah pelapor atau orang lain dalam bahaya sekarang, dan berikan nomor darurat bila perlu. Petugas jaga terus diberi tahu sampai Anda membalas pelapor.",
    "relay_unchecked": "Pesan ini belum bisa diperiksa tanda bahayanya karena sistem sedang gangguan: mohon dibaca dengan saksama.",
    "relay_held_back": "Pesan ini tiba tepat saat Anda mengambil alih: jawaban bot untuknya ditahan, tidak dikirim ke pelapor.",
}


def speaker(message, officer_names: dict[int, str]) -> str:
    """Who wrote a transcript line: the reporter, an officer (by first name), or the bot."""
    if message.direction == "in":
        return "Pelapor"
    officer_id = (message.payload or {}).get("officer_id")
    return officer_names.get(officer_id, "Petugas") if officer_id else "Bot"


def officer_names(session, messages) -> dict[int, str]:
    """The first names of the officers who wrote any of `messages`, in one query."""
    ids = {(m.payload or {}).get("officer_id") for m in messages}
    ids = {i for i in ids if isinstance(i, int)}
    return {o.id: o.first_name for o in session.scalars(select(Officer).where(Officer.id.in_(ids)))} if ids else {}


def officer_text(key: str, **values: object) -> str:
    return TEXTS[key].format(**values)


def case_details(case: Case, *, for_facility: bool = False) -> list[str]:
    """What an officer (or a facility that accepted the case) reads about a case, privately."""
    lines = [
        f"Kasus {case.ticket} · {case.category} · urgensi {case.urgency} · status {STATUS_NAMES.get(case.status, case.status)}",
        f"Korban: {VICTIM_NAMES.get(case.victim or '', case.victim or '-')}",
        f"Lokasi: {case.location_text or ('titik peta' if case.latitude is not None else '-')}",
        f"Cerita: {(case.description or '-')[:1500]}",
    ]
    if case.contact_preference == "phone" and case.consent_contact and case.contact_phone:
        contact = f"boleh dihubungi lewat telepon {case.contact_phone}"
    elif case.consent_contact:
        contact = ("boleh dihubungi lewat chat Layanan Pengaduan (minta petugas MPKS menyambungkan)" if for_facility
                   else "boleh dihubungi lewat chat ini (Ambil alih)")
    else:
        contact = "tidak ingin dihubungi"
    lines.append(f"Kontak: {contact}")
    return lines
