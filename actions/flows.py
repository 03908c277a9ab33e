"""The report flows: which questions a report of each category asks.

One shared base; the categories are thin subclasses that only say what differs.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.tracker_utils import shared_location


class ReportFlow:
    """Which questions a report of one category asks. The subclasses only differ in that."""

    category = "violence"
    asks_situation = False  # is it still going on? (violence and bullying)
    implied_victim: str | None = None  # a category that already says who (elderly care)
    victim_question = "ask_victim"

    def required_slots(self, tracker: Tracker) -> list[str]:
        slots = self.questions(tracker)
        if slots and "location" not in slots and shared_location(tracker) and tracker.get_slot("requested_slot"):
            slots.append("location")  # shared while another question waits: taken as the place all the same
        return slots

    def questions(self, tracker: Tracker) -> list[str]:
        if tracker.get_slot("report_cancelled"):
            return []
        # First questions of the triage: "is anyone in danger now?" (only the classifier
        # said emergency), "do you want to report something?" (little evidence of a report).
        if tracker.get_slot("emergency_check"):
            return ["danger_now"]
        if tracker.get_slot("emergency_ticket"):  # danger now: at most one more question, where
            return ["location"]
        if tracker.get_slot("report_offer"):
            return ["wants_report"]
        slots = ["description"]
        if self.implied_victim is None:
            slots.append("victim")
        if self.asks_situation:
            slots.append("situation")
        slots += ["location", "contact"]
        if tracker.get_slot("contact") == "telepon":
            slots.append("contact_phone")
        if tracker.get_slot("editing"):
            slots.append("edit_item")
        slots.append("confirmed")
        return slots


class ViolenceFlow(ReportFlow):
    category = "violence"
    asks_situation = True


class BullyingFlow(ReportFlow):
    category = "bullying"
    asks_situation = True


class ElderlyCareFlow(ReportFlow):
    category = "elderly_care"
    implied_victim = "lansia"


class AidFlow(ReportFlow):
    category = "aid"
    victim_question = "ask_victim_aid"


FLOWS: dict[str, ReportFlow] = {flow.category: flow for flow in (ViolenceFlow(), BullyingFlow(), ElderlyCareFlow(), AidFlow())}


def flow_for(tracker: Tracker) -> ReportFlow:
    return FLOWS.get(tracker.get_slot("category") or "", FLOWS["violence"])
