"""What a reporter's reply to one of the report flow's questions means.

Pure functions over the text, so every reading is unit-tested without Rasa. Buttons send
the plain words below as their payload (so a typed "anak" and a pressed "Anak" are the
same answer); typed replies are read by keyword, in Indonesian, English, and the common
Javanese and Sundanese words. None means the reply does not answer the question.
"""

from __future__ import annotations

import re

SKIPPED = "(tidak disebutkan)"  # the marker for a question the reporter chose not to answer

# A whole reply that only says "skip this question".
_SKIP = re.compile(
    r"^(lewat\w*|skip\w*|lompat\w*|pass|next|lanjut|(gak|ga|nggak|tidak|tdk|ndak|ora|teu)\s+(usah|perlu|mau jawab)|"
    r"rahasia|(tidak|gak|ga|nggak|ndak) ?(tahu|tau|ngerti)|gatau|gak ngerti|ora ngerti|ora weruh|teu terang|teu nyaho|"
    r"i don'?t know|don'?t know|no idea)"
    r"(\s+(aja|saja|dulu|ya|yah|deh|dong|question|this|it|one))*$",
    re.IGNORECASE,
)
# "Stop the report": the whole reply, or a short one that says it plainly.
_CANCEL = re.compile(
    r"^(batal\w*|cancel\w*|stop|berhenti|udahan|sudahan|(gak|ga|nggak|tidak|tdk|ndak|ora)\s+jadi|sudah(lah)?\s+batal|"
    r"never\s*mind|forget it|quit|keluar)(\s+(aja|saja|dulu|ya|yah|deh|laporannya|lapor|it|the report))*$"
)
_CANCEL_PHRASE = re.compile(
    r"\b((gak|ga|nggak|tidak|tdk|ndak|ora|teu|udah gak|sudah tidak)\s+(jadi|sido|lanjut\w*)|ora sido|teu jadi|"
    r"jangan (di)?lanjut\w*|(mau|ingin) berhenti|batalkan|(don'?t|do not) (want to )?continue)\b"
)
_NOISE = re.compile(r"[^\w\s'+-]")


def _plain(text: str) -> str:
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'")  # a phone's curly apostrophe
    return " ".join(_NOISE.sub(" ", text).lower().split())


def is_skip(text: str) -> bool:
    return bool(_SKIP.match(_plain(text)))


def is_cancel(text: str) -> bool:
    plain = _plain(text)
    if len(plain.split()) > 6:  # a sentence that mentions stopping is a story, not a cancel
        return False
    return bool(_CANCEL.match(plain) or _CANCEL_PHRASE.search(plain))


def _first(text: str, table: list[tuple[str, re.Pattern[str]]]) -> str | None:
    plain = _plain(text)
    for value, pattern in table:
        if pattern.search(plain):
            return value
    return None


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b")


VICTIMS = ("anak", "perempuan", "lansia", "disabilitas", "diri_sendiri", "lainnya")
_CHILD = _words(r"anak\w*", r"bocah", r"putra", r"putri", r"siswa\w*", r"murid", r"santri", r"adik\w*", r"keponakan", r"ponakan",
                r"cucu\w*", r"bayi", r"balita", r"remaja", r"child\w*", r"kids?", r"son", r"daughter", r"student", r"boy", r"girl", r"teen\w*")
_DISABLED = _words(r"disabilitas", r"difabel", r"disab\w*", r"cacat", r"tuna\w+", r"berkebutuhan khusus", r"abk")
_ELDERLY = _words(r"lansia", r"nenek", r"kakek", r"mbah\w*", r"eyang", r"simbah", r"aki", r"nini", r"orang tua renta", r"elderly",
                  r"grand\w*", r"old (man|woman|person)")
# A disability named is what the services must know; then a child ("anak saya sendiri" is a
# child, and "me and my son" puts a child at risk).
_VICTIM_WORDS = [
    ("disabilitas", _DISABLED),
    ("anak", _CHILD),
    ("lansia", _ELDERLY),
    ("perempuan", _words(r"perempuan", r"wanita", r"istri", r"isteri", r"ibu", r"cewek", r"kakak perempuan", r"woman", r"women", r"wife",
                         r"mother", r"mom", r"sister")),
    ("diri_sendiri", _words(r"diri[_ ]sendiri", r"saya sendiri", r"aku sendiri", r"gue sendiri", r"myself", r"it'?s me", r"me")),
    ("lainnya", _words(r"lain\w*", r"other\w*", r"someone else", r"orang lain", r"teman", r"tetangga", r"suami", r"bapak", r"ayah", r"kakak",
                       r"pacar", r"ipar\w*", r"mertua\w*", r"mantu", r"menantu\w*", r"friend", r"neighbou?r", r"in-?laws?")),
]


