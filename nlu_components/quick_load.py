"""Load DIET in seconds instead of half a minute.

Rasa builds a loaded model's weights by fitting it on one example before it reads the
trained weights over them (`RasaModel.load`). That fit is traced into a TensorFlow graph
with its gradients, the CRF's included: about 35 of the 44 seconds a Rasa start took on
2 cores (py-spy, docs/performance.md). The weights it produces are thrown away at once,
so the fit runs eagerly here (no tracing); prediction is then switched back to a graph,
traced once on the example as Rasa does, so parsing is as fast as before. The loaded
weights, and so every prediction, are the same (nlu_components/tests/test_quick_load.py).
"""

from __future__ import annotations

from typing import Any, Optional

_ORIGINAL_LOAD = None


def install() -> None:
    """Replace `RasaModel.load` (once) with the quick one; only our Rasa entry point calls this."""
    global _ORIGINAL_LOAD
    from rasa.utils.tensorflow.models import RasaModel

    if _ORIGINAL_LOAD is not None:
        return
    _ORIGINAL_LOAD = RasaModel.load.__func__
    RasaModel.load = classmethod(quick_load)


def quick_load(
    cls,
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Optional[Any] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
):
    from rasa.utils.tensorflow.constants import RUN_EAGERLY

    config = kwargs.get("config")
    if finetune_mode or not isinstance(config, dict) or config.get(RUN_EAGERLY):
        return _ORIGINAL_LOAD(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                              *args, **kwargs)
    kwargs["config"] = {**config, RUN_EAGERLY: True}  # the weight-building fit, eagerly
    model = _ORIGINAL_LOAD(cls, model_file_name, model_data_example, None, finetune_mode, *args, **kwargs)
    model.config[RUN_EAGERLY] = False
    model.run_eagerly = False  # prediction in a graph again
    if predict_data_example:
        model.run_inference(predict_data_example)  # traced now, not at the first message
    return model

