"""The danger reader (harm × time × who, sentence by sentence, regional words first).

Every example here is written for this file (none comes from a held-out set). Run with:
.venv-engine/bin/python -m pytest nlu_components/tests
"""

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_components.danger_reader import IDEATION, KINDS, NONE, NOW, DangerReader, default_reader, split_sentences
from nlu_components.safety_net import EmergencySafetyNet
from nlu_components.triage import ROUTE_CHECK_EMERGENCY, ROUTE_EMERGENCY, ROUTE_OTHER, Thresholds, decide

READER = default_reader()
CASES = yaml.safe_load((Path(__file__).parent / "safety_net_cases.yml").read_text(encoding="utf-8"))

DANGER_NOW = [
    # the end of a long story counts, its past start does not
    ("Dulu ayah sering mukul ibu. Tahun lalu kami pindah ke Klaten. Sekarang dia datang lagi dan mukulin ibu, "
     "aku ngumpet di lemari", "violence"),
    ("bulan lalu dia nonjok aku, sekarang dia datang lagi bawa golok", "violence"),
    ("pisaunya udah di tangan dia", "violence"),
    ("mantan saya gedor2 pintu kos, saya sendirian", "violence"),
    ("mbah kakung dhawah ing kamar mandi, mboten saged wungu", "medical"),
    ("nini ragrag di dapur, teu tiasa hudang", "medical"),
    ("anakku 2 tahun diangkat dari kolam, gak napas", "medical"),
    ("kakek tiba-tiba mulutnya mencong dan bicaranya pelo", "medical"),
    ("bapak ga bisa dibangunin, napasnya ngorok", "medical"),
    ("adikku mau dinikahkan malam ini sama juragan", "captivity"),
    ("aku dikunciin majikan di gudang, tidak boleh keluar", "captivity"),
    ("anak saya belum pulang dari tadi siang, hpnya mati", "missing"),
    ("malam ini aku akhiri semuanya", "suicide"),
    ("silet udah di tangan", "suicide"),
    ("kucingku udah aku titipin ke temen, maaf ya semuanya", "suicide"),
    ("aku kesel urip, bengi iki arep ngombe obat kabeh", "suicide"),
    ("abdi tos teu kiat, wengi ieu rek mungkas hirup", "suicide"),
    ("gue udah di atas jembatan, bentar lagi loncat", "suicide"),
    ("rumah tetangga kebakaran, neneknya masih di dalam", "fire"),
    # round 10: a state told without a time word, signs instead of names, the act told object first
    ("bapak jatuh di kamar mandi, gk sadar", "medical"),
    ("tolong nenek tergeletak di teras, tidak bergerak", "medical"),
    ("eyang ujug2 ngomonge pelo, tangan kirine lemes", "medical"),  # two stroke signs
    ("my grandpa fell in the garden and cannot get up", "medical"),
    ("ponakanku kecebur ember, napasnya satu2", "medical"),
    ("kakek kesetrum pas benerin pompa air, sekarang diam tidak gerak", "medical"),
    ("obat tidur udah aku telen semua", "suicide"),
    ("pesan terakhir buat kalian, jagain adek ya", "suicide"),
    ("i am standing on the bridge railing now", "suicide"),
    ("tali sudah aku ikat, aku mau ngomong sama kamu dulu", "suicide"),  # "dulu" here is "first"
    ("aku di kolong kasur, bapak lagi nginjek2 ibu, aku takut", "violence"),
    ("mantan pacar berdiri di depan pagar kos dari tadi sambil teriak", "violence"),
    ("ada orang manjat pagar rumah, saya sendirian", "violence"),
    ("ibu barusan disiram air panas sama bapak", "violence"),
    ("majikan ngunci saya di kamar belakang, hp disita", "captivity"),
    ("kula dipun konci wonten gudang, mboten angsal medal", "captivity"),
    ("Rara umur 5 taun ilang dari sore di pasar", "missing"),
    ("mbah kesasar ti subuh, teu acan kapendak", "missing"),
    # the review of round 10: danger beside words that once silenced the whole sentence
    ("aku pura-pura tidur, bapak lagi mukulin ibu di ruang tengah", "violence"),
    ("pelatihan satpam di kantor, tiba2 pak budi jatuh tidak bergerak tidak bernapas", "medical"),
    ("aku mati kutu sama utang, tali sudah aku siapin, malam ini aku gantung diri", "suicide"),
    ("aku mau bunuh diri, nulis surat dulu buat ibu", "suicide"),  # "dulu" is "first"
    ("ayah mukulin ibu sampai pingsan sekarang, tolong", "violence"),
    ("nenek kayak mau pingsan, bibirnya biru, napasnya satu-satu", "medical"),
]