# Family words that name an adult although they contain a child's word: a sibling-in-law
# ("adik ipar"), a child's spouse ("anak menantu"), a subordinate ("anak buah"). Read as the
# second word only, so "adik ipar" is someone else and "ibu mertua" a woman.
_ADULT_KIN = re.compile(r"\b(adik|adek|adhi|dik|dek|anak)\s+(ipar|mantu|menantu|buah)\b")


def _without_adult_kin(text: str) -> str:
    return _ADULT_KIN.sub(r"\2", _plain(text))


def victim_from(text: str) -> str | None:
    plain = _plain(text)
    if plain.replace(" ", "_") in VICTIMS:
        return plain.replace(" ", "_")
    return _first(_without_adult_kin(text), _VICTIM_WORDS)


def victim_in_story(text: str) -> str | None:
    """Who, when a first message says it plainly: a child, an elderly person, a person with
    a disability. (Other words are too often about the one who did it: "suami saya mukul".)"""
    return _first(_without_adult_kin(text), [("disabilitas", _DISABLED), ("anak", _CHILD), ("lansia", _ELDERLY)])


# Words that only say how someone is related, how old they are, which one: a reply made of a
# person and nothing but these ("anak sulung saya, 13 tahun", "adik saya masih kecil") says
# who, and nothing of danger now, however the classifier reads it.
_WHO_ONLY = _words(r"saya", r"aku", r"sy", r"gue", r"gw", r"kami", r"ku", r"dia", r"ia", r"itu", r"ini", r"yang", r"yg", r"nya",
                   r"umur\w*", r"usia\w*", r"berumur", r"tahun\w*", r"thn", r"th", r"bulan", r"\d+", r"kelas", r"sd", r"smp", r"sma",
                   r"smk", r"mts", r"tk", r"paud", r"sulung", r"bungsu", r"pertama", r"kedua", r"ketiga", r"tengah", r"kecil",
                   r"masih", r"baru", r"laki-laki", r"laki", r"cowok", r"pria", r"my", r"his", r"her", r"years?", r"old", r"aged?",
                   r"dan", r"and")
_WHO_ONLY_WORDS = 8


def only_says_who(text: str) -> bool:
    """Does a short reply only say who someone is (and how old), nothing else?"""
    plain = _without_adult_kin(text)
    if victim_from(text) is None or len(plain.split()) > _WHO_ONLY_WORDS:
        return False
    rest = plain
    for _, pattern in _VICTIM_WORDS:
        rest = pattern.sub(" ", rest)
    return not _WHO_ONLY.sub(" ", rest).split()


# Is the abuse still going on, or is the person safe now? Danger now is the emergency path.
# "Not in danger" first; then danger; ongoing before safe: when unsure, the higher urgency.
_NOT = r"(belum|tidak|tdk|gak|ga|nggak|ndak|ora|teu|mboten|durung|kurang|not|not yet|never)"
_SITUATION_WORDS = [
    ("safe", _words(_NOT + r" (dalam )?bahaya( lagi)?", r"(not|no longer) in danger")),
    ("danger", _words(r"dalam bahaya( sekarang)?", r"bahaya", r"in danger( now)?", r"danger now", r"unsafe now")),
    ("ongoing", _words(_NOT + r" (aman|safe|stopped|berhenti|selesai)", r"unsafe", r"masih\w*", r"terus\w*", r"sering", r"setiap (hari|malam)",
                       r"tiap (hari|malam)", r"berulang\w*", r"berlangsung", r"terancam", r"mengancam", r"ancam\w*", r"still", r"ongoing",
                       r"keeps?", r"threat\w*", r"every (day|night)", r"again and again", r"never stopped")),
    ("safe", _words(r"aman\w*", r"sudah (berhenti|selesai|tidak|nggak|gak|lewat)", r"udah (berhenti|selesai|gak|nggak|aman)",
                    r"selesai", r"safe", r"over", r"stopped", r"not any ?more", r"no longer")),
]


# "masih kecil" (still little) says how old, not that it is still going on.
_STILL_YOUNG = _words(r"masih (kecil|muda|bayi|balita|remaja|sekolah|sd|smp|sma|kuliah)")


def situation_from(text: str) -> str | None:
    return _first(_STILL_YOUNG.sub(" ", _plain(text)), _SITUATION_WORDS)


