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


ASR_EVAL = '''\
import os

from funasr import AutoModel


def load_asr_model(lang, ckpt_dir=""):
    if lang == "zh":
        model = AutoModel(
            model=os.path.join(ckpt_dir, "paraformer-zh"),
            disable_update=True,
        )
    return model


sense = AutoModel(model="iic/SenseVoiceSmall", trust_remote_code=True, device="cuda:0")
local = AutoModel(model="../checkpoints/funasr/paraformer-zh")
'''


def test_funasr_automodel_names(tmp_path: Path) -> None:
    # FunASR's AutoModel(model=...) takes a model name of its zoo ("paraformer-zh"), a ModelScope / Hub id or a
    # local folder; os.path.join("", name) is the name itself (an ASR evaluation script's default ckpt_dir)
    (tmp_path / "eval_asr.py").write_text(ASR_EVAL, encoding="utf-8")
    found = sorted((r.id, r.line) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references if r.id)
    assert found == [("funasr:iic/SenseVoiceSmall", 15), ("funasr:paraformer-zh", 8)]
