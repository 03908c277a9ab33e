"""The danger reader: is someone in danger now, read from parts that recur in every language.

The safety net's rules (emergency_patterns.yml) are reviewed phrases; this reader composes
instead, so that a way of telling danger nobody wrote a rule for is still read:

- a **harm** (violence, a weapon, a threat to kill, captivity, a missing or taken person, a
  medical collapse, a wish to die),
- a **time** that is now or imminent, where the latest time word in a sentence wins
  ("kemarin dipukul, sekarang dia datang lagi" is now; "tadi dipukul, sekarang aku di rumah
  ibu" is safe),
- and **who** (for a wish to die: the writer, or someone present and acting now).

Long messages are read sentence by sentence, so danger at the end of a story counts and the
past at its start does not; a later sentence saying the danger is over cancels it. News,
fiction, games, jokes and advice ("jangan bunuh diri") are read as distance, not danger.
Javanese, Sundanese and Betawi words are first turned into Indonesian ones
(regional_lexicon.yml). Pure Python (standard library and PyYAML): it runs in the engine env
inside the safety net and in the app env during a takeover.

Levels: ``now`` (the full emergency path), ``ideation`` (a first-person wish to die with no
time, method, means or goodbye: the hotlines and the question "are you safe now?"),
``none``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_LEXICON = Path(__file__).resolve().parent / "regional_lexicon.yml"

NOW, IDEATION, NONE = "now", "ideation", "none"
KINDS = ("medical", "suicide", "violence", "captivity", "missing", "fire")  # the parse's `kind` values


def _words(*alternatives: str) -> re.Pattern:
    # A noun may carry -nya, -ku or -mu ("pisaunya", "anakku").
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")(?:nya|ku|mu)?\b")


# --- time -------------------------------------------------------------------------------
# "sedang" / "lagi" + an act: going on now (not a state: "sedang hamil", "lagi tidur", "lagi kerja").
_ONGOING = (r"(?:sedang|lagi|lg|keur)\s+(?!hamil|sakit|tidur|kerja|bekerja|damel|sekolah|kuliah|sibuk|libur\w*|mudik|pergi"
            r"|di luar|keluar kota|merantau|makan|mandi|masak|belajar|main|nonton|marah\b)\w+")
NOW_WORDS = _words(
    r"sekarang", r"saat ini", _ONGOING, r"barusan",
    r"baru saja", r"detik ini", r"malam ini", r"nanti malam", r"sebentar lagi", r"habis ini", r"abis ini",
    r"hari ini", r"masih (?:di (?:sana|sini|dalam|dalem|luar|depan|situ|belakang)|ngamuk|mengamuk|mukul\w*|nungg\w*|ngikut\w*|kejang|pingsan|belum|bawa|pegang)",
    # blows still landing (not "masih disiksa batinnya": abuse that goes on is a report)
    r"masih (?:di|me|mem|men|meng|nge|ng|ny)?(?:pukul|mukul|hajar|tendang|nendang|injak|injek|cekik|nyekik|gebuk|gebug|keroyok|tampar|nampar|jambak|seret|nyeret)\w*",
    r"di depan (?:pagar|gerbang|kos|kamar|kamar kos)", r"outside (?:my|the|our) (?:apartment|house|room|flat|window)",
    r"(?:ngetik|mengetik|nulis|chat|sms)\w* (?:\w+ )?(?:diam-diam|diem-diem|sembunyi-sembunyi)",
    r"dari tadi", r"sejak tadi", r"di depan pintu", r"depan pintu", r"di luar pintu",
    r"di depan rumah", r"di luar rumah", r"sembunyi\w*", r"bersembunyi", r"(?:aku|saya|kami|gw) (?:\w+ )?(?:mengunci|ngunci) (?:kamar|pintu|diri)",
    r"hiding (?:in|under|inside|from|behind)", r"di tangan\w*", r"sudah siap",
    r"tolong (?:aku|saya|kami|gue|gw|kita)", r"cepat (?:datang|tolong|ke sini)",
    r"now", r"right now", r"tonight", r"currently", r"at the door", r"outside (?:my|the|our) door",
    r"in (?:his|her|my|their) hands?", r"help me", r"help us",
    r"(?:is|are|'s|'re) (?:\w+ )?(?:beating|hitting|kicking|choking|strangling|attacking|stabbing|punching|slapping|dragging"
    r"|hurting|raping|chasing|following|threatening|banging|pounding)",
)
# "dulu" is also "first": at a clause's end, or before a particle or a preposition ("mau ngomong
# dulu", "nulis surat dulu buat ibu"); only otherwise is it the past ("dulu dia sering mukul").
_DULU = (r"(?<!kayak )(?<!kyk )(?<!kaya )(?<!seperti )dulu"
         r"(?!\s*(?:$|,|(?:ya|yah|aja|saja|deh|dong|sebentar|sebelum|buat|untuk|ke|sama|baru)\b))")
PAST_WORDS = _words(
    r"(?<!sejak )(?<!dari )(?<!dr )kemarin", _DULU, r"dahulu", r"pernah", r"waktu kecil",
    r"waktu (?:kami |aku |saya |masih )?(?:kecil|sd|smp|sma|mos|kuliah)", r"(?<!sejak )(?:\d+ |se|dua |tiga )?(?:minggu|bulan|tahun|taun|thn|th|bln|mgg|hari|sasi|sasih|wulan|poe|dinten)(?: yang)? lalu", r"waktu itu", r"waktu (?:sd|smp|sma)",
    r"(?<!dari )(?<!sejak )(?<!dr )tadi (?:pagi|siang|sore|subuh|malam)", r"(?<!dari )(?<!sejak )semalam", r"this morning", r"earlier today", r"last night", r"sudah lama", r"tahun(?:-tahun)? yang lalu",
    r"yesterday", r"last (?:week|month|year|night)", r"years ago", r"(?:weeks|months|years|days) ago", r"used to", r"when i was",
    r"pasca", r"sudah \d+ (?:tahun|taun|bulan|bln)", r"sejak (?:\d+ )?(?:tahun|bulan) lalu",
)
HABIT_WORDS = _words(
    r"sering", r"setiap", r"tiap", r"selalu", r"kerap", r"berkali-kali", r"kadang(?:-kadang)?", r"suka",
    r"often", r"always", r"every", r"sometimes", r"bertahun-tahun", r"beberapa kali", r"sok (?:di|nga|ng|ny|m)\w+",
    r"when (?:he|she|they) (?:drinks|gets|is drunk)",
    r"(?:kalau|kalo|klo|nek|upami|lamun|whenever) (?:\w+ ){0,2}(?:bandel|nakal|salah|telat|marah|mabuk|kambuh|ketahuan|ngelawan|melawan|membantah)\w*",
    r"when (?:he|she|they)\w* (?:is|are|gets?) ",
)
SAFE_WORDS = _words(
    r"(?:is|are|am|'s|'m) (?:now )?(?:staying|safe|living|at (?:our|my|her|his|their) (?:place|house|home))",
    # (not "sekarang belum pulang": no negation before the safe word)
    r"(?:sekarang|kini) (?!(?:\w+ ){0,3}?(?:belum|tidak|nggak|bukan) )(?:\w+ ){0,3}(?:sudah |masih )?(?:di rumah \w+|di kampung|tinggal (?:di|sama|bersama|dengan)|pisah|cerai|baik|baikan|sembuh|stabil|pulang|dilepas|dijemput|berhenti|aman|trauma|takut (?:pulang|sekolah))",
    r"sudah (?:sembuh|mari|cageur|stabil|pulang|dipulangkan|cerai|pisah|berhenti|dihukum|meninggal|tilar donya|baikan|dijemput|dilepas)",
    # the attacker is away: "sekarang dia kerja di luar kota", "sekarang bapak sudah tidur"
    r"(?:sekarang|kini) (?:dia|bapak|ayah|suami\w*|pacar\w*|pasangan\w*|pelaku\w*|mantan\w*) (?:\w+ )?(?:sudah |sedang |lagi )?(?:kerja|pergi|tidur|di luar kota|merantau|ke kantor|di kantor|dipenjara)",
    r"sudah aman", r"sekarang (?:\w+ ){0,2}(?:sudah )?(?:aman|di rumah (?:ibu|orang tua|saudara|nenek|teman)|mengungsi|ngungsi)",
    r"sudah (?:pergi|tidur|ditangkap|diamankan|dibawa polisi|di rumah sakit|ditangani|sadar lagi|sembuh|membaik)",
    r"(?:i am|i'm|we are|we're) safe", r"(?:sudah |sedang )?(?:di penjara|dipenjara|ditahan polisi)",
    r"(?:sekarang|kini) (?:(?:sudah|udah|lebih|jauh) )*(?:bahagia|senang)", r"safe now", r"sudah selamat", r"alhamdulillah (?:\w+ ){0,3}(?:selamat|aman|sadar)",
)
# News, fiction, games, jokes, advice and questions: words about danger, not danger.
DISTANCE_WORDS = _words(
    r"berita", r"news", r"film", r"movie", r"sinetron", r"drakor", r"novel", r"cerpen", r"lagu", r"song", r"game",
    r"gim", r"anime", r"komik", r"(?:video|postingan|konten)\w* (?:\w+ ){0,2}viral", r"(?:lagi|yang) viral", r"viral (?:di|video)", r"artikel", r"ketawa", r"tertawa", r"ngakak", r"wkwk\w*", r"haha\w*",
    r"hehe\w*", r"lol", r"lmao", r"gabut", r"lucu", r"gemes",
    r"jangan bunuh diri", r"jangan (?:mati|menyerah|nyerah)", r"cara mencegah", r"pencegahan",
    r"(?:kalau|jika|kalo|bila|nek) ada (?:\w+ ){0,2}(?:yang |yg )?(?:mau|ingin|pengen|kepikiran|dikurung|dipukul|disiksa|dianiaya|bunuh|kdrt|jadi korban)", r"(?:nyembelih|menyembelih|sembelih\w*|kurban|qurban)",
    r"bagaimana (?:cara|kalau|jika)", r"gimana (?:cara|kalau|kalo)",
    r"apa yang harus", r"seminar", r"materi", r"bom bunuh diri", r"pelaku bom", r"bomber",
    r"(?:loncat|lompat) (?:tali|jauh|tinggi)", r"mati lampu", r"apa sih", r"apa ya", r"bedanya", r"penasaran", r"buat tugas",
    r"makalah", r"tugas sekolah", r"kalau misalnya", r"kalo misalnya", r"suatu saat", r"boleh (?:langsung )?lapor",
    r"gak sih", r"ga sih", r"bener (?:gk|gak|ga|nggak)", r"wajar (?:gak|ga|gk)", r"bikin (?:\w+ )?(?:mau|ingin) mati",
    r"kata siapa", r"bunuh diri itu", r"hukum\w* bunuh diri", r"dosa\w* bunuh diri", r"angka bunuh diri", r"harga", r"pertolongan pertama", r"(?:what|why|how) (?:are|is|to)\b", r"(?:what|why|how) do (?:you|they|people)", r"mati listrik",
    r"petak umpet",
)

# --- harms --------------------------------------------------------------------------------
ATTACK = re.compile(
    r"\b(?:di|me|mem|men|meng|menge|nge|ng|nga|ke)?(?:pukul|mukul|hajar|tendang|nendang|tampar|nampar|cekik|nyekik"
    r"|bacok|tusuk|nusuk|siksa|nyiksa|aniaya|amuk|ngamuk|perkosa|serang|nyerang|banting|jambak|injak|keroyok|ngeroyok"
    r"|gampar|hantam|gebuk|gebug|seret|nyeret|gedor|dobrak|injek|nginjek|tembak|nembak)\w*\b(?!\s*\d)(?<!serangan)"
    r"|\b(?:beat(?:s|ing|en)?|hit(?:s|ting)?|punch\w*|kick(?:s|ed|ing)?|chok(?:e|es|ed|ing)|strangl\w*|stab(?:s|bed|bing)?"
    r"|slap(?:s|ped|ping)?|attack(?:s|ed|ing)?|rap(?:e|es|ed|ing)|drag(?:s|ged|ging)|pound(?:s|ed|ing)|bang(?:s|ed|ing))\b"
)
WEAPON = _words(
    r"pisau", r"golok", r"parang", r"celurit", r"sabit", r"sajam", r"senjata(?: tajam)?", r"pistol", r"senapan",
    r"pedang", r"samurai", r"katana", r"kapak", r"linggis", r"gunting", r"cutter", r"pecahan (?:kaca|botol)",
    r"bensin", r"botol pecah", r"obeng", r"belati", r"keris", r"tombak", r"palu", r"martil", r"pentungan", r"balok",
    r"knife", r"gun", r"machete", r"sword", r"axe", r"blade",
)
HOLDING = _words(
    r"bawa", r"membawa", r"pegang", r"megang", r"memegang", r"ngacung\w*", r"mengacung\w*", r"nodong\w*",
    r"menodong\w*", r"ditodong\w*", r"di tangan\w*", r"pakai", r"pake", r"ngejar", r"mengejar",
    r"holding", r"with an?", r"waving", r"has an?",
)
NOT_HOLDING = re.compile(r"\b(?:tidak|belum|untung|not|without)\s+(?:\w+\s+)?(?:pegang|megang|bawa|membawa|holding|carrying|have)\b")
THREAT = re.compile(
    r"\b(?:mau|akan|bakal|ancam|mengancam|diancam|ngancam|will|going to|gonna|threaten\w*)\s+(?:\w+\s+){0,2}"
    r"(?:bunuh|membunuh|dibunuh|habisi|menghabisi|dihabisi|matiin|bacok|dibacok|tusuk|bakar|dibakar|siram|kill|stab|burn|shoot)\b"
    r"|\b(?:mau|akan|bakal|besok|nanti)\s+(?:\w+\s+){0,3}(?:dibuang ke laut|dibunuh|dihabisi|dibakar hidup)\b"
)
CAPTIVE = re.compile("|".join([
    r"\b(?:dikunci(?:in|kan)?|dikurung(?:in)?|terkunci|disekap|disandera) (?:\w+ ){0,3}(?:di|dalam|dalem|sama|oleh|in)\b",
    r"\b(?:aku|saya|kami|anak\w*|adik\w*|adek\w*|istri\w*|dia|ibu\w*|cucu\w*|keponakan\w*) (?:\w+ ){0,3}(?:dikunci(?:in|kan)?|dikurung(?:in)?|disekap|terkunci|disandera)\b",
    r"\b(?:nyekap|menyekap|diikat|dirantai|dipasung|dibekap|dibekep|disumpal)\b",
    r"\b(?:ngunci|mengunci|ngurung|mengurung|nguncinin|ngonciin)\w* (?:aku|saya|kami|anak\w*|adik\w*|istri\w*|dia|kita|pintu\w*) (?:\w+ ){0,3}(?:di|dalam|dalem|dari)\b",
    r"\b(?:dia|mereka|majikan\w*|suami\w*|pacar\w*|bapak\w*|ayah\w*|bos\w*) (?:\w+ )?(?:ngunci|mengunci)\w* (?:pintu|kamar)\b",
    r"\b(?:mau|akan|sedang|lagi|hampir) (?:\w+ )?diculik\b", r"\b(?:ditarik|diseret|digeret) (?:\w+ ){0,2}(?:ke|masuk|di) (?:dalam )?(?:mobil|motor|angkot|van)\b",
    r"\b(?:tidak boleh|tidak bisa|tidak dibolehin) (?:keluar|pulang)\b", r"\b(?:dibawa|ditarik) paksa\b", r"\bdiseret\b",
    r"\b(?:locked (?:in|up)|held captive|won't let (?:me|us|her|him) (?:out|leave))\b",
]))
# Taken away soon: needs a time (tonight, tomorrow, now).
TAKEN_SOON = _words(
    r"dinikahkan", r"dinikahin", r"dikawinkan", r"nikah paksa", r"kawin paksa", r"dijual", r"mau dibawa",
    r"akan dibawa", r"dibawa ke", r"dipindah\w* (?:ke )?(?:kapal|luar negeri|penampungan|perbatasan)", r"diangkut", r"naik kapal", r"diberangkatkan",
    r"married off", r"forced to marry", r"trafficked", r"sold", r"moved", r"akad\w*", r"kapal\w* (?:\w+ )?berangkat", r"boat leaves",
    r"dijemput (?:\w+ ){0,3}(?:buat|untuk) (?:dinikah\w*|dikawin\w*)", r"dijodohkan paksa", r"dijodohin paksa",
)
# A wedding or a school move asked about for aid is not someone taken away.
AID_WORDS = _words(r"biaya", r"dana", r"bantuan", r"tagihan", r"bayar", r"membayar", r"walimah", r"resepsi", r"undangan", r"seserahan", r"sekolah baru", r"pindah sekolah")
SOON = _words(r"abis (?:magrib|maghrib|isya|subuh)", r"habis (?:magrib|maghrib|isya|subuh)", r"jam \d+(?: malam| pagi)?", r"midnight", r"tengah malam", r"malam ini", r"nanti malam", r"besok", r"sekarang", r"sebentar lagi", r"tonight", r"tomorrow", r"now", r"hari ini")
MISSING = _words(
    r"hilang", r"diculik", r"dibawa kabur", r"dibawa lari", r"dibawa orang", r"belum pulang", r"tidak pulang",
    r"belum ketemu", r"tidak ketemu", r"tidak ada kabar", r"tersesat", r"missing", r"kidnapped", r"abducted",
)
MISSING_SINCE = _words(
    r"dari tadi", r"(?:sejak|dari) (?:tadi|pagi|siang|sore|subuh|kemarin|semalam|magrib|maghrib|ashar|asar|isya|bakda \w+)", r"sampai sekarang", r"belum pulang",
    r"hari ini", r"malam ini", r"barusan", r"sudah \w+ jam", r"\d+ jam", r"since (?:this )?(?:morning|noon|afternoon|yesterday)",
    r"hours", r"sekarang",
)
PERSON = _words(
    r"anak", r"adik", r"adek", r"bayi", r"balita", r"bocah", r"cucu", r"keponakan", r"putri", r"putra", r"santri\w*",
    r"murid", r"siswa\w*", r"ibu", r"bapak", r"ayah", r"nenek", r"kakek", r"istri", r"suami", r"kakak", r"orang",
    r"umur \d+", r"gadis", r"cewek", r"cowok",
    r"child", r"son", r"daughter", r"kid", r"baby", r"brother", r"sister", r"mother", r"father", r"grandma", r"grandpa",
    r"\d+ ?(?:year|yr)s?[- ]old", r"teen\w*", r"niece", r"nephew", r"grand(?:son|daughter|dad|mother|father|ad)", r"mum", r"mom", r"dad",
    r"wife", r"husband", r"girl", r"boy",
)
# Gone without a time word: someone who left or was taken, with a sign that something is wrong
# (cannot be reached, searched for and not found, with a stranger met online, confused by dementia).
# Not come back (a person who is just out is not missing).
NOT_BACK = _words(
    r"tidak pulang\w*", r"belum pulang", r"tidak (?:balik|kembali)\w*", r"belum (?:balik|kembali|sampai)", r"tidak sampai",
    r"hilang", r"menghilang", r"kabur", r"wandered", r"ran (?:off|away)", r"never (?:made it|came) (?:home|back)",
    r"never came back", r"(?:didn'?t|did not|hasn'?t|has not) (?:come (?:home|back)|arrived)", r"never arrived", r"not (?:home|back) yet",
)
GONE = _words(
    r"pergi", r"kabur", r"ikut", r"dibawa\w*", r"diajak", r"diambil", r"dijemput", r"tidak pulang\w*", r"belum pulang", r"ketemuan",
    r"(?:was|is) (?:out )?with",
    r"tidak (?:balik|kembali)\w*", r"hilang", r"menghilang", r"keluar (?:dari )?rumah", r"left", r"ran (?:off|away)", r"went",
    r"took", r"taken", r"wandered", r"walked out", r"never (?:made it|came) (?:home|back)", r"never came back",
    r"(?:didn'?t|did not|hasn'?t|has not) come (?:home|back)",
)
UNREACHABLE = _words(
    r"tidak bisa dihubungi", r"(?:hp|handphone|wa|whatsapp|nomor)\w* (?:\w+ )?(?:mati|tidak aktif|centang satu)", r"centang satu",
    r"(?:isn'?t|is not|not) answering", r"(?:straight )?to voicemail", r"phone (?:is )?(?:off|dead)", r"can'?t reach (?:her|him|them)",
)
SEARCHED = _words(
    r"sudah dicari\w*", r"dicari (?:\w+ ){0,2}(?:keliling|ke mana-mana|kemana-mana)", r"(?:tidak|belum) ketemu\w*",
    r"(?:nobody|no one) (?:has )?seen", r"can'?t find (?:her|him|them)\b(?! (?:number|phone|address|contact|bag|keys))",
    r"hasn'?t been (?:found|seen)",
)
# Signs that need a person not come back beside them ("nggak tahu ke mana" of someone just out is not).
WORRY = _words(
    r"semua (?:\w+ ){0,2}sudah pulang", r"(?:tidak|nggak) (?:ada yang )?tahu (?:\w+ )?(?:di ?mana|ke ?mana|dibawa)",
    r"getting dark", r"(?:nobody|no one) knows", r"(?:don'?t|do not) know (?:who|where)", r"sampai sekarang",
    r"khawatir", r"panik", r"worried", r"dari (?:kemarin|semalam|tadi)",
)
_UNKNOWN_PERSON = r"(?:orang (?:asing|(?:yang )?(?:tidak|tak) dikenal)|stranger|(?:pacar|teman|temen|cowok|cewek|kenalan) online)"
STRANGER = _words(
    # with someone unknown, or taken by anyone ("diajak orang asing", "diambil orang yang ngaku saudara")
    r"(?:sama|dengan|bersama|oleh|ama|with|by) (?:\w+ )?" + _UNKNOWN_PERSON,
    r"(?:diajak|dibawa|diambil|dijemput|took|taken by) (?:\w+ )?(?:orang (?:yang |yg )?(?:ngaku|mengaku)\w*|seseorang|someone|a man|a woman|" + _UNKNOWN_PERSON + ")",
    r"(?:kenal|dikenal|kenalan|ketemu)\w* (?:\w+ ){0,2}(?:di|dari|lewat|via) (?:facebook|fb|ig|instagram|tiktok|game|medsos|media sosial|internet|online|discord|michat|twitter)",
    r"(?:pacar|teman|temen|cowok|cewek|kenalan) online", r"(?:met|meet|chatting with|talking to) (?:\w+ ){0,3}(?:online|on (?:facebook|instagram|discord|tiktok|snapchat|roblox))",
    r"from (?:instagram|facebook|discord|tiktok|snapchat|roblox|a game|the internet|online)",
)
# Told where they are: late, not missing ("katanya lagi di rumah temannya", "sudah telepon").
TOLD_WHERE = _words(
    r"(?:katanya|bilangnya|nyarios|pamit\w*|said|says) (?:\w+ ){0,3}(?:di|ke|at) (?:rumah|bumi|tempat|kos|house|place)",
    # a call that says where ("sudah nelpon, nginep di rumah bibi"; not "sudah telepon polisi")
    r"(?:telepon|telpon|nelpon|ngabarin|mengabari|called|texted)\w* (?:\w+ ){0,3}(?:nginep|menginap|di rumah|di tempat|at (?:a |her |his )?(?:friend|house|place))",
)
CONTRADICTED = _words(r"tapi", r"tetapi", r"namun", r"ternyata", r"but")  # "katanya ke rumah temen, tapi temennya bilang gak ada"
# Said where, and then not there: "temennya bilang gak ada", "not there".
DENIED = _words(r"(?:tidak|nggak) ada", r"(?:tidak|nggak) (?:ke|di) sana", r"not there", r"never (?:came|went|arrived)", r"(?:tidak|nggak) tahu")
LOST_CHILD = re.compile(r"\blost my (?:son|daughter|kid|child|baby|boy|girl|little \w+) (?:at|in|near) (?:the |a )?"
                        r"(?:mall|market|park|station|crowd|supermarket|beach|airport|fair|festival|store|shop|playground|pool)\b")
# A thing lost, not a person: "hp saya hilang", "dompetnya ilang".
OBJECT_MISSING = re.compile(
    r"\b(?:hp|handphone|dompet|motor|sepeda|kunci|uang|duit|kucing|tas|sandal|sepatu|barang|data|sinyal|file|foto|ingatan"
    r"|semangat|nafsu makan|kabar|paket|ktp|sim|stnk|mainan|boneka|buku|laptop|charger|chat|pesan|surat|kiriman)\w*\s+(?:\w+\s+){0,2}(?:hilang|dicuri|tersesat)\b"
    r"|\bkehilangan (?:hp|handphone|dompet|motor|uang|barang|kunci|tas)\b"
)
MEDICAL_STRONG = _words(
    r"pingsan", r"tidak sadarkan diri", r"(?:sudah|masih|dari tadi|sejak \w+) tidak sadar", r"tidak sadar (?:dari|sejak)",
    r"tidak bangun(?:-bangun)? (?:lagi|dari tadi|sejak)", r"tidak bernapas", r"serangan jantung",
    r"tidak bernafas", r"tidak napas", r"tidak bergerak", r"tidak merespon\w*", r"tidak respon\w*",
    r"napas\w* (?:ngorok|tersengal\w*|megap\w*|satu-satu|berat|pendek|berhenti)", r"megap-megap",
    r"(?:tiba-tiba|mendadak|barusan|sekarang|mulai) (?:\w+ ){0,2}(?:sesak|susah) (?:napas|nafas|bernapas)", r"kejang\w*", r"(?:tiba-tiba|mendadak|barusan) (?:\w+ ){0,2}stroke",
    r"napas\w* (?:pelan|lemah|bunyi)", r"(?:keselek|tersedak)\w* (?:\w+ ){0,4}(?:tidak bisa|napas|biru|bunyi|leher)", r"darah\w* (?:\w+ )?(?:tidak|tak) berhenti\w*", r"(?:bayi|anak)\w* (?:\w+ ){0,3}(?:biru|lemas|lemes)",
    r"(?:minum|nelen|menelan|telan)\w* (?:\w+ ){0,2}(?:baygon|racun|obat nyamuk|pemutih|bayclin|pestisida|oplosan|baterai)",
    r"tidak bisa (?:dibangunin|dibangunkan)", r"(?:tiba-tiba|mendadak) (?:\w+ )?tidak bisa (?:ngomong|bicara)",
    r"(?:nyeri|sakit) (?:\w+ ){0,2}dada\w* (?:\w+ ){0,6}(?:keringat|keringetan|sesak|menjalar|nyebar|lengan|pucat|pucet)",
    r"dada\w* (?:\w+ ){0,3}(?:nyeri|sakit|ditindih|panas) (?:\w+ ){0,6}(?:keringat|keringetan|sesak|menjalar|nyebar|lengan|pucat|pucet)",
    r"mulut\w* (?:mencong|perot|miring)", r"bicara\w* pelo", r"lumpuh sebelah", r"nyeri dada", r"dada\w* (?:sakit|nyeri)",
    r"(?:anak|adik|adek|bayi|balita|orang|dia|teman|temen|bocah|cucu|keponakan)\w* (?:\w+ ){0,3}tenggelam", r"tenggelam di",
    r"keracunan", r"overdosis", r"overdose", r"muntah darah", r"pendarahan",
    r"perdarahan", r"darah\w* (?:tidak|tak) berhenti", r"(?:bibir|wajah|muka|kuku|badan)\w* (?:\w+ )?(?:biru|membiru|kebiruan)",
    r"(?:pegang\w*|megang\w*|nyekel) dada\w*", r"keringat dingin", r"keringetan dingin", r"kesemutan", r"(?:setengah|sebelah) badan\w*",
    r"tidak bersuara lagi", r"darah\w* (?:banyak|ngucur|muncrat|terus)", r"(?:anak|adek|adik|bayi)\w* (?:\w+ )?step\b", r"dipatok ular",
    # not conscious, not answering, not moving, not breathing: told as a state, not "I didn't realise"
    # ("tidak sadar kalau…" is "did not realise"; "tidak sadar diri", shameless)
    r"tidak sadar(?:kan diri)?(?=\s*(?:,|$|dan\b|terus\b))", r"tidak sadar(?:kan diri)? (?:dari|sejak) (?:tadi|pagi|siang|sore|malam|subuh|semalam|\d)",
    r"dipanggil\w* (?:\w+ ){0,2}tidak (?:menyahut|nyahut|respon\w*|merespon\w*|bangun|bergerak|gerak)",
    r"(?:anak|adik|adek|bayi|balita|bocah|cucu|keponakan|ibu|bapak|ayah|nenek|kakek|istri|suami|kakak|orang|dia|badan|tubuh|teman|temen|tetangga)\w*"
    r"(?:\W+\w+){0,6}?\W+tidak (?:gerak|bergerak)\b", r"tidak bisa (?:bernapas|napas|nafas|bernafas)",
    r"tersengat listrik", r"(?:penuh|berlumuran|bersimbah) darah", r"(?:mulut|bibir)\w* (?:\w+ )?(?:berbusa|keluar busa)",
    r"(?:minum|nelen|menelan|telan|makan|menenggak|nenggak)\w* (?:\w+ ){0,2}(?:kapur barus|cairan pembersih|pembersih lantai|porstex|soklin|minyak tanah|racun tikus|obat tikus)",
    r"(?:anak|adik|adek|bayi|balita|orang|dia|teman|temen|bocah|cucu|keponakan|nenek|kakek)\w* (?:\w+ ){0,3}(?:hanyut|terseret arus|terbawa arus|terbawa hanyut)",
    r"(?:face|mouth)\w* (?:is |are )?(?:drooping|droops|droopy)", r"slurr\w*", r"(?:stopped|not|isn't|is not) breathing",
    r"bleeding", r"cutting", r"unconscious", r"not breathing", r"can't breathe", r"collapsed", r"seizure", r"choking", r"drown\w*",
    r"poisoned", r"fainted", r"passed out", r"unresponsive", r"not responding", r"won't wake up",
)
# (Bounded gaps, not ".*": a message of repeated words must not take quadratic time.)
_GAP = r"(?:\W+\w+){0,12}?\W+"
MEDICAL_FALLEN = re.compile(r"\b(?:jatuh|terjatuh|fell|fallen)" + _GAP + r"(?:tidak bisa (?:bangun|digerakkan|berdiri|gerak|bergerak)|tidak bangun"
                            r"|tidak bergerak|tidak sadar|can't get up|cannot get up|can not get up|unable to get up|couldn't get up)\b")
# Someone lying on the floor with a sign of collapse beside it.
MEDICAL_LYING = re.compile(r"\b(?:tergeletak|terkapar|ambruk|roboh|tumbang|kolaps|collapsed|lying)" + _GAP
                           + r"(?:tidak (?:bergerak|gerak|sadar|menyahut|nyahut|merespon\w*|respon\w*|bicara|bangun|bisa bangun)|unresponsive|not moving)\b")
# A stroke told by its signs: face, arm or one side, speech. Two signs; or one that is not just
# a tired arm (the face, the speech, one side of the body) and came suddenly.
STROKE_FACE = re.compile(r"\b(?:mulut|bibir|wajah|muka|senyum|face|mouth)\w* (?:\w+ ){0,2}(?:mencong|perot|miring|menceng|drooping|droops)\b")
STROKE_ONE_SIDE = re.compile(r"\b(?:(?:setengah|sebelah|separuh) (?:badan|tubuh)\w*|lemas sebelah|sebelah (?:\w+ )?lemas|one side)\b")
STROKE_ARM = re.compile(r"\b(?:tangan|lengan|kaki|arm|leg)\w* (?:\w+ ){0,2}(?:lemas|lemah|kesemutan|mati rasa|weak|numb"
                        r"|tidak bisa (?:diangkat|digerakkan|gerak|bergerak|ngangkat|mengangkat))\b")
STROKE_SPEECH = re.compile(r"\b(?:(?:bicara|ngomong|omong|nyarios|suara|words|speech)\w* (?:\w+ ){0,2}(?:pelo|cadel|ngelantur|tidak jelas"
                           r"|kacau|tidak nyambung|slurred)|pelo|tidak bisa (?:ngomong|bicara|berbicara)|slurr\w*)\b")
SUDDEN = _words(r"tiba-tiba", r"mendadak", r"suddenly", r"all of a sudden")
MEDICAL_WATER = re.compile(r"\b(?:tercebur|diangkat dari|ditarik dari|pulled (?:out )?(?:of|from))" + _GAP + r"(?:kolam|sungai|air|ember|bak|pond|pool|river|water)\b"
                           r"|\b(?:tercebur|diangkat dari|ditarik dari) (?:kolam|sungai|air|ember|bak)\b")
DOOR_ATTACK = re.compile(
    r"\b(?:gedor\w*|menggedor\w*|ngegedor\w*|dobrak\w*|mendobrak|didobrak|pounding on|banging on|kicking)\b(?:\s+\w+){0,3}\s+(?:pintu|door)"
    r"|\bpintu\w*\s+(?:\w+\s+){0,2}(?:digedor\w*|didobrak|ditendang\w*)"
)
HIDING = _words(r"sembunyi\w*", r"bersembunyi", r"ngumpet\w*", r"hiding", r"(?:mengunci|ngunci) (?:diri|kamar|pintu)", r"locked myself",
               r"(?:aku|saya|kami|adik\w*|adek\w*|anak\w*) (?:\w+ ){0,2}(?:di (?:kolong|bawah) (?:kasur|ranjang|meja|tempat tidur)|di (?:dalam |dalem )?lemari|(?:di|dari) balik selimut)",
               r"tidak berani keluar")
# Someone getting in, or waiting at the door or the gate.
INTRUDER = re.compile(
    r"\b(?:manjat|memanjat|loncat|lompat)\w* (?:\w+ )?(?:pagar|tembok|jendela)\b"
    r"|\bada (?:orang |yang |maling |rampok |perampok )(?:\w+ )?(?:masuk|nyelinap|menyelinap|membobol|bobol|mbobol|coba masuk|mencoba masuk) (?:\w+ )?(?:rumah|kamar|kos|jendela)\b"
    r"|\b(?:trying to|tried to|is trying to) (?:break|get) (?:in|into|down)\b|\bbreak(?:ing)? (?:down |in )?(?:the|my|our) door\b"
)
DOOR_WAIT = re.compile(
    r"\b(?:mantan\w*|suami\w*|pacar\w*|dia|pelaku\w*|bapak\w*|ayah\w*|lelaki|laki-laki|cowok|pria|ex)\b(?: \w+){0,3} "
    r"(?:nunggu\w*|menunggu\w*|berdiri|teriak\w*|nongkrong|mondar-mandir|ngintip|mengintip|is waiting|is standing)(?: \w+){0,3} "
    r"(?:di )?(?:depan|luar|outside) (?:pintu|pagar|rumah|kos|kamar|gerbang|jendela|my|the)\b"
)
STALKED = _words(r"dibuntuti", r"dibuntutin", r"diikuti", r"diikutin", r"dikuntit", r"dikejar", r"being followed", r"following me")
SCALD = re.compile(r"\b(?:siram|nyiram|disiram|menyiram|diguyur|nyiramin)\w* (?:\w+ ){0,3}(?:air (?:panas|keras|mendidih)|bensin|minyak panas)\b")
FEAR = _words(r"takut", r"ketakutan", r"gemetar", r"sieun", r"wedi", r"scared", r"terrified", r"tolong", r"help")
# A blade used as a tool, a door locked from outside, a ball kicked: not an attack.
TOOL_USE = re.compile(
    r"\b(?:buat|untuk|for) (?:masak|motong|memotong|potong|bersih\w*|kebun|prakarya|kerja|nyembelih|menyembelih|cooking|cutting)"
    r"|\b(?:motong|memotong|potong|ngupas|mengupas|masak|memasak|nyukur|mencukur|cukur) \w+"
    r"|\b(?:tendang|nendang|menendang|pukul|mukul|memukul)\w* (?:bola|gong|drum|bedug|beduk|kentongan|paku|kasur|bantal)"
    r"|\b(?:dikunci|terkunci) (?:dari )?di luar\b|\bkunci\w* ketinggalan\b|\blocked out\b"
)
ALONE = _words(r"sendirian", r"sendiri", r"takut", r"ketakutan", r"alone", r"scared", r"terrified", r"ngumpet", r"sembunyi", r"bersembunyi", r"hiding")
FIRE = re.compile(
    r"\b(?:terbakar|api\w*|kebakaran|gas\w* (?:\w+ )?(?:dibuka|bocor))" + _GAP + r"(?:masih|terjebak|di dalam|di dalem|di kamar|belum keluar|lantai)\b"
    r"|\b(?:masih|terjebak)" + _GAP + r"(?:terbakar|kebakaran)\b|\b(?:nyiram|siram)\w* bensin\b"
)
# Words of distress that are not a harm by themselves but make a classifier's "emergency" worth asking about.
DISTRESS = _words(r"mabuk", r"ancam\w*", r"mengancam", r"diancam", r"ngancam\w*", r"air keras", r"disiram", r"dikejar",
                  r"diikuti", r"dibuntuti", r"teriak\w*", r"menjerit", r"ngamuk", r"mengamuk", r"marah-marah",
                  r"melotot", r"diajak bicara", r"stroke", r"lemas", r"pucat", r"darah\w*")
# --- a wish to die -----------------------------------------------------------------------
_WISH = r"\b(?:ingin|mau|pengen|kepingin|mending|lebih baik|mendingan|want to|wanna|wish i (?:was|were)|ready to)\s+"
# Between the wish and words that have everyday meanings too ("mau lapor anak hilang", "mau
# masuk smp tidak ada biaya"), only words that colour the wish itself.
_WISH_FILLER = r"(?:(?:aja|saja|banget|sekali|rasanya|deh|lah|sudah|cepat|segera|just|really|to|so|aku|saya|ku|i)\s+){0,2}"
WISH_TO_DIE = re.compile("|".join([
    _WISH + r"(?:\w+\s+){0,2}(?:mati|mampus|bunuh diri|mengakhiri hidup\w*|akhiri hidup\w*|tidur selamanya"
    r"|tidak (?:usah )?(?:hidup|lahir)|die|dead|kill myself|not (?:wake up|exist)"
    r"|berhenti (?:\w+ )?(?:hidup|napas|bernapas)|pergi selamanya"
    r"|ikut almarhum\w*|nyusul (?:almarhum\w*|nenek|kakek|ibu|bapak|ayah|mama))\b",
    _WISH + _WISH_FILLER + r"(?:menghilang|hilang|lenyap|tidak (?:usah )?(?:ada|bangun)|nyusul|disappear|selesai (?:saja|aja)|end)\b"
    r"(?!\s+(?:biaya\w*|uang\w*|duit\w*|dana\w*|ongkos\w*|kerja\w*|waktu\w*|sinyal|data|barang\w*))",
    r"\b(?:ingin|mau|mending|lebih baik) ikut (?:nenek|kakek|ibu|bapak|ayah|mama)\w* (?:aja|saja|wae|we)\s*$",
    r"\btidur (?:\w+ )?selamanya\b|\bkenapa (?:\w+ ){0,2}(?:harus )?dilahirkan\b",
    r"\b(?:lelah|capek|cape|bosan|bosen|tired of|done with) (?:\w+ ){0,2}(?:hidup|living|life)\b(?!\s+(?:di|sama|bareng|dengan|kayak|seperti|jadi|sebagai|in|with|as)\b)",
    r"\b(?:tidak|nggak) (?:kuat|mau|ingin|pantas|pantes|layak) (?:lagi )?(?:hidup|ada|ambegan|napas|bernapas)\b",
    r"\b(?:tidak|nggak) (?:usah|perlu|pernah|mau) (?:di)?lahir\w*\b|\bnever (?:been )?born\b|\bdilahir\w* (?:kalau|kalo) cuma\b",
    r"\b(?:mati|mampus) (?:aja|saja|wae|we)\b(?!\s+(?:kamu|lo|lu|elu|kau|kalian|dia|you)\b)",
    r"\b(?:tidak ada|nggak ada|no) (?:\w+ )?(?:alasan|gunanya|point|reason) (?:\w+ ){0,2}(?:hidup|live|living)\b",
    r"\b(?:buat|untuk) apa (?:lagi )?(?:aku|saya) (?:masih )?hidup\b|\bkenapa (?:sih )?(?:aku|saya) masih hidup\b",
    r"\bhidup (?:\w+ )?(?:percuma|tidak ada gunanya|pointless)\b|\bpoint of living\b",
    r"\b(?:allah|tuhan|gusti|god|lord)\W+(?:\w+\W+){0,3}?(?:panggil|ambil|cabut|jemput|pundhut\w*|nyandak)\w* (?:\w+ )?(?:aku|saya|nyawa\w*)\b"
    r"|\btake me (?:already|now|away)\b",
    r"\b(?:dunia|world) (?:\w+ ){0,2}(?:tidak|nggak|doesn't|does not) (?:butuh|need) (?:aku|saya|me)\b",
    r"\b(?:kalau|kalo|yen|lamun|mun|if) (?:aku|saya|i) (?:\w+ )?(?:tidak ada|mati|wasn'?t around|weren'?t around|was gone|died)\b",
    r"\b(?:mending|lebih baik|better) (?:aku|saya|i) (?:\w+ )?(?:tidak ada|mati|pergi|gone|dead)\b",
    r"\b(?:lebih baik tanpa (?:aku|saya)|better off without me|burden to everyone|i am a burden|cuma beban)\b",
    r"\b(?:capek|lelah|cape) jadi beban\b|\bhidup (?:aku |saya |ku )?(?:sudah )?(?:selesai|beres|berakhir|tamat)\s*$|\b(?:tidak|nggak) mau bangun lagi\b",
    r"\b(?:tidak|nggak) (?:usah|perlu) bangun lagi\b|\b(?:don'?t|never) wake up\b|\bdon'?t want to (?:exist|live|be here)\b",
    r"\b(?:aku|saya|ku) (?:\w+ )?bunuh diri\b|\bmengakhiri (?:hidup|semua)\w*|\bakhiri semua\w*",
    r"\b(?:nyakitin|menyakiti|melukai|nyilet|nyayat) diri\w*|\bself[- ]?harm\b|\burge to cut\b|\bhurt myself\b",
    r"\b(?:end it all|end my life|kill(?:ing)? myself|suicidal|want(?:s)? (?:to )?die|want it all to end|no reason to live|ambil nyawa\w*|cabut nyawa\w*)\b",
    # English as it is written to a helpline: "kms", "unalive", "don't wanna be here", "no way out"
    r"\b(?:unalive\w*|off myself|end(?:ing)? (?:my life|it all)|(?:hang|drown|shoot|poison|hurt|cut) myself)\b",
    r"(?<!hari )(?<!soal )(?<!buku )(?<!kartu )(?<!jadwal )\bkms\b(?! (?:anak|posyandu|balita|bayi|jam|hari|\d))",
    r"\b(?:don'?t|do not|dont) (?:\w+ )?(?:wanna|want to) (?:live|be alive|be here|exist|wake up|go on)\b"
    r"(?! (?:with|in|at|here|there|near|the|a|an|holiday|vacation|trip|tour)\b)",
    r"\b(?:feel|felt|feeling) like dying\b|\btired of (?:existing|being alive|living)\b|\b(?:need|have) to die\b"
    r"|\b(?:no|see no|don'?t see a|dont see a|not see a) way out\b|\bbetter off dead\b"
    r"|\bnot (?:going to|gonna) be (?:alive|here|around) (?:by|tomorrow|anymore)\b",
    r"\b(?:ngapain|buat apa|untuk apa) (?:juga |lagi |sih )?(?:aku|saya) (?:masih )?hidup\b",
]))
# An act toward dying, said without the word "die": "mau loncat dari jembatan", "tinggal minum".
SUICIDE_ACT = re.compile(
    r"\b(?:mau|akan|siap|tinggal|bentar lagi|sebentar lagi|nunggu|menunggu|ingin)\s+(?:\w+\s+){0,2}(?:loncat|lompat|terjun|gantung diri|manjat"
    r"|nyilet|nyayat|ditabrak|nyusul|pergi selamanya|udahan|jump)\w*\b"
    r"|\b(?:mau|akan|siap|tinggal|ingin)\s+(?:\w+\s+){0,1}(?:minum|nelen|menelan|telan|swallow)\w*\s+(?:\w+\s+){0,2}(?:obat|pil|racun|baygon|semua|pills)\w*\b"
    r"|\b(?:(?:duduk |berdiri )?di (?:atas|atap|pinggir|tengah|ujung|puncak))\s+(?:\w+\s+){0,2}(?:jembatan|atap|gedung|rel|tebing|jendela|balkon|lantai \w+|rooftop|tower|menara|parkiran)\b"
    r"|\b(?:duduk|berdiri|nunggu|menunggu) di (?:\w+\s+){0,1}(?:rel|jembatan|tebing)\b"
    r"|\b(?:minum|telan|menelan)\w*\s+(?:\w+\s+){0,2}(?:semua|sebotol|sepapan|sestrip|\d+ (?:biji|butir|tablet|pil))\b"
    r"|\b(?:besok|nanti|abis ini|habis ini)\s+(?:\w+\s+){0,2}(?:sudah|udah) (?:tidak|nggak) ada\b"
    r"|\b(?:tali|racun|obat\w*|silet|pisau|cutter|baygon)\s+(?:\w+\s+){0,3}(?:sudah|udah|udh|siap|di tangan\w*|di depan|aku iket|diiket|dicampur|kumpulin|dikumpulin)\b"
    r"|\b(?:siapin|siapkan|menyiapkan|nyiapin|nyiapkeun|beli|membeli)\w* (?:\w+ )?(?:tali|racun|obat tidur|silet)\b"
    r"|\b(?:besok|nanti) (?:\w+ ){0,6}berarti (?:aku|saya) (?:sudah )?(?:pergi|tidak ada|mati)\b"
    r"|\b(?:standing|sitting|lying|i am|i'm) on (?:the )?(?:roof|ledge|edge|bridge|railing|tracks|rails|railway)\b"
    r"|\b(?:i|i've|i) (?:already )?(?:have|got|bought) (?:the |a )?(?:rope|pills|razor)\b"
    r"|\b(?:found|nemu|menemukan) (?:\w+ ){0,3}(?:hanging|gantung diri|tergantung)\b"
    r"|\b(?:about to|going to|gonna|ready to|planning to) (?:\w+ ){0,2}(?:jump|hang|overdose|od)\b(?! (?:out|up|on|into|in|around|over|with)\b)"
    r"|\b(?:jump|step|throw myself|lie down|lying|stand|walk) (?:\w+ ){0,2}(?:in front of|under) (?:the |a )?(?:train|truck|bus|car)\b(?! station)"
    r"|\bengine running\b|\brope is (?:ready|tied|up)\b"
    r"|\bgoing to use it on myself\b"
    r"|\b(?:nanti|sebentar lagi|jam \d+)\s+(?:\w+\s+){0,3}(?:lompat|loncat|terjun|gantung diri)\b"
)
WISH_PAST = _words(_DULU, r"dahulu", r"(?<!tidak )(?<!nggak )(?<!belum )pernah", r"waktu (?:kecil|sd|smp|sma|itu)", r"used to", r"when i was", r"in high school",
                   r"(?:minggu|bulan|tahun) lalu", r"kemarin", r"last (?:year|month|week)")
SUICIDE_TIME = _words(r"malam ini", r"nanti malam", r"besok", r"sebentar lagi", r"habis ini", r"abis ini", r"hari ini",
                      r"sekarang", r"tonight", r"tomorrow", r"today", r"now", r"subuh nanti", r"pagi nanti")
SUICIDE_MEANS = _words(
    r"tali", r"racun", r"obat\w*", r"pil", r"silet", r"pisau", r"cutter", r"gantung", r"lompat", r"loncat", r"terjun",
    r"jembatan", r"atap", r"rooftop", r"rel", r"gedung", r"lantai \w+", r"pills?", r"rope", r"bridge", r"roof",
    r"blade", r"razor", r"jump", r"baygon", r"obat nyamuk", r"sayat\w*", r"nyayat\w*",
)
# A goodbye: at least one strong sign, and two signs of different kinds, make a farewell.
GOODBYE_STRONG = [
    _words(r"selamat tinggal", r"goodbye", r"farewell"),
    _words(r"(?:pesan|chat|sms|kata-kata|ucapan|surat) terakhir\w*", r"last message", r"(?:untuk|buat) (?:yang )?terakhir kali\w*"),
    # (not a sign-off or an errand: "pamit dulu ya", "titip salam", "titip berkas di satpam")
    _words(r"pamit\w*(?! (?:dulu|pulang|tidur|kerja|berangkat|sebentar|keluar|mandi|makan|sholat|solat|shalat)\b)"),
    _words(r"titip\w*(?! (?:salam|berkas|barang|paket|kunci|uang|duit|motor|dokumen|anak\w* sebentar)\b)", r"jagain (?:\w+ )?(?:si kecil|anak\w*|ibu\w*|mama\w*|adik\w*|adek\w*|kucing\w*)", r"take care of (?:my|the) \w+"),
    _words(r"wasiat"), _words(r"surat (?:buat|untuk)", r"(?:nulis|menulis|tulis|kutulis)\w* (?:\w+ ){0,4}surat", r"surat\w* (?:\w+ ){0,2}sudah (?:ku|aku |saya )?tulis",
                              r"(?:goodbye|suicide|last) (?:note|letter)", r"(?:i've|i have) written my note"),
    _words(r"sudah (?:aku|ku|saya) (?:kasih|berikan|titipkan)", r"gave (?:my|away)", r"given away"),
    _words(r"tidak (?:bakal|akan) butuh lagi", r"won't need", r"wont need"),
]
GOODBYE_WEAK = [
    _words(r"maaf(?:kan|in)? (?:\w+ )?semua\w*"), _words(r"jaga diri (?:kalian|baik-baik)", r"jaga (?:ibu|mama|bapak|adek|adik)\w*"),
    _words(r"(?:makasih|terima kasih) (?:\w+ )?(?:sudah|udah|selama)"), _words(r"sudah tidak ada", r"tidak (?:akan )?ada lagi"),
    _words(r"jangan cari\w* (?:aku|saya)", r"(?:tidak|nggak) (?:usah|perlu) (?:khawatir|mikirin|memikirkan|nyari|cari)\w*"),
    _words(r"(?:tidak|nggak) kuat lagi", r"(?:aku|saya) (?:sudah )?(?:menyerah|nyerah)", r"siap pergi", r"(?:aku|saya) (?:sudah )?tenang"),
    _words(r"jangan (?:nangis|menangis|sedih)"), _words(r"nekat", r"hp\w* (?:\w+ )?(?:mati|tidak aktif)"),
    _words(r"(?:minta |bilang )?maaf\w* (?:ke |sama |ya |buat )?(?:ibu|bapak|mama|papa|ayah|bu|ma|pak)"),
    _words(r"(?:thank you|thanks|sorry) for everything", r"ready to go", r"(?:won'?t|will not) be (?:here|around) (?:anymore|tomorrow)", r"last (?:message|text) you'?ll"),
    _words(r"(?:habis|abis|sesudah|setelah) ini (?:\w+ ){0,2}pergi", r"pergi selamanya"),
]
SELF_HARM_NOW = re.compile(
    r"\b(?:sudah|barusan|sedang|lagi|baru|habis|abis)\s+(?:\w+\s+)?(?:minum|telan|nelen|menelan|sayat|nyayat|menyayat|silet|nyilet|gantung)\w*\b"
    r"|\b(?:obat|pil|racun|baygon)\w* (?:\w+ ){0,6}ku(?:minum|telan|telen|habisin|habiskan|tenggak)\b"
    r"|\bku(?:minum|telan|telen|habisin|habiskan|tenggak) (?:\w+ ){0,3}(?:obat|pil|racun|baygon)\w*"
    r"|\b(?:obat|pil|racun)\w* (?:\w+ ){0,6}(?:aku|saya) (?:telan|minum|habisin|habiskan|tenggak)\b"
    r"|\b(?:motong|memotong|potong|iris|ngiris|mengiris|sayat|nyayat|menyayat)\w* (?:\w+ )?(?:urat|nadi|pergelangan)\w*\b"
    r"|\b(?:i|i've|i have) (?:just )?(?:cut|slit) my (?:wrist|arm)s?\b"
    r"|\b(?:just|already)\s+(?:took|swallowed|cut)\b|\b(?:took|swallowed) (?:all|a lot of|too many) (?:of )?(?:my )?(?:pills|tablets|meds)\b"
)
FIRST_PERSON = _words(r"aku", r"saya", r"ku", r"i", r"me", r"my", r"i'm", r"kami")
# The writer's own wish, said outright: news, a song or a laugh beside it does not make it distance
# ("abis nonton film itu aku makin pengen bunuh diri", "haha aku pengen mati aja").
OWN_WISH = re.compile(r"\b(?:aku|saya|ku|i)\b(?:\s+\w+){0,2}?\s+(?:ingin|mau|want to|wanna)\s+(?:\w+\s+)?"
                      r"(?:mati|bunuh diri|mengakhiri hidup|die|kill myself|end my life)\b")
_SPEECH = (r"(?:bilang|ngomong|cerita|curhat|nulis|menulis|posting|update|katanya|ngaku|mengaku|berkata|said|says|say|told me"
           r"|keeps? saying|talks? about|wrote|texted)")
OTHER_PERSON = _words(
    r"dia", r"temanku", r"temenku", r"teman (?:saya|aku|gue)", r"temen (?:saya|aku|gue)", r"temen", r"teman",
    r"adikku", r"kakakku", r"anakku", r"anak (?:saya|aku)", r"sahabat\w*", r"pacar\w*", r"tetangga\w*", r"mereka",
    r"seseorang", r"orang itu", r"he", r"she", r"my friend", r"they", r"someone",
)
# The other person says the wish, or the wish follows them in the same clause.
REPORTED_WISH = re.compile(OTHER_PERSON.pattern + r"(?:\s+\w+){0,3}?\s+" + _SPEECH + r"\b")
THEIR_WISH = re.compile(OTHER_PERSON.pattern + r"(?:(?:\s+\w+){0,3}?\s+" + _SPEECH + r"\b|(?:\s+\w+){0,2}\s*$)")


@dataclass(frozen=True)
class Reading:
    level: str = NONE  # now | ideation | none
    kind: str | None = None  # one of KINDS, or None
    sentence: int | None = None  # which sentence told it (0-based)
    cues: tuple[str, ...] = field(default=())

    @property
    def is_danger_now(self) -> bool:
        return self.level == NOW

    @property
    def dismissed_wish(self) -> bool:
        """A wish to die read and set aside for the whole message: someone else says it with no
        plan or sign of now anywhere, or it is told as the past and recovered from (cues:
        someone_else, recovered)."""
        return self.level == NONE and self.kind == "suicide"


_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\n+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_DOUBLED = re.compile(r"\b([a-z]{2,})2\b")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")  # zero-width characters hide words
MAX_READ_CHARS = 4000  # a longer message is read at its start and its end (where danger is told last)
MAX_READ_SENTENCES = 40  # likewise a message of very many sentences: its first and last 40


# Idioms of dying that mean nothing of the kind ("mati ketawa": laughing hard, "mati gaya":
# nothing to do, "mau pingsan liat harganya"): taken out before anything is read, so that the
# rest of the message is still read (vetoing the whole message would hide danger told beside them).
IDIOMS = re.compile(r"\b(?:mati|mampus) (?:\w+ )?(?:ketawa|ngakak|tertawa|ngguyu|seuri|gaya|kutu|bosan|bosen)\b"
                    r"|\b(?:bosan|bosen) (?:\w+ )?(?:setengah )?mati\b"
                    r"|\b(?:mau|mo|hampir|rasanya|kayak|kaya|serasa) (?:mau )?pingsan\b")
# "kalau ada yang kejang, harus diapain?": a message that opens with "if" and asks what to do,
# with no word of the present anywhere in it, asks for advice; it is answered, not alerted on.
QUESTION_FOR_LATER = re.compile(
    r"^\W*(?:kalau|kalo|klo|jika|bila|misal\w*|andai\w*|if|lamun|upami|yen)\b"
    r"(?!.*\b(?:gini|begini|sekarang|saat ini|saiki|ayeuna|ini|sudah|lagi|lg|barusan|dari tadi|masih|now|tolong|help)\b)"
    r"(?:\W+\w+){1,10}?\W+(?:harus|sebaiknya|mesti|kudu|should)\W+(?:\w+\W+){0,3}?"
    r"(?:apa|ngapain|gimana|bagaimana|diapain|diapakan|what|do)\b"
)


def clean(text: str) -> str:
    """Lower case, a letter repeated three times once, zero-width characters out, "tiba2" →
    "tiba-tiba", idioms of dying out: what both the reader and the net's rules read."""
    text = _INVISIBLE.sub("", _REPEATS.sub(r"\1", (text or "").lower())).replace("’", "'")
    return IDIOMS.sub(" ", _DOUBLED.sub(r"\1-\1", text))