CONTACTS = ("chat", "telepon", "anonim")
_CHANNEL = r"(telepon|telpon|telfon|ditelepon|ditelpon|tlp|hp|nomor|phone|call|ring|chat|wa|whatsapp|pesan|sms)"
_CONTACT_WORDS = [  # a refusal first (with or without a channel), then the channel, then a plain yes
    ("anonim", _words(r"anonim\w*", r"anonymous\w*", r"(jangan|tidak|tdk|gak|ga|nggak|ndak|ora|teu|no|don'?t|do not|never)( usah| perlu| mau| bisa)?"
                      r"( di)? ?" + _CHANNEL + r"\w*", r"(jangan|don'?t|do not) (hubungi|contact)\w*", r"(tidak|gak|ga|nggak|ndak) usah( dihubungi)?",
                      r"tanpa (nama|identitas)", r"no contact", r"(gak|ga|nggak|tidak) punya (hp|telepon)", r"dipegang", r"disita", r"diperiksa")),
    ("telepon", _words(r"telepon", r"telpon", r"telfon", r"ditelepon", r"ditelpon", r"tlp", r"hp", r"nomor", r"no hp", r"phone", r"call( me)?", r"ring")),
    ("chat", _words(r"chat", r"di ?sini", r"lewat sini", r"percakapan ini", r"pesan", r"wa", r"whatsapp", r"telegram", r"here", r"this chat")),
    ("anonim", _words(r"tidak", r"tdk", r"gak", r"ga", r"nggak", r"ndak", r"ora", r"teu", r"no", r"nope", r"jangan")),
    ("chat", _words(r"ya", r"iya", r"boleh", r"bisa", r"silakan", r"yes", r"ok(e|ay)?", r"sure", r"nggih", r"enggeh", r"muhun", r"mangga")),
]


def contact_from(text: str) -> str | None:
    return _first(text, _CONTACT_WORDS)