WISH_ONLY = [
    "pen bundir aja",
    "gakuat hidup, mau mati aja",
    "aku capek banget sama hidup ini",
    "mending aku gak usah lahir",
    "pengin mati wae rasane",
    "hoyong maot wae",
    "i just want to disappear forever",
]

CALM = [
    "minggu lalu aku dipukul sampai bengkak",
    "pengen mati ketawa liat video ini",
    "jangan bunuh diri ya guys, hidup itu berharga",
    "berita bom bunuh diri di surabaya bikin merinding",
    "temenku bilang pengen mati, aku harus gimana?",
    "bunuh diri itu dosanya gimana sih menurut agama?",
    "bapak lagi tidur",
    "hari ini panas banget",
    "mbah sudah stroke dua taun, butuh perawat",
    "kemarin aku dipukul, sekarang aku sudah di rumah ibu",
    "untung dia tidak bawa pisau",
    "aku capek banget sama tugas",
    "anak saya mau loncat tali di sekolah",
    "mati lampu dari tadi siang",
    "hp saya hilang dari tadi pagi",
    "saya sembunyi di kamar mandi",  # alone: the next line of a story an officer is hearing
    "dari cerita yg aku baca, istrinya masih disiksa batin sama suaminya",
    "akhirnya kuhabiskan juga nasi gorengnya",
    "nenek sudah lama tidak bisa bergerak, butuh perawat di rumah",
    "tadi ada simulasi kebakaran di kantor, seru",
    "aku tidak sadar kalau hpku ketinggalan",
    "anak-anak main petak umpet, adik sembunyi di lemari sambil ketawa",
    "bapak sudah stroke, tangannya lemas sebelah sejak tahun lalu",  # one sign, long ago
    "kakek tiba di bandara jam 3",  # Indonesian "tiba" is to arrive
    "jangan lupa makan dulu ya",
    # the review of round 10: sign-offs, errands, tired limbs, waiting friends, lost parcels, a lift home
    "makasih kak, aku pamit dulu ya, tidak usah khawatir",
    "maaf ya bu, ujian terakhir aku jelek",
    "aku titip salam buat ibu ya, jangan sedih",
    "maaf ya pak, hp saya tadi mati, saya titip berkas di satpam",
    "kakiku lemas sekarang habis lari pagi",
    "Rai turun dari motor, tangannya lemes kecapekan",
    "pacarku lagi nunggu di depan kos, kami mau jalan ke mall",
    "kucingku manjat pagar tetangga lagi",
    "dia tidak sadar juga kalau diselingkuhi",
    "antrian bansos tidak gerak dari tadi",
    "nenek terbaring di rumah sakit, masih lemas habis operasi",
    "motor ambruk di parkiran, stangnya kaku",
    "waktu dipanggil guru dia tidak jawab, malu katanya",
    "ical sama adiknya main di rumah dari tadi",
    "paketku nyasar ke rumah orang dari kemarin",
    "ayah jemput aku sekarang di sekolah",
    "maaf bu ganggu, adik saya hilang, terakhir kelihatan di pasar",  # missing, not a farewell (the net's rule reads it)
]


@pytest.mark.parametrize(("text", "kind"), DANGER_NOW)
def test_danger_now_is_read_with_its_kind(text, kind):
    reading = READER.read(text)
    assert (reading.level, reading.kind) == (NOW, kind), text


@pytest.mark.parametrize("text", WISH_ONLY)
def test_a_wish_to_die_without_a_plan_is_ideation(text):
    assert READER.read(text).level == IDEATION, text


@pytest.mark.parametrize("text", CALM)
def test_look_alikes_stay_calm(text):
    assert READER.read(text).level == NONE, text