def is_question_for_later(text: str) -> bool:
    # Read as the reader reads ("skrg", "udah", Javanese and Sundanese words made Indonesian).
    return bool(QUESTION_FOR_LATER.search(default_reader().normalise(text or "")))


def bounded(text: str) -> str:
    if len(text) <= MAX_READ_CHARS:
        return text
    half = MAX_READ_CHARS // 2
    return text[:half] + "\n" + text[-half:]


def split_sentences(text: str) -> list[str]:
    parts = [part.strip() for part in _SENTENCE_END.split(text or "")]
    return [part for part in parts if part]


def _last(pattern: re.Pattern, text: str) -> int:
    """Where the last match starts (-1: none)."""
    position = -1
    for match in pattern.finditer(text):
        position = match.start()
    return position


class DangerReader:
    def __init__(self, phrases: dict[str, str], words: dict[str, str]) -> None:
        self.phrases, self.words = phrases, words
        keys = sorted(phrases, key=len, reverse=True)
        self._phrase_pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, keys)) + r")\b") if keys else None
        self._word_pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b") if words else None
        # One message is read by the danger gate and the safety net in turn: read it once.
        self.read = lru_cache(maxsize=256)(self._read)
        self.harms = lru_cache(maxsize=256)(self._harms)

    @classmethod
    def load(cls, path: Path | None = None) -> "DangerReader":
        data = yaml.safe_load(Path(path or DEFAULT_LEXICON).read_text(encoding="utf-8")) or {}
        def table(name: str) -> dict[str, str]:
            return {str(k).lower(): str(v).lower() for k, v in (data.get(name) or {}).items()}
        return cls(table("phrases"), table("words"))

    def normalise(self, sentence: str) -> str:
        """clean(), then Javanese/Sundanese/Betawi → Indonesian."""
        text = clean(sentence)
        if self._phrase_pattern:
            text = self._phrase_pattern.sub(lambda m: self.phrases[m.group(0)], text)
        if self._word_pattern:
            text = self._word_pattern.sub(lambda m: self.words[m.group(0)], text)
        text = IDIOMS.sub(" ", text)  # again: "paeh seuri" is an idiom only once it reads "mati seuri"
        return re.sub(r"\s+", " ", text).strip()

    def _read(self, text: str) -> Reading:
        if not text or text.startswith("/"):
            return Reading()
        sentences = [self.normalise(s) for s in split_sentences(bounded(text))]
        if len(sentences) > 2 * MAX_READ_SENTENCES:
            sentences = sentences[:MAX_READ_SENTENCES] + sentences[-MAX_READ_SENTENCES:]
        whole = " ".join(sentences)
        found, dismissed = Reading(), Reading()
        for index, sentence in enumerate(sentences):
            if SAFE_WORDS.search(sentence) and found.kind != "suicide":
                found = Reading()  # told that it is over: what came before (and this sentence) is not now
                if _recovered(sentence) and not _plan_signs(whole):
                    dismissed = Reading(NONE, "suicide", index, ("recovered",))
                continue
            reading = self._read_sentence(sentence, whole, index)
            if _rank(reading) >= _rank(found) and reading.level != NONE:
                found = reading
            elif reading.dismissed_wish:
                dismissed = reading
        if found.level == NONE and _farewell(whole):
            # A farewell alone ("kucingku udah aku titipin, maaf ya semuanya") can be a last message.
            return Reading(NOW, "suicide", len(sentences) - 1, ("farewell",))
        return found if found.level != NONE else dismissed

    def _harms(self, text: str) -> frozenset[str]:
        """The kinds of harm the message speaks of at all, whatever their time (for the danger
        gate: a harm word makes its probability count for more)."""
        found = set()
        for sentence in split_sentences(bounded(text or "")):
            s = self.normalise(sentence)
            if WISH_TO_DIE.search(s) or SUICIDE_ACT.search(s) or SELF_HARM_NOW.search(s) or _farewell(s):
                found.add("suicide")
            if _medical(s):
                found.add("medical")
            if FIRE.search(s):
                found.add("fire")
            if CAPTIVE.search(s) or TAKEN_SOON.search(s):
                found.add("captivity")
            if MISSING.search(s) and not OBJECT_MISSING.search(s):
                found.add("missing")
            if (WEAPON.search(s) or THREAT.search(s) or ATTACK.search(s) or DOOR_ATTACK.search(s) or HIDING.search(s)
                    or DISTRESS.search(s) or INTRUDER.search(s) or DOOR_WAIT.search(s) or SCALD.search(s)):
                found.add("violence")
        return frozenset(found)

    def _read_sentence(self, sentence: str, whole: str, index: int) -> Reading:
        """A sentence is read clause by clause ("bulan lalu dia nonjok aku, sekarang dia datang
        lagi bawa golok": the harm and its time must share a clause); habits, distance and a
        wish to die are read on the whole sentence."""
        if DISTANCE_WORDS.search(sentence) and not OWN_WISH.search(sentence):
            return Reading()
        wish = _reading_of_a_wish(sentence, whole, index)
        if wish.level != NONE:
            return wish
        if HABIT_WORDS.search(sentence) and not _now_after_habit(sentence):
            return wish
        if _past(sentence):
            return wish  # the latest time told in the sentence is a past one
        # A collapse, a fire or an attack at the door is told in one breath, commas and all.
        if _medical(sentence):
            return Reading(NOW, "medical", index, ("medical",))
        if FIRE.search(sentence):
            return Reading(NOW, "fire", index, ("fire",))
        if DOOR_ATTACK.search(sentence) and (NOW_WORDS.search(sentence) or ALONE.search(sentence)):
            return Reading(NOW, "violence", index, ("door",))
        if ((INTRUDER.search(sentence) or DOOR_WAIT.search(sentence)) and not HABIT_WORDS.search(sentence)
                and (FEAR.search(sentence) or ALONE.search(sentence) or DISTRESS.search(sentence))):
            return Reading(NOW, "violence", index, ("intruder",))
        if STALKED.search(sentence) and FEAR.search(sentence) and (NOW_WORDS.search(sentence) or MISSING_SINCE.search(sentence)):
            return Reading(NOW, "violence", index, ("followed",))
        # Hiding is danger with fear, a call for help or an attack told beside it (alone it may
        # be the next line of a story an officer is already hearing).
        if HIDING.search(sentence) and (FEAR.search(sentence) or ATTACK.search(sentence) or WEAPON.search(sentence)) \
                and not TOOL_USE.search(sentence):
            return Reading(NOW, "violence", index, ("hiding",))
        told = TOLD_WHERE.search(sentence)
        # Said where, unless undone: a "but" after it, a denial, a search, a stranger, "until now".
        told_where = bool(told) and not (CONTRADICTED.search(sentence, told.end()) or DENIED.search(sentence)
                                         or SEARCHED.search(sentence) or STRANGER.search(sentence) or WORRY.search(sentence))
        if _gone(sentence) and not told_where:
            return Reading(NOW, "missing", index, ("gone",))
        sentence_now = bool(NOW_WORDS.search(sentence))
        aid = bool(AID_WORDS.search(sentence))
        for clause in split_clauses(sentence):
            reading = self._read_clause(clause, index, sentence_now, aid, told_where)
            if reading.level != NONE:
                return reading
        return wish  # nothing else: a wish set aside, if any (Reading() otherwise)

    def _read_clause(self, s: str, index: int, sentence_now: bool, aid: bool, told_where: bool = False) -> Reading:
        """One clause; a clause with no time word of its own takes the sentence's now
        ("tulung aku, bojoku arep mateni aku")."""
        if _past(s):
            return Reading()
        now = bool(NOW_WORDS.search(s)) or (sentence_now and not PAST_WORDS.search(s))
        if TOOL_USE.search(s):
            return Reading()
        if CAPTIVE.search(s) and not aid and not HABIT_WORDS.search(s) and not re.search(r"\b(?:jangan|paspor|passport|ktp|hp|gaji|dokumen)\b", s):
            return Reading(NOW, "captivity", index, ("captive",))
        if TAKEN_SOON.search(s) and SOON.search(s) and not aid:
            return Reading(NOW, "captivity", index, ("taken_soon",))
        if MISSING.search(s) and MISSING_SINCE.search(s) and PERSON.search(s) and not OBJECT_MISSING.search(s) and not told_where:
            return Reading(NOW, "missing", index, ("missing",))
        if WEAPON.search(s) and (now or HOLDING.search(s)) and not NOT_HOLDING.search(s):
            return Reading(NOW, "violence", index, ("weapon",))
        if THREAT.search(s) and (now or SOON.search(s)):
            return Reading(NOW, "violence", index, ("threat",))
        if (ATTACK.search(s) or SCALD.search(s)) and now and not HABIT_WORDS.search(s):
            return Reading(NOW, "violence", index, ("attack",))
        return Reading()


