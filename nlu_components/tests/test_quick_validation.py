"""The action results' validation with a validator built once accepts and refuses exactly
what Rasa's own validation does, with Rasa's own error message."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from nlu_components import quick_validation

ORIGINAL = RemoteAction._validate_action_result

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "location", "value": "sleman"}], "responses": [{"text": "Terima kasih"}]},
    {"events": [{"event": "active_loop", "name": "report_form"}, {"event": "followup", "name": "action_listen"}]},
]
BAD = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "slot"},
    {"events": [{"event": "slot"}], "responses": "not a list"},
    {"responses": [42]},
]


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    return RemoteAction("action_open_case", EndpointConfig("http://127.0.0.1:1/webhook"))


def outcome(validate, action, result):
    try:
        return validate(action, result)
    except ValidationError as error:
        return ("refused", error.message, list(error.path))


@pytest.mark.parametrize("result", GOOD + BAD)
def test_the_same_verdict_and_message_as_rasas_validation(action, result):
    assert outcome(quick_validation.validate_action_result, action, result) == outcome(ORIGINAL, action, result)


def test_good_results_pass_and_bad_ones_are_refused(action):
    assert all(quick_validation.validate_action_result(action, result) for result in GOOD)
    for result in BAD:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            quick_validation.validate_action_result(action, result)


def test_install_puts_it_in_rasas_place(action):
    quick_validation.install()
    assert RemoteAction._validate_action_result is quick_validation.validate_action_result
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": "slot"})