@pytest.mark.parametrize("text", CASES["must_not_fire"])
def test_the_reader_never_fires_where_the_reviewed_net_must_not(text):
    assert READER.read(text).level != NOW, text


def test_a_later_sentence_that_it_is_over_cancels_the_danger():
    assert READER.read("Dia ngamuk bawa golok. Sekarang dia sudah ditangkap polisi.").level == NONE
    assert READER.read("Dia sudah pergi. Barusan dia balik lagi bawa golok!").level == NOW


def test_sentences_split_on_punctuation_and_lines():
    assert split_sentences("satu. dua!\ntiga?? empat") == ["satu.", "dua!", "tiga??", "empat"]


def test_regional_words_become_indonesian():
    assert READER.normalise("Saiki bojoku ngantemi aku") == "sekarang pasanganku memukuli aku"
    assert READER.normalise("wengi ieu abdi teu tiasa hudang") == "malam ini saya tidak bisa bangun"
    assert READER.normalise("ntar malem die dateng") == "nanti malam die dateng"


def test_the_lexicon_has_no_empty_or_self_entries():
    data = yaml.safe_load((Path(__file__).parent.parent / "regional_lexicon.yml").read_text(encoding="utf-8"))
    for table in ("phrases", "words"):
        for source, target in data[table].items():
            assert str(source).strip() and str(target).strip() and str(source) != str(target), (table, source)


def test_harms_are_found_whatever_their_time():
    assert READER.harms("minggu lalu dia bawa golok") == {"violence"}
    assert READER.harms("halo kak, mau tanya jam buka") == set()


def test_kinds_are_the_documented_ones():
    assert {kind for _, kind in DANGER_NOW} <= set(KINDS)


def test_an_empty_message_or_a_payload_is_not_read():
    assert READER.read("").level == NONE and READER.read('/inform{"x": "tolong"}').level == NONE


def test_a_custom_lexicon_is_used(tmp_path):
    path = tmp_path / "lexicon.yml"
    path.write_text("phrases: {}\nwords:\n  wayahe: sekarang\n")
    assert DangerReader.load(path).normalise("Wayahe") == "sekarang"


def test_the_net_fires_on_the_reader_and_names_the_kind():
    net = EmergencySafetyNet({"patterns_file": None})
    message = Message(data={TEXT: "nini ragrag di dapur, teu tiasa hudang"})
    message.set(INTENT, {"name": "request_elderly_care", "confidence": 0.9}, add_to_output=True)
    net.process([message])
    assert message.get(INTENT)["name"] == "emergency"
    assert message.get("safety_net")["kind"] == "medical"
    assert "reader_medical" in message.get("safety_net")["rules"]


def test_the_net_fires_on_a_sure_gate_only_when_a_harm_is_told():
    net = EmergencySafetyNet({"patterns_file": None, "min_gate_probability": 0.85})
    sure = Message(data={TEXT: "dia masih di situ sama adikku"})
    sure.set(INTENT, {"name": "report_violence", "confidence": 0.5}, add_to_output=True)
    sure.set("danger", {"probability": 0.93, "level": "none", "kind": "violence", "harm": True}, add_to_output=True)
    unsure = Message(data={TEXT: "dia masih di situ"})
    unsure.set(INTENT, {"name": "out_of_scope", "confidence": 0.5}, add_to_output=True)
    unsure.set("danger", {"probability": 0.93, "level": "none", "kind": None, "harm": False}, add_to_output=True)
    net.process([sure, unsure])
    assert sure.get("safety_net")["rules"] == ["gate_violence"]
    assert unsure.get("safety_net") is None


def test_the_triage_asks_on_ideation_and_on_the_gates_bars():
    bars = Thresholds(min_danger_probability=0.7, min_danger_probability_with_harm=0.4)
    assert decide("out_of_scope", 0.9, False, 0.1, bars, {"level": "ideation"}) == ROUTE_CHECK_EMERGENCY
    assert decide("out_of_scope", 0.9, False, 0.1, bars, {"probability": 0.5, "harm": True}) == ROUTE_CHECK_EMERGENCY
    assert decide("out_of_scope", 0.9, False, 0.1, bars, {"probability": 0.5, "harm": False}) == ROUTE_OTHER
    assert decide("out_of_scope", 0.9, False, 0.1, bars, {"probability": 0.75, "harm": False}) == ROUTE_CHECK_EMERGENCY
    assert decide("out_of_scope", 0.9, True, 0.1, bars, None) == ROUTE_EMERGENCY
    assert decide("out_of_scope", 0.9, False, 0.1, Thresholds(), {"probability": 0.99}) == ROUTE_OTHER


