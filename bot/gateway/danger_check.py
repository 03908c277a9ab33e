"""The emergency check on a message an officer will read: while an officer holds the
conversation, Rasa's dialogue is paused, but every reporter message is still read by its
NLU (the parse endpoint: the rule-based safety net and the classifier), so that danger is
never left to an officer who may have stepped away.

- the safety net fired (danger now, by reviewed rules): the emergency path, as the bot
  would take it (the hotline numbers at once, an emergency case or an `emergency_repeated`
  event on the open one, the emergency alert chain);
- only the classifier says `emergency`: the officer is asked to check (the officer, not
  the bot, asks "is anyone in danger now?" and gives the numbers if needed: a classifier's
  guess does not interrupt a person's conversation);
- Rasa does not answer: the safety net is read here instead (the same reviewed rules and
  the danger reader, no classifier), so danger now still takes the emergency path; otherwise the message
  reaches the officer at once, marked as unchecked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# The emergency path's own words, so that a reporter reads the same lines whoever holds
# the conversation (actions/texts.py is plain data; it imports only a type from rasa_sdk).
from actions.texts import action_text, text_for_kind
from bot.gateway.engine_client import EngineClient, EngineUnavailable
from nlu_components.danger_now import danger_now
from nlu_components.emergency_patterns import EmergencyPatterns, kind_of_rules
from referral.hotlines import format_hotlines, load_hotlines
from referral.lifecycle import INTENT_TO_CATEGORY

log = logging.getLogger(__name__)
EMERGENCY = "emergency"  # the safety net fired
POSSIBLE = "possible_emergency"  # only the classifier took it for danger now
DEFAULT_CATEGORY = "violence"  # danger now is most often violence
MIN_TOPIC_CONFIDENCE = 0.25  # as the emergency action reads the ranking


@dataclass(frozen=True)
class Reading:
    danger: str | None  # EMERGENCY, POSSIBLE or None
    category: str = DEFAULT_CATEGORY  # the report category the classifier ranked highest
    checked: bool = True  # False: the NLU could not read it (the officer is told)
    kind: str | None = None  # medical, suicide, ...: the reporter's first lines follow it


NOTHING_TO_READ = Reading(None)
NOT_CHECKED = Reading(None, checked=False)


def reading_of(parse: dict[str, Any]) -> Reading:
    """What a parse result says of danger (nlu_components/triage.py's routes)."""
    category = next(
        (INTENT_TO_CATEGORY[entry["name"]] for entry in parse.get("intent_ranking") or []
         if isinstance(entry, dict) and entry.get("name") in INTENT_TO_CATEGORY
         and (entry.get("confidence") or 0) >= MIN_TOPIC_CONFIDENCE),
        DEFAULT_CATEGORY,
    )
    net = parse.get("safety_net") or {}
    kind = net.get("kind") or (parse.get("danger") or {}).get("kind")
    if net.get("fired"):
        return Reading(EMERGENCY, category, kind=kind)
    route = (parse.get("triage") or {}).get("route")
    classifier_only = route == "check_emergency" if route else (parse.get("intent") or {}).get("name") == EMERGENCY
    return Reading(POSSIBLE if classifier_only else None, category, kind=kind)


async def read_danger(engine: EngineClient, text: str | None) -> Reading:
    """Read one message for danger (a text, or a photo's caption)."""
    if not (text or "").strip():
        return NOTHING_TO_READ
    try:
        return reading_of(await engine.parse(text or ""))
    except EngineUnavailable as error:
        log.warning("the NLU could not read a message for the officer (%s): the safety net's rules read it here", error)
        return reading_by_rules(text or "")


@lru_cache(maxsize=1)
def safety_net_rules() -> EmergencyPatterns:
    return EmergencyPatterns.load()  # the file the served model's net reads


def reading_by_rules(text: str) -> Reading:
    """The safety net alone (its rules and the danger reader), for when Rasa is down: it
    fires → the emergency path; silent → unchecked (the classifier could not look), for the
    officer to read with care."""
    if text.startswith("/"):
        return NOT_CHECKED
    rules, reading = danger_now(text, safety_net_rules())
    if not rules:
        return NOT_CHECKED
    return Reading(EMERGENCY, kind="suicide" if reading.kind == "suicide" else kind_of_rules(rules))


def reporter_lines(reading: Reading, hotlines_file: Path, language: str, *, ticket: str | None, is_new: bool) -> list[str]:
    """What the reporter reads at once when the safety net finds danger in a message held by
    an officer (nothing for the classifier's guess alone: the officer judges that)."""
    if reading.danger != EMERGENCY:
        return []
    hotlines = format_hotlines(load_hotlines(hotlines_file), reading.kind)  # read each time: coordinators may correct it
    lines = [action_text(text_for_kind("emergency_hotlines", reading.kind), language, hotlines=hotlines)]
    if ticket:
        lines.append(action_text("emergency_opened" if is_new else "emergency_repeated", language, ticket=ticket))
    return lines
