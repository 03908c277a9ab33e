"""What the safety net fires on, in one place for the Rasa component (safety_net.py) and the
gateway's emergency check during a takeover (bot/gateway/danger_check.py): the reviewed rules
(emergency_patterns.yml) and the danger reader together, unless the whole message asks what to
do if something happened ("kalau ada yang kejang, harus diapain?": advice, not an alert), and
without the suicide rules when the reader sets the wish aside (someone else says it, with no
plan or sign of now; or told as the past and recovered from)."""

from __future__ import annotations

from typing import List, Tuple

from nlu_components.danger_reader import Reading, default_reader, is_question_for_later
from nlu_components.emergency_patterns import RULE_KINDS, EmergencyPatterns


def danger_now(text: str, patterns: EmergencyPatterns) -> Tuple[List[str], Reading]:
    """(the rules that fired, `reader_KIND` included when the reader reads danger now; the
    reader's reading). No rule fired: no danger now by rule (the danger gate may still fire)."""
    if not text or text.startswith("/") or is_question_for_later(text):
        return [], Reading()
    fired = patterns.matching_rules(text)
    reading = default_reader().read(text)
    if fired and reading.dismissed_wish and all(RULE_KINDS.get(rule) == "suicide" for rule in fired):
        # The rules see words of dying; the reader read whose wish it is and when: worry about
        # what someone else says, or a wish recovered from, is not danger now.
        fired = []
    if reading.is_danger_now:
        fired.append(f"reader_{reading.kind}")
    return fired, reading
