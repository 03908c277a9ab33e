"""The quick DIET load gives a model that predicts exactly what Rasa's own load gives.

A small DIET (intents and an entity, so the CRF is loaded too) is trained here, then
loaded Rasa's way and the quick way; both parse the same messages.
"""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.utils.tensorflow.constants import RUN_EAGERLY
from rasa.utils.tensorflow.models import RasaModel

from nlu_components import quick_load

CONFIG = """
recipe: default.v1
language: id
assistant_id: quick-load-test
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
    case_sensitive: false
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: DIETClassifier
    epochs: 40
    number_of_transformer_layers: 1
    constrain_similarities: true
    random_seed: 1
policies: []
"""

NLU = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - halo
    - hai min
    - assalamualaikum
    - selamat pagi
- intent: report_bullying
  examples: |
    - anak saya dibully di [sekolah](place)
    - adik diejek teman di [pondok](place)
    - keponakan dikucilkan di [sekolah](place)
    - dia dirundung di [asrama](place)
- intent: request_aid
  examples: |
    - butuh bantuan sembako
    - minta bantuan biaya sekolah
    - tolong bantu beras
    - perlu bantuan makan
"""

MESSAGES = ["halo min", "anak saya dibully di sekolah", "anak saya diejek di sekolah", "butuh beras", "saya dirundung di asrama", "apa kabar"]


def parses(model_path: str) -> list[dict]:
    agent = Agent.load(model_path)

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(text) for text in MESSAGES]

    return asyncio.run(parse_all())


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("quick-load")
    (folder / "config.yml").write_text(CONFIG)
    (folder / "nlu.yml").write_text(NLU)
    model = train_nlu(str(folder / "config.yml"), str(folder / "nlu.yml"), str(folder / "models"),
                      fixed_model_name="small")
    assert model, "the small model did not train"
    return model


@pytest.fixture
def rasas_own_load():
    """Rasa's `RasaModel.load` again after the test (the quick one is installed for good by serve)."""
    original = RasaModel.__dict__["load"]
    yield
    RasaModel.load = original
    quick_load._ORIGINAL_LOAD = None


def test_the_quick_load_predicts_exactly_what_rasas_load_predicts(small_model, rasas_own_load, monkeypatch):
    rasas = parses(small_model)
    quick_load.install()
    calls = []

    def recording(cls, *args, **kwargs):
        model = original(cls, *args, **kwargs)
        calls.append((kwargs["config"][RUN_EAGERLY], model))
        return model

    original = quick_load._ORIGINAL_LOAD
    monkeypatch.setattr(quick_load, "_ORIGINAL_LOAD", recording)
    quick = parses(small_model)
    # the quick path ran: the weight-building fit eagerly, the loaded model predicting in a graph
    assert [eagerly for eagerly, _ in calls] == [True]
    [(_, model)] = calls
    assert model.run_eagerly is False and model.config[RUN_EAGERLY] is False
    assert model._tf_predict_step is not None  # traced at load, as Rasa's own load does
    for theirs, ours in zip(rasas, quick):
        assert ours["intent"] == theirs["intent"]
        assert ours["intent_ranking"] == theirs["intent_ranking"]
        assert ours["entities"] == theirs["entities"]
    # the CRF was loaded too (asked of the model, not of a freshly trained model's guess)
    assert any(spec.num_tags > 1 for spec in model._entity_tag_specs)
