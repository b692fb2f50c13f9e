"""Command lines a Python module runs (os.system, subprocess) read as shell, and Demucs models on the command
line and in Python (issue 10, causes 6 and 7). Snippets in the style of real speech and app repositories."""

from __future__ import annotations

from pathlib import Path

from modelclear.scan import ScanOptions, scan_path

DIARIZE = '''\
import argparse
import logging
import os
import subprocess
from subprocess import check_output

parser = argparse.ArgumentParser()
parser.add_argument("-a", "--audio", required=True)
args = parser.parse_args()
temp_outputs_dir = "temp_outputs"

return_code = os.system(
    f'python -m demucs.separate -n htdemucs --two-stems=vocals "{args.audio}" -o "{temp_outputs_dir}"'
)
if return_code != 0:
    logging.warning("Source splitting failed, using original audio file.")

subprocess.run(["huggingface-cli", "download", "acme/diarizer-onnx", "--local-dir", "models"], check=True)
check_output("wget -q -P checkpoints https://github.com/acme/vad/releases/download/v2.0/vad_weights.pth",
             shell=True)
os.system("ffmpeg -i input.mp3 output.wav")
print("or run: ollama pull llama3")
'''


def _scan(tmp_path: Path, files: dict[str, str]) -> list[tuple[str | None, str, int]]:
    for rel, text in files.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    return sorted((r.id, r.path, r.line) for r in result.references)


def test_commands_run_from_python(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"diarize.py": DIARIZE})
    assert ("demucs:htdemucs", "diarize.py", 13) in found
    assert ("hf:acme/diarizer-onnx", "diarize.py", 18) in found
    assert ("url:https://github.com/acme/vad/releases/download/v2.0/vad_weights.pth", "diarize.py", 19) in found
    assert not [f for f in found if f[0] and f[0].startswith("ollama:")], found  # a message, not a command
    assert not [f for f in found if f[0] is None], found  # the audio path is an input, not a load


def test_demucs_in_python_and_in_a_script(tmp_path: Path) -> None:
    found = _scan(tmp_path, {
        "separate.py": "import demucs.api\nfrom demucs.pretrained import get_model\n\n"
                       "separator = demucs.api.Separator(model=\"htdemucs_ft\")\nbag = get_model('mdx_extra_q')\n",
        "split.sh": "#!/bin/sh\ndemucs -n htdemucs_6s --two-stems=vocals song.mp3\ndemucs song.mp3\n",
    })
    assert ("demucs:htdemucs_ft", "separate.py", 4) in found
    assert ("demucs:mdx_extra_q", "separate.py", 5) in found
    assert ("demucs:htdemucs_6s", "split.sh", 2) in found
    assert not [f for f in found if f[1] == "split.sh" and f[2] == 3], found  # the library's default, unnamed


def test_commands_run_from_notebook_code_cells(tmp_path: Path) -> None:
    import json

    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": ["import subprocess\n",
                                "subprocess.run(['gdown', '1AbCdEfGhIjKlMnOpQrStUvWxYz012345', "
                                "'-O', 'weights/unet_best.pth'])\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "demo.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    assert [(r.id, r.note.rsplit("; ", 1)[-1]) for r in refs] == [
        ("url:https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz012345", "cell 1, line 2")]
