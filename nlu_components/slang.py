"""A whitespace tokenizer that also records a normalised form of informal words.

Each token keeps its text and offsets (so entity annotations still line up);
its lemma becomes the standard form from slang_lexicon.yml ("sy" → "saya",
"gk" → "tidak", "mukulin" → "pukul"). Featurizers that use lemmas (the
CountVectorsFeaturizer does by default) then see one word where people write
many spellings. Compared against the plain pipeline in docs/nlu.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

DEFAULT_LEXICON = Path(__file__).resolve().parent / "slang_lexicon.yml"


def load_lexicon(path: Optional[Path] = None) -> Dict[str, str]:
    data = yaml.safe_load(Path(path or DEFAULT_LEXICON).read_text(encoding="utf-8")) or {}
    return {str(key).lower(): str(value).lower() for key, value in data.items()}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SlangNormalisingTokenizer(WhitespaceTokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "lexicon_file": None}

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self.lexicon = load_lexicon(config.get("lexicon_file"))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SlangNormalisingTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        for token in tokens:
            normal = self.lexicon.get(token.text.lower())
            if normal:
                token.lemma = normal
        return tokens
