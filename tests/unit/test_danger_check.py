"""The emergency check on messages during a takeover (bot/gateway/danger_check.py): the parse's kind
of danger, and the safety net read here when Rasa is down (its rules and the danger reader)."""

from bot.gateway.danger_check import EMERGENCY, POSSIBLE, reading_by_rules, reading_of, reporter_lines
from wiring.settings import PROJECT_ROOT

HOTLINES = PROJECT_ROOT / "config" / "hotlines.yml"


def test_a_parse_carries_its_kind_of_danger():
    fired = reading_of({"safety_net": {"fired": True, "kind": "medical"}, "intent": {"name": "emergency"}})
    asked = reading_of({"triage": {"route": "check_emergency"}, "danger": {"kind": "suicide"}})
    assert (fired.danger, fired.kind) == (EMERGENCY, "medical")
    assert (asked.danger, asked.kind) == (POSSIBLE, "suicide")


def test_with_rasa_down_the_reader_reads_javanese_danger_and_its_kind():
    reading = reading_by_rules("mbah dhawah ing kamar mandi, mboten saged wungu")
    assert (reading.danger, reading.kind) == (EMERGENCY, "medical")
    assert not reading_by_rules("matur nuwun sanget").checked  # nothing seen: the officer reads it with care


def test_the_reporter_lines_follow_the_kind():
    medical = reporter_lines(reading_by_rules("bapak pingsan gak napas"), HOTLINES, "id", ticket=None, is_new=True)
    assert medical[0].startswith("Segera telepon 119") and "\n• 119:" in medical[0]
    suicide = reporter_lines(reading_by_rules("malam ini aku akhiri semuanya"), HOTLINES, "id", ticket="MPKS-2026-00001",
                             is_new=True)
    assert "• 119 ext 8" in suicide[0] and "MPKS-2026-00001" in suicide[1]