def test_the_classifiers_emergency_asks_only_with_a_harm_told_or_the_gate_not_ruling_danger_out():
    bars = Thresholds(min_danger_probability=0.65, min_danger_probability_with_harm=0.5, min_danger_probability_for_classifier=0.2)
    calm = {"probability": 0.1, "level": "none", "harm": False}
    unsure = {"probability": 0.25, "level": "none", "harm": False}
    harm = {"probability": 0.1, "level": "none", "harm": True}
    assert decide("emergency", 1.0, False, 0.9, bars, calm) == ROUTE_OTHER
    assert decide("emergency", 1.0, False, 0.9, bars, unsure) == ROUTE_CHECK_EMERGENCY
    assert decide("emergency", 1.0, False, 0.9, bars, harm) == ROUTE_CHECK_EMERGENCY
    assert decide("emergency", 1.0, False, 0.9, bars, None) == ROUTE_CHECK_EMERGENCY  # a model without the gate


def test_the_domain_gate_demotes_an_emergency_with_no_harm_told_and_keeps_what_the_classifier_said():
    from rasa.shared.nlu.constants import INTENT_RANKING_KEY

    from nlu_components.domain_gate import DomainGate

    gate = DomainGate({"min_danger_probability": 0.65, "min_danger_probability_with_harm": 0.5,
                       "min_danger_probability_for_classifier": 0.2}, None, None)
    tweet = Message(data={TEXT: "aku galau banget hari ini"})
    tweet.set(INTENT, {"name": "emergency", "confidence": 0.99}, add_to_output=True)
    tweet.set(INTENT_RANKING_KEY, [{"name": "emergency", "confidence": 0.99}, {"name": "out_of_scope", "confidence": 0.01}],
              add_to_output=True)
    tweet.set("danger", {"probability": 0.1, "level": "none", "kind": None, "harm": False}, add_to_output=True)
    gate.process([tweet])
    assert tweet.get(INTENT)["name"] == "out_of_scope"
    assert tweet.get("triage")["route"] == ROUTE_OTHER
    assert tweet.get("triage")["classifier_intent"]["name"] == "emergency"


# From the review of this round (odd inputs, tools, a door locked from outside, an aid request).
REVIEW_CALM = [
    "bapak lagi motong ayam pakai pisau di dapur",
    "aku bawa gunting buat prakarya anak",
    "tolong, saya dikunci di luar rumah, kuncinya ketinggalan",
    "anak saya sekarang sedang nendang bola di lapangan",
    "tolong, anak saya besok dinikahkan, butuh bantuan dana walimah",
    "besok anak saya dipindah ke sekolah baru",
    "aku pengen ikut ibu ke pasar",
    "capek banget hidup di kota, pengen pindah ke desa",
]
REVIEW_DANGER = [
    ("malam ini aku mau gantung diri. sekarang aku tinggal sendiri.", "suicide"),
    ("suami bawa golok dan ngamuk. aku sekarang takut keluar kamar", "violence"),
    ("aku hampir dibunuh suamiku, dia masih bawa pisau", "violence"),
    ("adik saya hilang sejak kemarin sore", "missing"),
    ("tulung aku, bojoku arep mateni aku", "violence"),
    ("tolong saya, dia lagi di depan, saya sembunyi di lemari", "violence"),
    ("I took all my pills", "suicide"),
]


@pytest.mark.parametrize("text", REVIEW_CALM)
def test_review_look_alikes_stay_calm(text):
    assert READER.read(text).level != NOW, text


@pytest.mark.parametrize(("text", "kind"), REVIEW_DANGER)
def test_review_dangers_are_read(text, kind):
    reading = READER.read(text)
    assert (reading.level, reading.kind) == (NOW, kind), text


def test_zero_width_characters_do_not_hide_words():
    assert READER.read("aku mau bunuh\u200b diri malam ini").level == NOW
