"""Command-line options handed to another module as a dict (issue 10, argparse defaults across modules):
`args = parser.parse_args().__dict__` in a package's `__main__`, then `transcribe_task(args, parser)` reads
`args.pop("model")` / `args["diarize_model"]`: each key is the option of that name, as `args.model` would be.
A small speech CLI package, scanned as a whole (real files, one job)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.scan import scan_path
from modelclear.scan.base import ScanOptions

FILES = {
    "speechcli/__init__.py": "",
    "speechcli/__main__.py": '''
        import argparse


        def cli():
            parser = argparse.ArgumentParser()
            parser.add_argument("audio", nargs="+", type=str)
            parser.add_argument("--model", default="small", help="name of the Whisper model to use")
            parser.add_argument("--diarize_model", default="pyannote/speaker-diarization-3.1", type=str)
            parser.add_argument("--batch_size", default=8, type=int)
            args = parser.parse_args().__dict__

            from speechcli.transcribe import transcribe_task

            transcribe_task(args, parser)


        if __name__ == "__main__":
            cli()
        ''',
    "speechcli/transcribe.py": '''
        import argparse

        from faster_whisper import WhisperModel
        from pyannote.audio import Pipeline


        def transcribe_task(args: dict, parser: argparse.ArgumentParser):
            model_name: str = args.pop("model")
            batch_size: int = args.pop("batch_size")
            model = WhisperModel(model_name, device="cpu")
            pipeline = Pipeline.from_pretrained(args["diarize_model"])
            extra = Pipeline.from_pretrained(args.get("vad_model", "pyannote/segmentation-3.0"))
            return model, pipeline, extra, batch_size
        ''',
}


def test_keys_of_an_options_dict_passed_from_another_module(tmp_path: Path) -> None:
    for rel, text in FILES.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    refs = {(r.path, r.line, r.id) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references
            if r.id and not r.id.startswith("pypi:")}
    assert ("speechcli/transcribe.py", 10, "hf:Systran/faster-whisper-small") in refs
    assert ("speechcli/transcribe.py", 11, "hf:pyannote/speaker-diarization-3.1") in refs
    # a key no option defines keeps the call's default only
    assert {r[2] for r in refs if r[1] == 12} == {"hf:pyannote/segmentation-3.0"}
