"""Round 11 of the danger reader (issue 22): English ideation and acts, someone gone told without
a time, goodbyes in English and Javanese/Sundanese, and the suicide rules set aside when the
reader reads the wish as someone else's, the past, or news. The messages are our own, written
for these tests, not taken from any held-out set."""

import pytest

from nlu_components.danger_now import danger_now
from nlu_components.danger_reader import IDEATION, NONE, NOW, default_reader
from nlu_components.emergency_patterns import EmergencyPatterns

READER = default_reader()
PATTERNS = EmergencyPatterns.load()


@pytest.mark.parametrize("text", [
    "honestly i just wanna unalive myself",
    "kms fr, nothing matters",
    "i dont want to be here anymore",
    "i feel like dying and nobody notices",
    "so tired of existing",
    "i see no way out of this",
    "ngapain juga gue idup",
])
def test_a_wish_to_die_in_english_and_betawi_is_ideation_at_least(text):
    assert READER.read(text).level in (IDEATION, NOW)


@pytest.mark.parametrize("text", [
    "im about to jump, the bridge is right here",
    "lying on the tracks, the train is coming",
    "the rope is ready in my room",
    "ntar jam 2 aku loncat dari atas",
    "this is my goodbye, thank you for everything",
    "wis tak tulis layang kanggo ibu, bengi iki aku lunga selawase",
])
def test_an_act_a_time_or_a_goodbye_is_now(text):
    reading = READER.read(text)
    assert (reading.level, reading.kind) == (NOW, "suicide")


@pytest.mark.parametrize("text", [
    "adik saya pergi sama orang yang dikenal di tiktok, hpnya mati dari tadi",
    "my 13 year old went off with a guy from roblox and isn't answering",
    "kakek yang pikun keluar rumah, sudah dicari keliling tidak ketemu",
    "grandad has dementia, walked out this afternoon, we can't find him",
    "anak saya diajak orang tidak dikenal naik mobil",
    "lost my daughter at the market, she's 5",
    "nini abdi pikun indit ti imah, dipilarian teu kapendak",
])
def test_someone_gone_with_a_sign_that_something_is_wrong_is_missing_now(text):
    reading = READER.read(text)
    assert (reading.level, reading.kind) == (NOW, "missing"), reading


@pytest.mark.parametrize("text", [
    "anak saya belum pulang, katanya lagi di rumah temannya ngerjain tugas",
    "simbah pikun, kadang keluar rumah sendiri, butuh pendamping",
    "dompet saya hilang waktu pergi ke pasar sama orang tua",
    "mau lapor anak hilang caranya gimana",
    "anak mau masuk smp gak ada biaya",
    "hari demi hari kamu menghilang, kita jadi orang asing",
])
def test_late_but_told_where_habits_things_and_words_of_going_are_not_danger(text):
    fired, reading = danger_now(text, PATTERNS)
    assert reading.level == NONE and not any(rule.startswith("reader_") for rule in fired), (fired, reading)


@pytest.mark.parametrize("text, set_aside", [
    ("temenku sering bilang pengen mati, aku harus ngapain", True),
    ("dulu aku pernah pengen mati, sekarang udah bahagia sama keluarga", True),
    ("mbiyen aku tau pengin mati, saiki wis mari", True),
    # worry with a plan, a wish that came back, the writer's own wish: still danger
    ("temenku barusan bilang mau bunuh diri malam ini, dia udah pegang tali", False),
    ("dulu aku pernah pengen mati, sekarang pengen lagi malam ini", False),
    ("aku pengen mati aja", False),
])
def test_the_suicide_rules_are_set_aside_only_for_worry_or_recovery(text, set_aside):
    fired, reading = danger_now(text, PATTERNS)
    assert reading.dismissed_wish == set_aside, reading
    assert (fired == []) if set_aside else (fired or reading.level == IDEATION), (fired, reading)


