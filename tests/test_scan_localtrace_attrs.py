"""Local-file tracing takes no attribute path or import for a file name (``tf.keras`` is no ``.keras`` file)."""

from __future__ import annotations

import json
from pathlib import Path

from modelclear.scan import ScanOptions, scan_path

COURSE = "https://storage.googleapis.com/example-course/skimlit"


def _notebook(path: Path, *cells: list[str]) -> None:
    body = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
             "source": source} for i, source in enumerate(cells)]
    path.write_text(json.dumps({"cells": body, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1),
                    encoding="utf-8")


def test_keras_attribute_paths_in_a_notebook_that_downloads_an_archive_are_not_local_files(tmp_path: Path) -> None:
    _notebook(tmp_path / "skimlit.ipynb",
              [f"!wget {COURSE}/skimlit_tribrid_model.zip\n", "!unzip skimlit_tribrid_model.zip -d skimlit_gs_model"],
              ["import tensorflow as tf\n",
               "from tensorflow.keras import layers\n",
               "inputs = layers.Input(shape=(1,))\n",
               "model_1 = tf.keras.Model(inputs, layers.Dense(5)(inputs))\n",
               "model_1.compile(optimizer=tf.keras.optimizers.Adam())\n",
               "model_1.save(\"model_1.keras\")\n"])
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    assert [(r.line, r.loader) for r in refs] == [(1, "shell:wget")]
    assert not [r for r in refs if "tf.keras" in r.note or "tensorflow.keras" in r.note]


def test_unzip_log_in_the_outputs_written_after_the_source_is_not_code(tmp_path: Path) -> None:
    cell = {"cell_type": "code", "execution_count": 3, "id": "unzip", "metadata": {},
            "source": [f"!wget {COURSE}/skimlit_tribrid_model.zip\n",
                       "!unzip skimlit_tribrid_model.zip -d skimlit_gs_model"],
            "outputs": [{"name": "stdout", "output_type": "stream",
                         "text": ["Archive:  skimlit_tribrid_model.zip\n",
                                  "  inflating: skimlit_gs_model/skimlit_tribrid_model/saved_model.pb  \n",
                                  "  inflating: skimlit_gs_model/skimlit_tribrid_model/keras_metadata.pb  \n"]}]}
    (tmp_path / "skimlit.ipynb").write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                                        "nbformat_minor": 5}, indent=1), encoding="utf-8")
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    assert [(r.line, r.loader) for r in refs] == [(1, "shell:wget")]  # cell 1, line 1
