import pytest

from referral.tickets import InvalidTicket, find_ticket, format_ticket, parse_ticket


def test_format_pads_to_five_digits():
    assert format_ticket(2026, 123) == "MPKS-2026-00123"


def test_format_grows_past_five_digits():
    assert format_ticket(2026, 1234567) == "MPKS-2026-1234567"


@pytest.mark.parametrize("year, sequence", [(26, 1), (2026, 0), (2026, -5), (12345, 1)])
def test_format_rejects_impossible_numbers(year, sequence):
    with pytest.raises(InvalidTicket):
        format_ticket(year, sequence)


def test_parse_round_trips():
    assert parse_ticket(format_ticket(2027, 42)) == (2027, 42)


def test_parse_accepts_lower_case_and_spaces():
    assert parse_ticket("  mpks-2026-00042 ") == (2026, 42)


@pytest.mark.parametrize("text", ["MPKS-2026-123", "MPKS-26-00123", "ABCD-2026-00123", "MPKS-2026-00123x", ""])
def test_parse_rejects_malformed(text):
    with pytest.raises(InvalidTicket):
        parse_ticket(text)


def test_find_in_free_text():
    assert find_ticket("status laporan mpks-2026-00311 gimana?") == "MPKS-2026-00311"
    assert find_ticket("laporan saya kemarin gimana?") is None