# From the review of round 11 (a helper probing as a safeguarding lead): a wish set aside must
# never silence the writer's own wish, a plan told elsewhere in the message, or a missing child.
MUST_STAY_DANGER = [
    "dulu aku pernah depresi, sekarang sudah sembuh, tapi malam ini aku mau gantung diri",
    "dulu aku pernah pengen mati. aku udah nulis surat buat ibu",
    "Temen-temen maafin aku ya, aku pamit, makasih untuk semuanya. dulu aku pernah bilang pengen mati",
    "Pacarku selingkuh, pengen mati aja rasanya",
    "Gak punya teman, pengen mati aja",
    "Teu boga babaturan, hayang paeh wae",
    "kakakku pengen mati katanya, dia ngurung diri di kamar dari tadi",
    "temenku bilang pengen mati, sekarang dia gak bisa dihubungi",
    "Aku nggak pernah dianggap, aku mau mati aja",
    "abdi teu kungsi dipikanyaah, hayang paeh wae",
    "sejak tahun lalu aku pengen bunuh diri tiap hari",
    "wkwk capek hidup, pengen mati aja",
    "abis nonton film itu aku makin pengen bunuh diri",
    "semua bilang jangan nyerah, tapi aku mau mati aja",
    "I feel much better now that I've decided to kill myself",
    "sekarang aku gak bahagia, pengen mati aja",
    "Sekarang mereka bahagia tanpa aku, aku mau mati aja",
    "anak saya 7 tahun belum pulang, katanya ke rumah temen, temennya bilang gak ada",
    "anak saya belum pulang dari kemarin, katanya di rumah temen, sudah dicari ke sana tidak ada",
    "adikku yang umur 13 dijemput cowok kenalan dari ig, katanya ke rumah temen, sampai sekarang belum pulang",
    "adik saya 10 tahun dijemput orang yang ngaku om nya, katanya mau ke rumah nenek, nenek bilang gak ada yang jemput",
    "my daughter texted me she was with a guy she met online and now her phone is off",
]
MUST_STAY_CALM = [
    "Bapak lagi pergi, hpnya mati, nanti saya hubungi lagi ya",
    "Suami saya pergi kerja, nomornya tidak aktif, saya mau tanya soal BPJS",
    "Ayah diajak orang kantor makan malam",
    "Kakak pergi, saya nggak tahu ke mana, mau tanya jam buka puskesmas",
    "My brother left for work and his phone is off",
    "I can't find her number, my grandma went to Jakarta",
    "I lost my son in a car accident",
    "I lost my daughter in the divorce, how can I get visitation",
    "I'm about to hang out with my friends",
    "gonna jump on a call, brb",
    "I'm waiting in front of the bus station",
    "nitip gorengan dong, jangan sedih ya",
    "pesen terakhir aku kemarin belum dateng, hp ku mati",
    "I left a note for my landlord, won't be around this weekend",
    "mau tanya soal KMS anak saya dari posyandu",
    "I want to end things with my boyfriend",
    "I don't want to go on the school trip",
]


@pytest.mark.parametrize("text", MUST_STAY_DANGER)
def test_what_the_review_found_silent_is_danger(text):
    fired, reading = danger_now(text, PATTERNS)
    assert fired or reading.level == IDEATION, (fired, reading)


@pytest.mark.parametrize("text", MUST_STAY_CALM)
def test_what_the_review_found_firing_is_calm(text):
    assert danger_now(text, PATTERNS)[0] == []




def test_danger_beside_a_wish_set_aside_is_still_read():
    fired, reading = danger_now("temenku sering bilang pengen mati. sekarang ayahnya lagi mukulin dia pake kayu", PATTERNS)
    assert reading.level == NOW and reading.kind == "violence"


@pytest.mark.parametrize("text", [
    "anak saya belum pulang dari kemarin, katanya mau ke rumah temen tapi temennya bilang gak ada",
    "anak saya hilang, sudah telepon polisi",
    "adek belum pulang dari sore, hpnya mati",
])
def test_told_where_is_undone_by_a_but_and_a_call_to_the_police_is_not_told_where(text):
    fired, _ = danger_now(text, PATTERNS)
    assert fired, text


@pytest.mark.parametrize("text", [
    "anakku durung mulih, jarene lagi nang omahe kancane ngerjakke tugas",
    "nenek belum pulang, sudah nelpon nginep di rumah bibi",
])
def test_late_and_said_where_is_calm_for_the_rules_too(text):
    assert danger_now(text, PATTERNS)[0] == []