_CLAUSE_BREAK = re.compile(r"\s*,\s*|\s+(?=(?:tapi|tetapi|namun|but|kemudian|sekarang|now)\b)")


def split_clauses(sentence: str) -> list[str]:
    return [clause for clause in _CLAUSE_BREAK.split(sentence) if clause.strip()]


STRONG_NOW = _words(r"sekarang", r"saat ini", r"barusan", r"baru saja", r"detik ini", r"malam ini", r"now", r"right now", r"tonight")


def _now_after_habit(sentence: str) -> bool:
    """"dulu sering dipukul, sekarang dia bawa pisau": a now told after the habit."""
    return _last(STRONG_NOW, sentence) > _last(HABIT_WORDS, sentence)


# "dihukum lari sampai ada yang pingsan": fainting as the end of a story, not a collapse now
# (an attack told beside it is still read as one).
FAINTED_AS_RESULT = re.compile(r"\b(?:sampai|sampe|hingga) (?:\w+ ){0,3}pingsan\b")


def _medical(sentence: str) -> bool:
    sentence = FAINTED_AS_RESULT.sub(" ", sentence)
    return bool(MEDICAL_STRONG.search(sentence) or MEDICAL_FALLEN.search(sentence) or MEDICAL_WATER.search(sentence)
                or MEDICAL_LYING.search(sentence) or _stroke(sentence))


