"""Small readers over a Rasa tracker, shared by the actions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.answers import only_says_who
from nlu_components.danger_reader import KINDS as DANGER_KINDS
from referral.lifecycle import INTENT_TO_CATEGORY

REPORT_INTENTS = frozenset(INTENT_TO_CATEGORY) | {"emergency"}


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_route(tracker: Tracker) -> str:
    """What the NLU's domain gate says to do first with the latest message
    (nlu_components/triage.py): emergency, check_emergency, report, offer_report or other.
    A parse without the gate (an older model) is routed as before the gate: an emergency
    intent is the emergency path, a report intent starts the report."""
    route = (tracker.latest_message.get("triage") or {}).get("route")
    if route:
        return route
    intent = latest_intent(tracker)
    return "emergency" if intent == "emergency" else "report" if intent in INTENT_TO_CATEGORY else "other"


def reported(tracker: Tracker) -> bool:
    """Does the gate find that the latest message reports something (its evidence above
    its threshold)? Without the gate: yes."""
    triage = tracker.latest_message.get("triage") or {}
    return bool(triage.get("reported", True))


def intent_confidence(tracker: Tracker) -> float:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def danger_kind(tracker: Tracker) -> str | None:
    """The kind of danger the NLU read in the latest message (the safety net's, else the
    danger gate's), for the first reply: medical leads with 119, suicide with the mental-health line."""
    message = tracker.latest_message
    for source in ("safety_net", "danger"):
        kind = (message.get(source) or {}).get("kind")
        if kind in DANGER_KINDS:
            return kind
    return None


def safety_net_fired(tracker: Tracker) -> bool:
    return bool((tracker.latest_message.get("safety_net") or {}).get("fired"))


# Inside the report form a reply is read as an answer first. The classifier alone sends it to
# the emergency check only at this confidence or more. Measured on the held-out sets
# (tests/nlu, 1,417 messages; docs/nlu.md, "Danger in a form's answers"): 0.9 keeps 159 of the
# classifier's 165 `emergency` calls on real emergencies (every one of which the safety net
# caught as well) and drops 5 of its 18 false alarms (10 words or fewer: 89 of 91 kept, 5 of
# 9 dropped). 0.8 drops one false alarm fewer; 0.95 four more, and two more real ones.
CONFIDENT_DANGER = 0.9


def danger_for_the_rules(tracker: Tracker) -> bool:
    """During the report form: is the latest reply danger the emergency rule must take
    rather than an answer to the question asked? When the safety net fired; while an
    emergency case is being completed, whenever the classifier says so (danger is known
    already: it is added to that case); otherwise when the classifier is confident, unless
    the reply only says who someone is ("anak sulung saya, 13 tahun": its confidence is
    often saturated on such replies; none of the held-out messages is one)."""
    if latest_intent(tracker) != "emergency":
        return False
    if safety_net_fired(tracker) or tracker.get_slot("emergency_ticket"):
        return True
    text = tracker.latest_message.get("text") or ""
    return intent_confidence(tracker) >= CONFIDENT_DANGER and not only_says_who(text)


def gateway_message_id(tracker: Tracker) -> object:
    """The gateway's id of the message being handled (message metadata), if any."""
    return (tracker.latest_message.get("metadata") or {}).get("message_id")


def shared_location(tracker: Tracker) -> tuple[float, float] | None:
    """Coordinates the gateway put in the message metadata, when the reporter shared a location."""
    metadata: dict[str, Any] = tracker.latest_message.get("metadata") or {}
    location = metadata.get("location") or {}
    try:
        latitude, longitude = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def report_description(tracker: Tracker, limit: int = 2000) -> str | None:
    """What the reporter told us happened: their messages since the report began, oldest
    first, without the answers to our questions (a place, a yes, a contact: a message
    written while the form asked for something other than the story)."""
    messages: list[tuple[str, str | None, bool]] = []  # (text, intent, an answer to a question)
    asked = None
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        elif event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            messages.append(((event.get("text") or "").strip(), intent, asked not in (None, "description")))
    start = max((i for i, (_, intent, _) in enumerate(messages) if intent in REPORT_INTENTS), default=0)
    texts = [text for text, _, answer in messages[start:] if text and not text.startswith("/") and not answer]
    description = "\n".join(texts).strip()
    return description[:limit] or None


# Below this confidence a runner-up intent says little about the topic.
MIN_TOPIC_CONFIDENCE = 0.25


def category_from_ranking(tracker: Tracker) -> str:
    """For an emergency: the report category the classifier ranked highest.

    Danger now is most often violence, so that is the default when no report
    intent stands out.
    """
    for entry in tracker.latest_message.get("intent_ranking") or []:
        category = INTENT_TO_CATEGORY.get(entry.get("name"))
        if category and (entry.get("confidence") or 0) >= MIN_TOPIC_CONFIDENCE:
            return category
    return "violence"
