"""Every audit action has the Indonesian name coordinators read it by."""

from bot.desk.texts import AUDIT_NAMES
from referral.audit import ACTIONS


def test_every_audit_action_has_an_indonesian_name():
    assert set(AUDIT_NAMES) == set(ACTIONS)