def _gone(sentence: str) -> bool:
    """Someone gone with a sign that something is wrong, told without a time ("anak sy pergi sama
    cowok yg dikenal di fb, skrg gak bisa dihubungi"; "kakek yg pikun keluar rumah, sudah dicari").
    Someone with dementia who often wanders is a care request until they are not found."""
    if LOST_CHILD.search(sentence):
        return True
    if not PERSON.search(sentence) or OBJECT_MISSING.search(sentence):
        return False
    not_back = bool(NOT_BACK.search(sentence))
    if not_back and (UNREACHABLE.search(sentence) or WORRY.search(sentence) or SEARCHED.search(sentence) or STRANGER.search(sentence)):
        return True
    return bool(GONE.search(sentence) and (SEARCHED.search(sentence) or STRANGER.search(sentence)))


def _stroke(sentence: str) -> bool:
    face, speech = bool(STROKE_FACE.search(sentence)), bool(STROKE_SPEECH.search(sentence))
    one_side = bool(STROKE_ONE_SIDE.search(sentence))
    arm = one_side or bool(STROKE_ARM.search(sentence))
    if face + arm + speech >= 2:
        return True
    return (face or speech or one_side) and bool(SUDDEN.search(sentence))


def _past(sentence: str) -> bool:
    """The latest time word in the sentence is a past one (or a habit with no now after it)."""
    past = max(_last(PAST_WORDS, sentence), -1)
    if past < 0:
        return False
    return _last(NOW_WORDS, sentence) < past


