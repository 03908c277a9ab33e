import pytest

from referral.lifecycle import ALLOWED_TRANSITIONS, CaseError, IllegalTransition, check_transition
from referral.urgency import assess_urgency


@pytest.mark.parametrize(
    "current, wanted",
    [("new", "referred"), ("referred", "accepted"), ("referred", "new"), ("accepted", "in_progress"), ("in_progress", "closed")],
)
def test_contract_transitions_are_allowed(current, wanted):
    assert wanted in ALLOWED_TRANSITIONS[current]
    assert check_transition("MPKS-2026-00001", current, wanted) is None  # raises when refused


@pytest.mark.parametrize("current, wanted", [("new", "accepted"), ("closed", "new"), ("in_progress", "referred")])
def test_other_transitions_are_refused_with_a_clear_reason(current, wanted):
    with pytest.raises(IllegalTransition, match=f"cannot go from '{current}' to '{wanted}'"):
        check_transition("MPKS-2026-00001", current, wanted)


def test_unknown_status_is_named():
    with pytest.raises(CaseError, match="unknown case status 'lost'"):
        check_transition("MPKS-2026-00001", "new", "lost")


def test_urgency_from_the_first_facts():
    assert assess_urgency("aid", is_emergency=True, victim=None) == "emergency"
    assert assess_urgency("bullying", is_emergency=False, victim="anak") == "high"
    assert assess_urgency("aid", is_emergency=False, victim="anak") == "normal"
    with pytest.raises(CaseError, match="unknown category"):
        assess_urgency("weather", is_emergency=False, victim=None)


def test_urgency_follows_the_contracts_rules():
    assert assess_urgency("violence", is_emergency=False, victim="perempuan", ongoing=True) == "high"
    assert assess_urgency("violence", is_emergency=False, victim="perempuan") == "normal"
    assert assess_urgency("violence", is_emergency=False, victim="lainnya", description="keponakan saya dicabuli tetangga") == "high"
    assert assess_urgency("violence", is_emergency=False, victim=None, description="she was sexually assaulted") == "high"
    assert assess_urgency("elderly_care", is_emergency=False, victim="lansia", description="mbah tinggal sendirian dan sakit stroke") == "high"
    assert assess_urgency("elderly_care", is_emergency=False, victim="lansia", description="mbah tinggal sendirian") == "normal"
    assert assess_urgency("aid", is_emergency=False, victim=None, ongoing=True) == "normal"  # "ongoing" is for abuse


def test_indonesian_phone_numbers():
    from referral.phones import normalise_phone

    assert normalise_phone("0812-3456-7890") == "+6281234567890"
    assert normalise_phone("+62 812 3456 789") == "+628123456789"
    assert normalise_phone("62 274 123456") == "+62274123456"
    assert normalise_phone("(0274) 555-1234") == "+622745551234"
    for bad in ("12345", "0812", "+1 415 555 0100", "08123456789012345", "nomor saya rahasia", "0000000000"):
        assert normalise_phone(bad) is None, bad


def test_sexual_violence_is_high_in_any_category_and_in_more_words():
    for words in ("pemerkosaan", "pencabulan", "disetubuhi", "dihamili", "digrepe", "dilecehin"):
        assert assess_urgency("violence", is_emergency=False, victim=None, description=f"kasus {words} di kampung") == "high", words
    assert assess_urgency("bullying", is_emergency=False, victim="perempuan", description="dia digrepe teman sekelas") == "high"
    assert assess_urgency("elderly_care", is_emergency=False, victim="lansia", description="mbah piyambakan lan gerah") == "high"
