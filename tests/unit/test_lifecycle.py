import pytest

from referral.lifecycle import ALLOWED_TRANSITIONS, CaseError, IllegalTransition, assess_urgency, check_transition


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


def test_urgency():
    assert assess_urgency("aid", is_emergency=True, victim=None) == "emergency"
    assert assess_urgency("bullying", is_emergency=False, victim="anak") == "high"
    assert assess_urgency("aid", is_emergency=False, victim="anak") == "normal"
    with pytest.raises(CaseError, match="unknown category"):
        assess_urgency("weather", is_emergency=False, victim=None)
