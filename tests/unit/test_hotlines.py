import pytest
import yaml

from wiring.settings import PROJECT_ROOT
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


def test_the_numbers_follow_the_kind_of_danger():
    hotlines = load_hotlines(PROJECT_ROOT / "config" / "hotlines.yml")
    medical = format_hotlines(hotlines, "medical").splitlines()
    suicide = format_hotlines(hotlines, "suicide").splitlines()
    general = format_hotlines(hotlines).splitlines()
    assert medical[0].startswith("• 119:") and not any("119 ext 8" in line for line in medical)
    assert suicide[0].startswith("• 119 ext 8:") and len(suicide) == len(general) + 1
    assert general[0].startswith("• 112:")


def test_the_mental_health_line_names_its_source_and_when_it_was_checked():
    data = yaml.safe_load((PROJECT_ROOT / "config" / "hotlines.yml").read_text(encoding="utf-8"))
    line = next(entry for entry in data["hotlines"] if entry["number"] == "119 ext 8")
    assert "Kemenkes" in line["source"] and "https://" in line["source"] and line["checked"]
    assert line["only_for"] == ["suicide"]
