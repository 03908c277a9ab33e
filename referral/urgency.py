"""How urgent a case is, from what the reporter told us (the contract's rules).

emergency: danger now. high: a child victim of violence or bullying, sexual violence,
abuse still going on, an elderly person alone and unwell. normal: the rest.
The word lists are deliberately small and reviewed: they raise urgency, never lower it.
"""

from __future__ import annotations

import re

from referral.lifecycle import CATEGORIES, CaseError

SEXUAL_VIOLENCE = re.compile(
    r"\b(cabul\w*|dicabuli|mencabuli|pencabulan|perkosa\w*|diperkosa|pemerkosaan|rudapaksa|pelecehan\s+seksual|dilecehkan|"
    r"dilecehin|disetubuhi|dihamili|digrepe\w*|"
    r"digerayangi|grepe\w*|diraba\w*|meraba\w*|sodomi\w*|disodomi|persetubuhan|kekerasan\s+seksual|"
    r"sexual(ly)?\s+(abus\w*|assault\w*|harass\w*)|raped?|molest\w*)\b",
    re.IGNORECASE,
)
ALONE = re.compile(
    r"\b(sendiri(an)?|sorangan|dewe(kan)?|ijen|piyambak(an)?|nyalira|ditinggal\w*|terlantar|telantar|"
    r"tidak\s+ada\s+yang\s+(merawat|ngurus)|"
    r"gak\s+ada\s+yang\s+(ngurus|merawat)|alone|abandoned|nobody\s+(cares|looks))\b",
    re.IGNORECASE,
)
UNWELL = re.compile(
    r"\b(sakit\w*|pikun|demensia|stroke|lumpuh|gering|gerah|loro|teu\s+damang|demam|ga\s+bisa\s+jalan|gak\s+bisa\s+jalan|"
    r"tidak\s+bisa\s+jalan|terbaring|sick|ill|dementia|bedridden|paralysed|paralyzed)\b",
    re.IGNORECASE,
)


def mentions_sexual_violence(text: str | None) -> bool:
    return bool(text and SEXUAL_VIOLENCE.search(text))


def elderly_alone_and_unwell(text: str | None) -> bool:
    return bool(text and ALONE.search(text) and UNWELL.search(text))


def assess_urgency(
    category: str, *, is_emergency: bool, victim: str | None, ongoing: bool = False, description: str | None = None
) -> str:
    if category not in CATEGORIES:
        raise CaseError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    if is_emergency:
        return "emergency"
    if category in ("violence", "bullying") and (victim == "anak" or ongoing):
        return "high"
    if mentions_sexual_violence(description):  # any sexual violence, whatever the category
        return "high"
    if category == "elderly_care" and elderly_alone_and_unwell(description):
        return "high"
    return "normal"