def _reading_of_a_wish(s: str, whole: str, index: int) -> Reading:
    act = SUICIDE_ACT.search(s)
    if act and not _past(s):
        before = s[: act.start()]
        if _last(OTHER_PERSON, before) <= _last(FIRST_PERSON, before) or NOW_WORDS.search(s):
            return Reading(NOW, "suicide", index, ("act",))
    if not WISH_TO_DIE.search(s) and not SELF_HARM_NOW.search(s):
        return Reading()
    if WISH_PAST.search(s) and not SELF_HARM_NOW.search(s) and _last(NOW_WORDS, s) < _last(WISH_PAST, s):
        return Reading()  # "dulu aku pernah pengen mati": told as the past ("sudah lama" is not)
    wish = WISH_TO_DIE.search(s) or SELF_HARM_NOW.search(s)
    before = s[: wish.start()]
    # Whose wish: someone else's when the last person named before it says it or wishes it
    # ("temenku bilang pengen mati", "temenku pengen mati"); not when that person is only part
    # of the story ("pacarku selingkuh, pengen mati aja" is the writer's).
    someone_else = _last(OTHER_PERSON, before) > _last(FIRST_PERSON, before) and bool(THEIR_WISH.search(before))
    reported = bool(REPORTED_WISH.search(before))
    plan = [name for name, pattern in (("time", SUICIDE_TIME), ("means", SUICIDE_MEANS)) if pattern.search(whole)]
    if any(p.search(whole) for p in GOODBYE_STRONG):
        plan.append("goodbye")
    if SELF_HARM_NOW.search(s):
        plan.append("in_progress")
    if _farewell(whole):
        plan.append("farewell")
    if someone_else:
        # Someone else's wish is worry (ask_services) unless it is being acted on now.
        if ("in_progress" in plan) or (NOW_WORDS.search(s) and ("means" in plan)):
            return Reading(NOW, "suicide", index, tuple(plan))
        # Told as what they say, with no time, means, goodbye or sign of now anywhere: worry,
        # set aside (the net's suicide rules too: danger_now.py). Otherwise the rules decide.
        calm = reported and not plan and not NOW_WORDS.search(whole) and not UNREACHABLE.search(whole)
        return Reading(NONE, "suicide", index, ("someone_else",)) if calm else Reading()
    if plan:
        return Reading(NOW, "suicide", index, tuple(plan))
    return Reading(IDEATION, "suicide", index, ("wish",))


