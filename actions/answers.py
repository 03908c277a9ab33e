"""What a reporter's reply to one of the report flow's questions means.

Pure functions over the text, so every reading is unit-tested without Rasa. Buttons send
the plain words below as their payload (so a typed "anak" and a pressed "Anak" are the
same answer); typed replies are read by keyword, in Indonesian, English, and the common
Javanese and Sundanese words. None means the reply does not answer the question.
"""

from __future__ import annotations

import re

# A whole reply that only says "skip this question" or "stop the report".
_SKIP = re.compile(
    r"^(lewat\w*|skip\w*|lompat\w*|pass|next|lanjut|(gak|ga|nggak|tidak|tdk|ndak|ora|teu)\s+(usah|perlu|mau jawab)|"
    r"rahasia|tidak tahu|gak tahu|ga tau|gak tau|nggak tahu|ndak ngerti|i don'?t know|don'?t know|no idea)"
    r"(\s+(aja|saja|dulu|ya|yah|deh|dong|question|this|it|one))*$",
    re.IGNORECASE,
)
_CANCEL = re.compile(
    r"^(batal\w*|cancel\w*|stop|berhenti|(gak|ga|nggak|tidak|tdk|ndak|ora)\s+jadi|sudah(lah)?\s+batal|"
    r"never\s*mind|forget it|quit|keluar)(\s+(aja|saja|dulu|ya|yah|deh|laporannya|lapor|it|the report))*$",
    re.IGNORECASE,
)
_NOISE = re.compile(r"[^\w\s'+-]")


def _plain(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text or "").lower().split())


def is_skip(text: str) -> bool:
    return bool(_SKIP.match(_plain(text)))


def is_cancel(text: str) -> bool:
    return bool(_CANCEL.match(_plain(text)))


def _first(text: str, table: list[tuple[str, re.Pattern[str]]]) -> str | None:
    plain = _plain(text)
    for value, pattern in table:
        if pattern.search(plain):
            return value
    return None


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b")


VICTIMS = ("anak", "perempuan", "lansia", "disabilitas", "diri_sendiri", "lainnya")
_VICTIM_WORDS = [
    ("diri_sendiri", _words(r"diri[_ ]sendiri", r"saya sendiri", r"aku sendiri", r"gue sendiri", r"myself", r"it'?s me", r"me")),
    ("disabilitas", _words(r"disabilitas", r"difabel", r"disab\w*", r"cacat", r"tuna\w+", r"berkebutuhan khusus", r"abk")),
    ("lansia", _words(r"lansia", r"nenek", r"kakek", r"mbah", r"eyang", r"simbah", r"aki", r"nini", r"orang tua renta", r"elderly", r"grand\w*", r"old (man|woman|person)")),
    ("anak", _words(r"anak\w*", r"bocah", r"putra", r"putri", r"siswa\w*", r"murid", r"santri", r"adik\w*", r"keponakan", r"ponakan", r"bayi", r"balita", r"remaja", r"child\w*", r"kids?", r"son", r"daughter", r"student", r"boy", r"girl", r"teen\w*")),
    ("perempuan", _words(r"perempuan", r"wanita", r"istri", r"isteri", r"ibu", r"cewek", r"kakak perempuan", r"woman", r"women", r"wife", r"mother", r"mom", r"sister")),
    ("lainnya", _words(r"lain\w*", r"other\w*", r"someone else", r"orang lain", r"teman", r"tetangga", r"suami", r"bapak", r"ayah", r"friend", r"neighbou?r")),
]


def victim_from(text: str) -> str | None:
    plain = _plain(text)
    if plain.replace(" ", "_") in VICTIMS:
        return plain.replace(" ", "_")
    return _first(text, _VICTIM_WORDS)


def victim_in_story(text: str) -> str | None:
    """Who, when a first message says it plainly: a child, an elderly person, a person with
    a disability. (Other words are too often about the one who did it: "suami saya mukul".)"""
    value = _first(text, _VICTIM_WORDS[1:4])
    return value


