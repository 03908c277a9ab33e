"""Check the action server's answers against Rasa's schema without re-checking the schema.

Rasa validates every action server response with `jsonschema.validate(result, schema)`,
which first validates the schema itself against the JSON Schema 2020-12 metaschema, every
call: under `make bench-turns` that took about two thirds of Rasa's time (py-spy,
docs/performance.md). Here the validator is built (and its schema checked) once per action
class; the responses are validated exactly as before and a bad one fails with Rasa's own
error (nlu_components/tests/test_quick_validation.py).
"""

from __future__ import annotations

from typing import Any

_VALIDATORS: dict[type, Any] = {}
_ORIGINAL = None


def install() -> None:
    """Replace `RemoteAction._validate_action_result` (once); only our Rasa entry points call this."""
    global _ORIGINAL
    from rasa.core.actions.action import RemoteAction

    if _ORIGINAL is not None:
        return
    _ORIGINAL = RemoteAction._validate_action_result
    RemoteAction._validate_action_result = validate_action_result


def validator_for_action(action: Any):
    kind = type(action)
    if kind not in _VALIDATORS:
        from jsonschema.validators import validator_for

        schema = action.action_response_format_spec()
        validator_class = validator_for(schema)  # the class `jsonschema.validate` would pick
        validator_class.check_schema(schema)
        _VALIDATORS[kind] = validator_class(schema)
    return _VALIDATORS[kind]


def validate_action_result(self, result: dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    validator = validator_for_action(self)
    error = best_match(validator.iter_errors(result))  # what `jsonschema.validate` raises
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error
