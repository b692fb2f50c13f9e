"""Values the scanner must not report as artifacts (issues 10 and 11, devextra findings).

Each snippet is cut down from real code: a torchvision layer helper called like a builder, a dataset's
column names, test file paths and documentation placeholders, a local output folder, and a parameter
default reached through an unrelated attribute.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source


def ids(source: str, path: str = "m.py") -> set[str | None]:
    out = scan_python_source(textwrap.dedent(source), path, ScanContext(root=Path("/nonexistent-root")))
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return {r.id for r in out if isinstance(r, Reference)}


def test_torchvision_layer_helpers_are_not_builders() -> None:
    source = """
        from torch import nn
        from torchvision.models import resnet


        class Head(nn.Module):
            def __init__(self, c1, dim):
                super().__init__()
                self.conv1 = resnet.conv1x1(c1, dim // 4)
                self.score = nn.Sequential(resnet.conv3x3(8, 4), nn.SELU())
                self.backbone = resnet.resnet18(pretrained=True)
    """
    assert ids(source) == {"torchvision:ResNet18_Weights.IMAGENET1K_V1"}


def test_unknown_torchvision_builder_keeps_the_literal_legacy_flag() -> None:
    source = """
        import torchvision

        net = torchvision.models.some_new_net(True)
        other = torchvision.models.some_other_net(pretrained=True)
    """
    assert ids(source) == {"torchvision:some_new_net", "torchvision:some_other_net"}


def test_a_field_some_records_lack_is_not_read_from_their_other_fields() -> None:
    source = """
        from datasets import load_dataset

        DATASET_CONFIGS = {
            "cars": {"train": "Multimodal-Fatima/StanfordCars_train", "img_col": "image", "label_col": "label"},
            "cifar100": {"train": "cifar100", "img_col": "img", "label_col": "fine_label"},
            "eurosat": {"dataset": "timm/eurosat-rgb", "img_col": "image", "label_col": "label"},
        }


        def main(args):
            config = DATASET_CONFIGS[args.dataset_name]
            if "dataset" in config:
                dataset = load_dataset(config["dataset"], cache_dir=args.cache_dir)
            else:
                train_ds = load_dataset(config["train"], split="train")
    """
    assert ids(source) == {"hf-dataset:timm/eurosat-rgb", "hf-dataset:Multimodal-Fatima/StanfordCars_train",
                           "hf-dataset:cifar100"}



def test_a_test_modules_stand_in_value_is_not_an_untyped_objects_attribute() -> None:
    from modelclear.scan.pyconsts import ProjectIndex, is_test_module

    # `.base_model` as unslothai/unsloth's modules export it: a test's fake config and a real field
    project = ProjectIndex({"studio.backend.core.training.diffusion_train_common": {".base_model": None},
                            "unsloth_cli.tests.test_inference_chat": {".base_model": "fake/base"}})
    assert project.attr("base_model", tests=False) == [None]
    assert project.attr("base_model") == [None, "fake/base"]
    assert is_test_module("pkg.tests.helpers") and is_test_module("test_app") and is_test_module("app_test")
    assert not is_test_module("studio.backend.core.training.diffusion_dit_trainer")
    assert not is_test_module("app.testing_utils")


def test_a_stand_in_id_in_a_test_module_is_a_placeholder() -> None:
    source = """
        from datasets import load_dataset


        def test_streaming_start(monkeypatch):
            dataset = load_dataset("org/dataset", split="train")
            assert dataset
    """
    assert ids(source, "studio/backend/tests/test_training_streaming.py") == {None}
    assert ids(source, "backend/test_training_streaming.py") == {None}
    assert ids(source, "backend/training.py") == {"hf-dataset:org/dataset"}


def test_a_folder_the_file_saves_to_is_a_local_output_not_a_hub_id() -> None:
    source = """
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoProcessor, TrainingArguments

        finetune_name = "SmolLM2-FT-MyDataset"
        args = TrainingArguments(output_dir="audio-flamingo-3-hf-lora-finetuned", num_train_epochs=1)
        sft = TrainingArguments(output_dir=finetune_name)
        processor = AutoProcessor.from_pretrained("HuggingFaceTB/SmolLM2-135M")
        processor.save_pretrained("./my-new-tokenizer/")

        base_model = AutoModelForCausalLM.from_pretrained("HuggingFaceTB/SmolLM2-135M")
        model = PeftModel.from_pretrained(base_model, "audio-flamingo-3-hf-lora-finetuned")
        tuned = AutoModelForCausalLM.from_pretrained(finetune_name)
        tok = AutoProcessor.from_pretrained("my-new-tokenizer")
        gpt = AutoModelForCausalLM.from_pretrained("distilgpt2")

        hub_args = TrainingArguments(output_dir="MariaK/vilt_finetuned_200", push_to_hub=True)
        pushed = AutoModelForCausalLM.from_pretrained("MariaK/vilt_finetuned_200")
    """
    assert ids(source) == {"hf:HuggingFaceTB/SmolLM2-135M", "hf:distilgpt2", "hf:MariaK/vilt_finetuned_200", None}


def test_a_parsed_dataclass_field_is_read_from_that_dataclass_not_another_class(tmp_path: Path) -> None:
    from modelclear.scan import ScanOptions, scan_path

    files = {
        "trl/__init__.py": ("from .scripts.utils import ScriptArguments\n"
                            "from .trainer.model_config import ModelConfig\n"),
        "trl/scripts/__init__.py": "",
        "trl/trainer/__init__.py": "",
        "trl/trainer/model_config.py": """
            from dataclasses import dataclass


            @dataclass
            class ModelConfig:
                model_name_or_path: str | None = None
        """,
        "trl/scripts/utils.py": """
            from dataclasses import dataclass, field

            import datasets


            def get_dataset(mixture):
                return [datasets.load_dataset(d.path, name=d.name) for d in mixture.datasets]


            @dataclass
            class ScriptArguments:
                dataset_name: str | None = field(default=None, metadata={"help": "Path or name of the dataset."})
                dataset_config: str | None = field(default=None)
        """,
        "trl/trainer/callbacks.py": """
            class WeaveCallback:
                def __init__(self, trainer, project_name=None, dataset_name: str = "eval_dataset"):
                    self.trainer = trainer
                    self.dataset_name = dataset_name
        """,
        "examples/scripts/bco.py": """
            from datasets import load_dataset
            from transformers import HfArgumentParser

            from trl import ModelConfig, ScriptArguments

            if __name__ == "__main__":
                parser = HfArgumentParser((ScriptArguments, ModelConfig))
                script_args, model_args = parser.parse_args_into_dataclasses()
                dataset = load_dataset(script_args.dataset_name, name=script_args.dataset_config)
        """,
        "examples/scripts/dpo.py": """
            from dataclasses import dataclass, field

            from datasets import load_dataset
            from transformers import HfArgumentParser


            @dataclass
            class DPOScriptArguments:
                dataset_name: str = field(default="trl-lib/ultrafeedback_binarized")


            if __name__ == "__main__":
                parser = HfArgumentParser((DPOScriptArguments,))
                (script_args,) = parser.parse_args_into_dataclasses()
                dataset = load_dataset(script_args.dataset_name)
        """,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    found = {(r.path, r.id) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references}
    assert ("examples/scripts/bco.py", None) in found
    assert not [i for p, i in found if p == "examples/scripts/bco.py" and i is not None], found
    assert ("examples/scripts/dpo.py", "hf-dataset:trl-lib/ultrafeedback_binarized") in found


def test_a_field_the_chosen_record_lacks_is_unknown_not_its_other_fields() -> None:
    source = """
        from dataclasses import dataclass, field

        from datasets import load_dataset
        from transformers import HfArgumentParser

        DATASET_CONFIGS = {
            "cifar10": {"train": "Multimodal-Fatima/CIFAR10_train", "img_col": "image", "label_col": "label"},
            "eurosat": {"dataset": "timm/eurosat-rgb", "img_col": "image", "label_col": "label"},
        }


        @dataclass
        class ImageClassificationArguments:
            dataset_name: str = field(default="cifar10", metadata={"help": "Dataset: cifar10, eurosat"})


        def main():
            parser = HfArgumentParser(ImageClassificationArguments)
            args = parser.parse_args_into_dataclasses()[0]
            config = DATASET_CONFIGS[args.dataset_name]
            if "dataset" in config:
                dataset = load_dataset(config["dataset"])
            else:
                train_ds = load_dataset(config["train"], split="train")
    """
    found = ids(source)
    assert "hf-dataset:image" not in found and "hf-dataset:label" not in found, found
    assert "hf-dataset:Multimodal-Fatima/CIFAR10_train" in found
