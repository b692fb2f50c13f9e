"""Speech libraries' loaders (issue 10, cause 7): SpeechBrain interfaces and Coqui TTS, in the style of real
voice pipelines."""

from __future__ import annotations

from pathlib import Path

from modelclear.scan import ScanOptions, scan_path

PIPELINE = '''\
import torch
from speechbrain.inference.speaker import EncoderClassifier
from speechbrain.pretrained import EncoderDecoderASR
from TTS.api import TTS

device = "cuda" if torch.cuda.is_available() else "cpu"
classifier = EncoderClassifier.from_hparams(source="speechbrain/spkrec-ecapa-voxceleb",
                                            savedir="pretrained_models/spkrec-ecapa-voxceleb")
asr = EncoderDecoderASR.from_hparams("speechbrain/asr-crdnn-rnnlm-librispeech", savedir="tmp")
tts = TTS("tts_models/multilingual/multi-dataset/xtts_v2").to(device)
narrator = TTS(model_name="tts_models/en/ljspeech/tacotron2-DDC", progress_bar=False)
print(TTS().list_models())
custom = TTS(model_path="runs/best_model.pth", config_path="runs/config.json")
'''


def test_speechbrain_and_coqui_tts(tmp_path: Path) -> None:
    (tmp_path / "voice.py").write_text(PIPELINE, encoding="utf-8")
    found = sorted((r.id, r.line) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references)
    assert found == [("coqui-tts:tts_models/en/ljspeech/tacotron2-DDC", 11),
                     ("coqui-tts:tts_models/multilingual/multi-dataset/xtts_v2", 10),
                     ("hf:speechbrain/asr-crdnn-rnnlm-librispeech", 9),
                     ("hf:speechbrain/spkrec-ecapa-voxceleb", 7)]
