"""The officers' timers, from the environment (minutes and hours, as a coordinator thinks of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wiring.environment import Environment


@dataclass(frozen=True)
class AlertTimes:
    """How often an untaken emergency is alerted again, and when the coordinators hear of
    it; when an officer holding a quiet takeover is reminded, and when the coordinators
    hear of that; the referral SLA (hours) for normal and for high-urgency cases; how long a
    "danger now?" question may stay unanswered before it becomes a possible-emergency case,
    and how often that possible emergency is alerted again (slower than an emergency) until
    an officer looks, and when the coordinators hear nobody has."""

    emergency_repeat_s: float = 300.0
    emergency_escalate_s: float = 900.0
    takeover_remind_s: float = 600.0
    takeover_escalate_s: float = 1800.0
    referral_sla_hours: float = 24.0
    referral_sla_urgent_hours: float = 1.0
    emergency_check_s: float = 300.0  # a "danger now?" question unanswered this long reaches an officer
    possible_emergency_repeat_s: float = 600.0
    possible_emergency_escalate_s: float = 1800.0

    @classmethod
    def from_env(cls, env: Environment) -> "AlertTimes":
        return cls(
            emergency_repeat_s=60.0 * env.get_positive("HELPLINE_EMERGENCY_REPEAT_MINUTES", 5),
            emergency_escalate_s=60.0 * env.get_positive("HELPLINE_EMERGENCY_ESCALATE_MINUTES", 15),
            takeover_remind_s=60.0 * env.get_positive("HELPLINE_TAKEOVER_REMIND_MINUTES", 10),
            takeover_escalate_s=60.0 * env.get_positive("HELPLINE_TAKEOVER_ESCALATE_MINUTES", 30),
            referral_sla_hours=float(env.get_positive("HELPLINE_REFERRAL_SLA_HOURS", 24)),
            referral_sla_urgent_hours=float(env.get_positive("HELPLINE_REFERRAL_SLA_URGENT_HOURS", 1)),
            emergency_check_s=60.0 * env.get_positive("HELPLINE_EMERGENCY_CHECK_MINUTES", 5),
            possible_emergency_repeat_s=60.0 * env.get_positive("HELPLINE_POSSIBLE_EMERGENCY_REPEAT_MINUTES", 10),
            possible_emergency_escalate_s=60.0 * env.get_positive("HELPLINE_POSSIBLE_EMERGENCY_ESCALATE_MINUTES", 30),
        )