_CONFIRM_WORDS = [
    ("benar", _words(r"(tidak|gak|ga|nggak|ndak) ada yang (salah|perlu diubah|diubah)", r"no changes?", r"nothing to change", r"that'?s right")),
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


_YES = r"(ya|yaa+|iya|iyaa+|iyah|iy|yes|yeah|yep|yup|yoi|betul|benar|bener|nggih|enggih|enggeh|inggih|injih|muhun|leres|he ?'?eh|ho ?'?oh|iyo)"
_NO = r"(tidak|tdk|gak|ga|gk|nggak|enggak|engga|ngga|ndak|nda|ora|mboten|teu|henteu|no|nope|not|bukan|belum)"
# A reply that is not sure, or that turns ("tidak, tapi adik saya ..."): never a plain no.
_DANGER_UNSURE = _words(r"(gak|ga|nggak|tidak|belum|ora|teu) ?(tahu|tau|yakin|ngerti|weruh|terang|nyaho)", r"gatau", r"entah\w*",
                        r"mungkin", r"kayaknya", r"kayanya", r"sepertinya", r"maybe", r"perhaps", r"not sure", r"unsure",
                        r"don'?t know", r"no idea")
_DANGER_TURN = _words(r"tapi", r"tp", r"tetapi", r"namun", r"cuma", r"cuman", r"hanya", r"tapine", r"ning", r"but", r"only", r"except")
# "Is anyone in danger now?": "not in danger" first, then "not safe" or a plain yes. A no, an
# "ok" or "safe" only in a short reply that does not turn; anything unsure is not an answer
# (asked once more, then an officer looks). When in doubt, yes: a false alarm costs a minute.
_NOT_SAFE = _words(_NO + r" aman", r"not safe", r"unsafe", r"bahaya\w*", r"darurat", r"danger\w*", r"tolong\w*", r"help", r"sos")
_PLAIN_YES = _words(_YES)
_NOT_IN_DANGER = _words(_NO + r" (dalam |lagi )?(bahaya|darurat)", r"(not|no longer) in danger", r"no danger", r"(sudah|udah|sdh) aman")
_PLAIN_NO = _words(_NO, r"aman\w*", r"safe", r"ok(e|ay)?", r"fine", r"baik", r"gpp", r"gapapa", r"ga ?papa", r"nggak ?papa",
                   r"tidak apa-apa", r"rapopo", r"ora popo", r"teu nanaon", r"salah( kirim| ketik)?", r"becanda", r"bercanda",
                   r"joking?")
_DANGER_SHORT = 6  # words: a longer reply is a story, read by the classifier and the net
# "Do you want to report something?": a no first ("gak mau", "salah kirim"), then a yes.
_REPORT_WORDS = [
    ("tidak", _words(_NO, r"salah (kirim|nomor|ketik|chat|orang)", r"becanda", r"bercanda", r"joking?", r"cuma (becanda|bercanda|cerita|curhat)")),
    ("ya", _words(_YES, r"ok(e|ay)?", r"boleh", r"bisa", r"silakan", r"silahkan", r"mangga", r"sure", r"mau", r"pengen", r"ingin",
                  r"lapor\w*", r"report\w*", r"ngadu", r"mengadu")),
]


# Someone else named in the reply ("my sister is", "adik saya"): not a plain no.
_DANGER_OTHER = _words(r"adik\w*", r"adek\w*", r"kakak\w*", r"anak\w*", r"ibu\w*", r"bapak\w*", r"ayah\w*", r"istri\w*", r"suami\w*",
                       r"nenek\w*", r"kakek\w*", r"teman\w*", r"temen\w*", r"tetangga\w*", r"sister", r"brother", r"mother", r"mom",
                       r"father", r"dad", r"child\w*", r"son", r"daughter", r"wife", r"husband", r"friend", r"neighbou?r")


def danger_from(text: str) -> str | None:
    """The answer to "is anyone in danger now?": "ya", "tidak" or None (not an answer)."""
    plain = _plain(text)
    if not plain or _DANGER_UNSURE.search(plain):
        return None
    turns = bool(_DANGER_TURN.search(plain)) and len(plain.split()) > 1
    if _NOT_IN_DANGER.search(plain) and not turns:
        return "tidak"  # "tidak dalam bahaya", "sudah aman"
    if _NOT_SAFE.search(plain) or turns or _DANGER_OTHER.search(plain):
        return "ya"  # "gak aman", "tolong"; "iya tapi dia sudah pergi"; "my sister is": when in doubt, yes
    if _PLAIN_NO.search(plain) and len(plain.split()) <= _DANGER_SHORT:
        return "tidak"
    return "ya" if _PLAIN_YES.search(plain) else None


def wants_report_from(text: str) -> str | None:
    """The answer to "do you want to report something?": "ya", "tidak" or None."""
    return _first(text, _REPORT_WORDS)


# Words that say someone wants to report or ask, not what happened.
_NOT_THE_STORY = frozenset(
    "saya aku gue gw sy kami mau ingin pengen pingin lapor melapor laporan melaporkan ngadu mengadu pengaduan aduan "
    "minta mohon tolong tlg bantu bantuan butuh perlu ada kak kakak min admin pak bu bapak ibu mas mbak dong ya yg yang "
    "ini itu tentang soal masalah kasus kekerasan perundungan bullying i we want to would like report need help please "
    "a an the about some my me abdi bade hoyong ngalaporkeun lapor kula badhe ajeng nyuwun tulung aku arep pengin".split()
)


def says_enough(text: str, min_words: int = 3) -> bool:
    """Does a first message tell what happened, or only that they want to report?"""
    words = [w.lower() for w in re.findall(r"[^\W\d_]{2,}", text or "")]
    return len([w for w in words if w not in _NOT_THE_STORY]) >= min_words


# -- a message told while a report is taken: more of this story, or a report of its own?
_HARM = frozenset({"violence", "bullying"})  # the classifier mixes these two up; one story can be both
# "One more thing", in the first words of a message.
_ANOTHER_MATTER = _words(r"satu lagi", r"ada lagi", r"selain itu", r"hal lain", r"masalah lain", r"laporan lain",
                         r"(mau |ingin )?lapor(an)? lagi", r"siji (maneh|meneh|engkas)", r"ana (maneh|meneh)", r"hiji deui",
                         r"aya deui", r"one more thing", r"another (thing|report|matter|problem)", r"something else")
_OPENING_WORDS = 6


def another_report(category: str | None, victim: str | None, told_category: str | None, text: str) -> bool:
    """Does a message told during a report of `category` (about `victim`) report something
    else: another category (`told_category`, what the classifier read), another person
    named plainly (a child, an elderly person, someone with a disability, when the report is
    about someone else), or "one more thing" in its first words?"""
    if told_category is None:
        return False
    if category and told_category != category and not {category, told_category} <= _HARM:
        return True
    named = victim_in_story(text)
    if named and victim in VICTIMS and named != victim:
        return True
    opening = " ".join(_plain(text).split()[:_OPENING_WORDS])
    return bool(_ANOTHER_MATTER.search(opening))
