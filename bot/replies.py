"""Reporter-facing texts that the gateway itself sends (not Rasa)."""

ENGINE_DOWN = (
    "Pesan Anda sudah kami terima dan tersimpan. Sistem kami sedang mengalami gangguan, "
    "petugas kami akan menindaklanjuti secepatnya. Jika ada yang dalam bahaya saat ini, "
    "segera hubungi 112 atau 110."
)


def too_long(max_chars: int) -> str:
    return (
        f"Maaf, pesan Anda terlalu panjang untuk kami proses sekaligus (lebih dari {max_chars} huruf). "
        "Pesan ini tetap kami simpan. Mohon kirim ceritanya dalam beberapa pesan yang lebih pendek."
    )
