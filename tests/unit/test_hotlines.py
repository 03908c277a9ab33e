import pytest

from bot.settings import PROJECT_ROOT
from referral.hotlines import format_hotlines, load_hotlines


def test_shipped_hotlines_include_the_contract_numbers_with_sources():
    hotlines = load_hotlines(PROJECT_ROOT / "config" / "hotlines.yml")
    assert {h.number for h in hotlines} >= {"112", "110", "119", "129"}
    assert all(h.source for h in hotlines)
    text = format_hotlines(hotlines)
    assert "08111-129-129" in text and "112" in text


def test_entry_without_source_is_refused(tmp_path):
    path = tmp_path / "h.yml"
    path.write_text("hotlines:\n  - number: '110'\n    name: Polisi\n")
    with pytest.raises(ValueError, match="lacks source"):
        load_hotlines(path)
