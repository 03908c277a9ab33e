"""Reporter words for staff on Telegram: every part's quote covers text Telegram keeps."""

from messaging.staff_text import quoted, utf16_len


def quote_of(part) -> str:
    [entity] = [e for e in part.entities if e["type"] == "blockquote"]
    units = part.text.encode("utf-16-le")
    return units[2 * entity["offset"]: 2 * (entity["offset"] + entity["length"])].decode("utf-16-le")


def test_a_cut_inside_a_run_of_blanks_leaves_no_quote_ending_in_blank_and_no_empty_part():
    words = "a" * 60 + " " * 50 + "\n\n\n" + "b" * 30
    parts = quoted("💬 MPKS-2026-00001:", words, limit=100)
    assert len(parts) == 2
    for part in parts:
        quote = quote_of(part)
        assert quote and quote == quote.strip()  # Telegram trims the text; the entity must fit
        assert utf16_len(part.text) <= 100 and part.text == part.text.rstrip()
    assert [quote_of(p) for p in parts] == ["a" * 60, "b" * 30]


def test_blank_words_give_the_header_alone():
    [part] = quoted("💬 MPKS-2026-00001:", " \n ", limit=100)
    assert part.text == "💬 MPKS-2026-00001:" and [e["type"] for e in part.entities] == ["bold"]