# When a message tells several harms, the first reply follows the most telling one.
KIND_PRIORITY = ("suicide", "medical", "fire", "captivity", "missing", "violence")


def main_kind(kinds) -> str | None:
    return next((kind for kind in KIND_PRIORITY if kind in kinds), None)


def _recovered(sentence: str) -> bool:
    """"dulu aku pernah pengen mati, sekarang udah bahagia": the past told before the wish, the
    safe words after it, and no "but" after those."""
    wish = WISH_TO_DIE.search(sentence)
    if not wish:
        return False
    past, safe = WISH_PAST.search(sentence[: wish.start()]), SAFE_WORDS.search(sentence, wish.end())
    return bool(past and safe and not CONTRADICTED.search(sentence, safe.end()))


# Signs of a plan anywhere in the message: a wish set aside in one sentence never silences them.
PLAN_TIME = _words(r"malam ini", r"nanti malam", r"besok", r"sebentar lagi", r"habis ini", r"abis ini", r"tonight", r"tomorrow")


def _plan_signs(whole: str) -> bool:
    return bool(PLAN_TIME.search(whole) or SUICIDE_MEANS.search(whole) or SUICIDE_ACT.search(whole)
                or SELF_HARM_NOW.search(whole) or any(p.search(whole) for p in GOODBYE_STRONG) or _farewell(whole))


def _farewell(whole: str) -> bool:
    strong = sum(bool(p.search(whole)) for p in GOODBYE_STRONG)
    weak = sum(bool(p.search(whole)) for p in GOODBYE_WEAK)
    return strong >= 1 and strong + weak >= 2 and not DISTANCE_WORDS.search(whole)


def _rank(reading: Reading) -> int:
    return {NONE: 0, IDEATION: 1, NOW: 2}[reading.level]


@lru_cache(maxsize=1)
def default_reader() -> DangerReader:
    return DangerReader.load()
