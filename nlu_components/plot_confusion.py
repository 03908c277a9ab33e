"""Draw the held-out confusion matrix as a PNG (engine env: it has matplotlib).

    .venv-engine/bin/python -m nlu_components.plot_confusion var/eval-predictions.json docs/nlu-confusion.png
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(source: str, target: str) -> None:
    data = json.loads(open(source, encoding="utf-8").read())
    labels = list(data["labels"])
    extra = sorted({p for p in data["predicted"] if p not in labels})
    columns = labels + extra
    matrix = np.zeros((len(labels), len(columns)), dtype=int)
    for expected, predicted in zip(data["expected"], data["predicted"]):
        matrix[labels.index(expected), columns.index(predicted)] += 1
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(np.log1p(matrix), cmap="Greens")
    ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(f"Held-out sets (tests/nlu/test_set*.yml, {len(data['expected'])} messages): expected vs predicted intent")
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if i == j else "black")
    fig.tight_layout()
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
