import pytest

from referral.cases import NewCase, open_case
from referral.facilities import import_rows, read_csv_text, routing_points
from referral.routing import FacilityIndex, RoutingConfig
from referral.referrals import ReferralError, accept_referral, decline_referral, refer_case
from referral.storage import unit_of_work
from tests.helpers import PROJECT_ROOT

CONFIG = RoutingConfig.load(PROJECT_ROOT / "config" / "routing.yml")
DIRECTORY = """code,name,kind,services,latitude,longitude,province_code,regency_code,district_code,address,phone,active
PSKM-SLEMAN,PSKM Sleman (contoh),PSKM,pendampingan_korban;konseling,-7.716,110.356,,,,,,true
WERDHA-JOGJA,Panti Werdha Jogja (contoh),AUMSOS,perawatan_lansia,-7.80,110.37,,,,,,true
"""


@pytest.fixture
def index(sessions, gazetteer):
    with unit_of_work(sessions) as session:
        import_rows(session, read_csv_text(DIRECTORY, gazetteer))
        return FacilityIndex(routing_points(session, gazetteer), CONFIG)


def test_a_case_with_a_point_is_referred_to_the_nearest_capable_facility(sessions, index, gazetteer):
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="bullying", latitude=-7.75, longitude=110.38), actor="bot")
        result = refer_case(session, case, index, gazetteer, actor="bot")
        assert result.facility.facility.code == "PSKM-SLEMAN"
        assert case.status == "referred"
        assert (case.province_code, case.regency_code) == ("34", "34.04")
        [referral] = case.referrals
        assert referral.status == "sent" and referral.distance_km == pytest.approx(result.facility.distance_km, abs=0.01)
        assert [(e.kind, e.to_status) for e in case.events] == [("opened", "new"), ("status", "referred")]


def test_a_typed_place_is_resolved_to_its_region(sessions, index, gazetteer):
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="elderly_care", location_text="kec. kasihan, bantul"), actor="bot")
        result = refer_case(session, case, index, gazetteer, actor="bot")
        assert case.district_code == "34.02.16"
        assert result.facility.facility.code == "WERDHA-JOGJA"


def test_too_far_goes_to_the_provincial_coordinator_and_stays_new(sessions, index, gazetteer):
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="violence", location_text="Merauke"), actor="bot")
        result = refer_case(session, case, index, gazetteer, actor="bot")
        assert result.facility is None and result.fallback["province_code"] == "93"
        assert case.status == "new" and case.referrals == []
        assert case.events[-1].kind == "fallback"


def test_no_location_leaves_the_case_for_a_coordinator(sessions, index, gazetteer):
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="aid"), actor="bot")
        assert refer_case(session, case, index, gazetteer, actor="bot") is None
        assert case.status == "new" and case.events[-1].kind == "unrouted"


def test_accept_moves_case_and_referral_forward(sessions, index, gazetteer):
    with unit_of_work(sessions) as session:
        case = open_case(session, NewCase(category="bullying", latitude=-7.75, longitude=110.38), actor="bot")
        refer_case(session, case, index, gazetteer, actor="bot")
        referral = accept_referral(session, case, actor="facility:PSKM-SLEMAN")
        assert (referral.status, case.status) == ("accepted", "accepted")
        assert referral.responded_at is not None
        with pytest.raises(ReferralError, match="no referral waiting"):
            accept_referral(session, case, actor="facility:PSKM-SLEMAN")


def test_decline_records_the_reason_and_routes_elsewhere(sessions, index, gazetteer):
    extra = DIRECTORY.splitlines()[0] + "\nPPA-JOGJA,UPTD PPA (contoh),PARTNER,konseling,-7.80,110.37,,,,,,true\n"
    with unit_of_work(sessions) as session:
        import_rows(session, read_csv_text(extra, gazetteer))
        full_index = FacilityIndex(routing_points(session, gazetteer), CONFIG)
        case = open_case(session, NewCase(category="bullying", latitude=-7.72, longitude=110.36), actor="bot")
        first = refer_case(session, case, full_index, gazetteer, actor="bot").facility.facility.code
        with pytest.raises(ReferralError, match="needs a reason"):
            decline_referral(session, case, "  ", full_index, gazetteer, actor="facility")
        second = decline_referral(session, case, "kapasitas penuh", full_index, gazetteer, actor="facility")
        assert first == "PSKM-SLEMAN" and second.facility.facility.code == "PPA-JOGJA"
        assert [r.status for r in case.referrals] == ["declined", "sent"]
        assert case.referrals[0].reason == "kapasitas penuh"
        assert [e.to_status for e in case.events if e.kind == "status"] == ["referred", "new", "referred"]
