import random

import pytest

from wiring.settings import PROJECT_ROOT
from referral.geo import haversine_km
from referral.routing import FacilityIndex, FacilityPoint, RoutingConfig, RoutingError

CONFIG = RoutingConfig.load(PROJECT_ROOT / "config" / "routing.yml")
SERVICE_SETS = [
    {"pendampingan_korban", "konseling"},
    {"rumah_aman"},
    {"perawatan_lansia"},
    {"home_care_lansia", "santunan"},
    {"bantuan_pangan", "beasiswa"},
    {"pengasuhan_anak"},
]


def random_facilities(count: int, seed: int) -> list[FacilityPoint]:
    rng = random.Random(seed)
    return [
        FacilityPoint(
            code=f"F{i}", name=f"Facility {i}", kind=rng.choice(["PSKM", "AUMSOS", "PARTNER"]),
            services=frozenset(rng.choice(SERVICE_SETS)),
            latitude=rng.uniform(-11, 6), longitude=rng.uniform(95, 141),
        )
        for i in range(count)
    ]


def test_shipped_config_covers_every_category():
    assert set(CONFIG.category_services) == {"violence", "bullying", "elderly_care", "aid"}


@pytest.mark.parametrize("seed", range(5))
def test_index_agrees_with_brute_force_on_random_points(seed):
    index = FacilityIndex(random_facilities(2000, seed), CONFIG)
    rng = random.Random(1000 + seed)
    for _ in range(200):
        category = rng.choice(list(CONFIG.category_services))
        lat, lon = rng.uniform(-11, 6), rng.uniform(95, 141)
        result = index.route(category, lat, lon)
        expected = index.brute_force(category, lat, lon)
        got = ([result.facility] if result.facility else []) + result.alternatives
        assert [c.facility.code for c in got] == [c.facility.code for c in expected]
        for mine, theirs in zip(got, expected):
            assert mine.distance_km == pytest.approx(theirs.distance_km, abs=1e-6)


def test_only_capable_facilities_are_chosen():
    facilities = [
        FacilityPoint("NEAR-ELDERLY", "Panti Werdha", "AUMSOS", frozenset({"perawatan_lansia"}), -7.80, 110.36),
        FacilityPoint("FAR-PSKM", "PSKM", "PSKM", frozenset({"pendampingan_korban"}), -7.70, 110.40),
    ]
    result = FacilityIndex(facilities, CONFIG).route("violence", -7.80, 110.36)
    assert result.facility.facility.code == "FAR-PSKM"
    assert result.facility.distance_km == pytest.approx(haversine_km(-7.80, 110.36, -7.70, 110.40), abs=1e-6)
    assert result.alternatives == []


def test_beyond_the_maximum_distance_goes_to_the_coordinator():
    far = [FacilityPoint("JAYAPURA", "PSKM Jayapura", "PSKM", frozenset({"konseling"}), -2.53, 140.70)]
    result = FacilityIndex(far, CONFIG).route("bullying", -7.80, 110.36, province_code="34")
    assert result.facility is None
    assert result.fallback == {"level": "province", "province_code": "34", "reason": "no capable facility within 150 km"}
    assert [c.facility.code for c in result.alternatives] == ["JAYAPURA"]  # still shown, with its distance


def test_no_capable_facility_at_all_goes_to_the_national_coordinator():
    result = FacilityIndex([], CONFIG).route("elderly_care", -7.80, 110.36)
    assert result.facility is None
    assert result.fallback["level"] == "national"
    assert "no active facility offers" in result.fallback["reason"]


@pytest.mark.parametrize("lat, lon", [(91, 110), (-7, 181), (float("nan"), 110)])
def test_impossible_points_are_refused(lat, lon):
    with pytest.raises(RoutingError, match="not a point on Earth"):
        FacilityIndex([], CONFIG).route("aid", lat, lon)


def test_unknown_category_is_refused():
    with pytest.raises(RoutingError, match="unknown category 'weather'"):
        FacilityIndex([], CONFIG).route("weather", -7.8, 110.36)


def test_config_with_an_unknown_service_is_refused(tmp_path):
    path = tmp_path / "routing.yml"
    path.write_text(
        "category_services:\n  violence: [teleportasi]\n  bullying: [konseling]\n"
        "  elderly_care: [perawatan_lansia]\n  aid: [santunan]\n"
    )
    with pytest.raises(RoutingError, match="teleportasi"):
        RoutingConfig.load(path)


def test_json_shape():
    facilities = [FacilityPoint("A", "PSKM A", "PSKM", frozenset({"santunan"}), -7.8, 110.4)]
    data = FacilityIndex(facilities, CONFIG).route("aid", -7.8, 110.36).as_json()
    assert data["required_services"] == list(CONFIG.category_services["aid"])
    assert data["facility"]["code"] == "A" and data["facility"]["distance_km"] > 0
    assert data["alternatives"] == [] and data["fallback"] is None
