"""Choosing a text's language variant: shared by the gateway's own replies and the actions'."""


def localised(table: dict[str, dict[str, str]], key: str, language: str, **values: object) -> str:
    """A text from `table` in `language`, Indonesian when there is no such variant."""
    variants = table[key]
    return variants.get(language, variants["id"]).format(**values)