# Is the abuse still going on, or is the person safe now? Danger now is the emergency path.
_SITUATION_WORDS = [
    ("danger", _words(r"dalam bahaya( sekarang)?", r"bahaya sekarang", r"in danger( now)?", r"danger now")),
    ("ongoing", _words(r"(belum|tidak|tdk|gak|ga|nggak|ndak|not) (aman|safe)", r"masih\w*", r"terus\w*", r"sering", r"setiap hari",
                       r"tiap hari", r"berulang\w*", r"berlangsung", r"still", r"ongoing", r"keeps?", r"every (day|night)", r"again and again")),
    ("safe", _words(r"aman\w*", r"sudah (berhenti|selesai|tidak|nggak|gak|lewat)", r"udah (berhenti|selesai|gak|nggak|aman)",
                    r"selesai", r"safe", r"over", r"stopped", r"not any ?more", r"no longer")),
]


def situation_from(text: str) -> str | None:
    return _first(text, _SITUATION_WORDS)


CONTACTS = ("chat", "telepon", "anonim")
_CONTACT_WORDS = [  # explicit answers first, then a plain yes (this chat) or no (anonymous)
    ("anonim", _words(r"anonim\w*", r"anonymous\w*", r"jangan (dihubungi|hubungi|ditelepon|telepon)", r"(tidak|gak|ga|nggak|ndak) usah( dihubungi)?",
                      r"tanpa (nama|identitas)", r"don'?t contact( me)?", r"do not contact( me)?", r"no contact")),
    ("telepon", _words(r"telepon", r"telpon", r"telfon", r"ditelepon", r"ditelpon", r"tlp", r"hp", r"nomor", r"no hp", r"phone", r"call", r"ring")),
    ("chat", _words(r"chat", r"di ?sini", r"lewat sini", r"percakapan ini", r"pesan", r"wa", r"whatsapp", r"telegram", r"here", r"this chat")),
    ("anonim", _words(r"tidak", r"tdk", r"gak", r"ga", r"nggak", r"ndak", r"ora", r"teu", r"no", r"nope")),
    ("chat", _words(r"ya", r"iya", r"boleh", r"bisa", r"silakan", r"yes", r"ok(e|ay)?", r"sure", r"nggih", r"enggeh", r"muhun", r"mangga")),
]


def contact_from(text: str) -> str | None:
    return _first(text, _CONTACT_WORDS)


_CONFIRM_WORDS = [
    ("ubah", _words(r"ubah\w*", r"salah", r"ganti", r"koreksi", r"perbaiki", r"edit", r"change", r"wrong", r"correct it", r"bukan", r"tidak", r"gak", r"no")),
    ("benar", _words(r"benar", r"bener", r"betul", r"ya", r"iya", r"yes", r"correct", r"right", r"ok(e|ay)?", r"sudah", r"udah", r"sip", r"nggih", r"leres", r"muhun", r"yup")),
]


def confirmation_from(text: str) -> str | None:
    return _first(text, _CONFIRM_WORDS)


EDITABLE = ("description", "victim", "situation", "location", "contact")
_EDIT_WORDS = [
    ("location", _words(r"lokasi\w*", r"tempat\w*", r"alamat\w*", r"daerah", r"di ?mana", r"location", r"place", r"where")),
    ("contact", _words(r"kontak", r"hubungi", r"dihubungi", r"telepon", r"nomor", r"contact", r"phone", r"number")),
    ("victim", _words(r"korban", r"siapa", r"yang mengalami", r"mengalami", r"victim", r"who")),
    ("situation", _words(r"situasi", r"keadaan", r"kondisi", r"aman", r"masih", r"situation", r"safe", r"ongoing", r"now")),
    ("description", _words(r"kejadian", r"cerita\w*", r"apa yang terjadi", r"kronologi", r"what happened", r"story", r"description")),
]


def edit_item_from(text: str) -> str | None:
    plain = _plain(text)
    if plain in EDITABLE:
        return plain
    return _first(text, _EDIT_WORDS)


# Words that say someone wants to report or ask, not what happened.
_NOT_THE_STORY = frozenset(
    "saya aku gue gw sy kami mau ingin pengen pingin lapor melapor laporan melaporkan ngadu mengadu pengaduan aduan "
    "minta mohon tolong tlg bantu bantuan butuh perlu ada kak kakak min admin pak bu bapak ibu mas mbak dong ya yg yang "
    "ini itu tentang soal masalah kasus kekerasan perundungan bullying i we want to would like report need help please "
    "a an the about some my me".split()
)


def says_enough(text: str, min_words: int = 3) -> bool:
    """Does a first message tell what happened, or only that they want to report?"""
    words = [w.lower() for w in re.findall(r"[^\W\d_]{2,}", text or "")]
    return len([w for w in words if w not in _NOT_THE_STORY]) >= min_words
