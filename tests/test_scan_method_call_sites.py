"""Call sites of a project class's method (issue 10, values across functions): a call of an imported
class's method of the same name (`XLMRobertaTokenizer.from_pretrained(...)`, `transformers.AutoModel.
from_pretrained(...)`) is not a call of the project's `DonutModel.from_pretrained`, so its argument never
becomes the value of the project method's parameter. Snippets in the style of a model package."""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source

MODEL_PY = '''
    import transformers
    from transformers import MBartForCausalLM, PreTrainedModel, XLMRobertaTokenizer


    class BARTDecoder:
        def __init__(self, name_or_path=None):
            self.tokenizer = XLMRobertaTokenizer.from_pretrained(
                "hyunwoongko/asian-bart-ecjk" if not name_or_path else name_or_path
            )
            self.extra = transformers.AutoModel.from_pretrained("facebook/mbart-large-50")
            self.model = MBartForCausalLM.from_pretrained("hyunwoongko/asian-bart-ecjk")


    class DonutModel(PreTrainedModel):
        @classmethod
        def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
            model = super(DonutModel, cls).from_pretrained(pretrained_model_name_or_path, revision="official")
            return model


    def load_default():
        return DonutModel.from_pretrained("naver-clova-ix/donut-base-finetuned-cord-v2")
    '''


def scan(source: str) -> list[tuple[int, str | None]]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source).lstrip("\n"), "donutlike/model.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return sorted(((r.line, r.id) for r in out if isinstance(r, Reference)), key=lambda x: (x[0], x[1] or ""))


def test_imported_class_methods_are_not_call_sites_of_the_project_method() -> None:
    got = scan(MODEL_PY)
    at_load = [ref_id for line, ref_id in got if line == 17]
    assert "hf:hyunwoongko/asian-bart-ecjk" not in at_load
    assert "hf:facebook/mbart-large-50" not in at_load
    assert "hf:naver-clova-ix/donut-base-finetuned-cord-v2" in at_load  # the module's own call of it
    assert (7, "hf:hyunwoongko/asian-bart-ecjk") in got and (11, "hf:hyunwoongko/asian-bart-ecjk") in got
