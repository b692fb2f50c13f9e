"""Local dataset folders named as a known dataset lays them out (issue 10, item 8)."""

from __future__ import annotations

from pathlib import Path

from modelclear.catalog import KnowledgeBase
from modelclear.loaderdata import documents
from modelclear.model import Reference
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.localdatasets import find_local_datasets, match_path


def _scan(tmp_path: Path, files: dict[str, str]) -> list[Reference]:
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    found = [(str(p), p.relative_to(tmp_path).as_posix(), p.stat().st_size)
             for p in sorted(tmp_path.rglob("*")) if p.is_file()]
    return find_local_datasets([], found)


def _id(text: str) -> str | None:
    found = match_path(text)
    return found[0] if found else None


DETR_LIKE = '''\
"""COCO under data/coco: train2017/ and annotations/instances_train2017.json."""
from pathlib import Path
from torchvision.datasets import CocoDetection


def build(image_set, args):
    root = Path(args.coco_path)
    assert root.exists(), f"provided COCO path {root} does not exist (want train2017)"
    mode = "instances"
    paths = {
        "train": (root / "train2017", root / "annotations" / f"{mode}_train2017.json"),
        "val": (root / "val2017", root / "annotations" / f"{mode}_val2017.json"),
    }
    img_folder, ann_file = paths[image_set]
    return CocoDetection(img_folder, ann_file)
'''


def test_coco_folders_in_a_dataset_builder(tmp_path: Path) -> None:
    refs = _scan(tmp_path, {"datasets/coco.py": DETR_LIKE})
    assert [(r.id, r.path, r.line, r.raw, r.confidence) for r in refs] == [
        ("dataset:coco", "datasets/coco.py", 11, "train2017", "low")]
    assert refs[0].evidence.startswith('"train": (root / "train2017"')
    assert refs[0].kind is not None and refs[0].kind.value == "dataset"


def test_imagenet_image_folder_and_argparse_default(tmp_path: Path) -> None:
    code = (
        "import argparse\n"
        "from torchvision import datasets\n"
        "p = argparse.ArgumentParser()\n"
        "p.add_argument('--data', default='/datasets/imagenet/train', help='path such as imagenet/val')\n"
        "val = datasets.ImageFolder('/datasets/ILSVRC2012_img_val')\n"
    )
    refs = _scan(tmp_path, {"train.py": code})
    assert [(r.id, r.line, r.raw) for r in refs] == [("dataset:imagenet-1k", 4, "/datasets/imagenet/train")]


def test_config_values_but_not_comments_or_keys(tmp_path: Path) -> None:
    config = (
        "# data_root: data/cityscapes/leftImg8bit\n"
        "dataset_type: ADE20KDataset\n"
        "data_root: data/ADEChallengeData2016/\n"
        "voc:\n"
        "  root: \"data/VOCdevkit/VOC2012\"  # PASCAL VOC\n"
        "leftImg8bit: 3\n"
    )
    refs = _scan(tmp_path, {"configs/seg.yaml": config})
    assert [(r.id, r.line, r.raw) for r in refs] == [
        ("dataset:ade20k", 3, "data/ADEChallengeData2016/"), ("dataset:pascal-voc", 5, "data/VOCdevkit/VOC2012")]


def test_prose_messages_and_bare_words_are_not_findings(tmp_path: Path) -> None:
    code = (
        '"""Download COCO into data/coco/train2017 first."""\n'
        "import logging\n"
        "# CocoDetection('data/coco/train2017')\n"
        "split = 'train'\n"
        "name = 'cityscapes'\n"
        "dataset = 'librispeech'\n"
        "logging.info('reading data/coco/val2017')\n"
        "print('put the images in imagenet/train')\n"
        "raise_msg = 'see the instructions for train2017'\n"
        "def f():\n"
        "    'data/VOCdevkit'\n"
        "    raise FileNotFoundError('missing VOCdevkit/VOC2012')\n"
    )
    assert _scan(tmp_path, {"prose.py": code}) == []


def test_match_path_needs_a_slash_unless_the_name_is_distinctive() -> None:
    assert match_path("train") is None
    assert _id("train2017") == "dataset:coco"
    assert match_path("librispeech") is None
    assert _id("data/LibriSpeech/train-clean-100") == "dataset:librispeech"
    assert match_path("VOC2012") is None
    assert _id("data/VOC2012") == "dataset:pascal-voc"
    assert match_path("annotations/panoptic_train2017.json") is None
    assert _id("zhiyuan_objv2_train.json") == "dataset:objects365"
    assert match_path("data/coco 2017/train2017") is None  # whitespace: prose, not a path
    assert match_path("my_train2017_notes") is None


def test_every_signature_names_a_dataset_record() -> None:
    kb = KnowledgeBase.load()
    signatures = documents()["dataset_folders"]["signatures"]
    assert isinstance(signatures, list)
    ids = {sig["id"] for sig in signatures}
    missing = sorted(i for i in ids if kb.artifact(i) is None)
    assert ids and not missing, missing


def test_scan_path_reports_it_once_per_file_and_dataset(tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text("train_ann: data/coco/annotations/instances_train2017.json\n"
                                       "val_ann: data/coco/annotations/instances_val2017.json\n", encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions())
    refs = [r for r in result.references if r.id == "dataset:coco"]
    assert [(r.path, r.line, r.confidence) for r in refs] == [("cfg.yaml", 1, "low")]


def test_a_scanned_python_file_is_read_from_its_scan_tree_with_the_same_references(tmp_path: Path) -> None:
    """The pass takes a scanned ``.py`` file's strings from the tree the scan parsed (issue 14), and finds
    what it finds when it reads and parses the file itself."""
    from modelclear.scan.localdatasets import strings_from_scan
    from modelclear.scan.pyparse import ParseCache

    source = DETR_LIKE + '\nMODEL = "facebook/detr-resnet-50"\n'
    path = tmp_path / "datasets" / "coco.py"
    path.parent.mkdir()
    path.write_text(source, encoding="utf-8")
    data = path.read_bytes()
    parses = ParseCache()
    assert strings_from_scan("datasets/coco.py", len(data), data, parses, str(path)) is None  # no tree kept
    parses.parse(str(path), source)
    entries = strings_from_scan("datasets/coco.py", len(data), data, parses, str(path))
    assert entries and parses.parsed == 1
    assert strings_from_scan("datasets/coco.py", len(data) + 1, data, parses, str(path)) is None  # not whole
    files = [(str(path), "datasets/coco.py", len(data))]
    alone = find_local_datasets([], files)
    assert alone and find_local_datasets([], files, {"datasets/coco.py": entries}) == alone
    assert find_local_datasets([], files, {"datasets/coco.py": ()}) == []  # the entries given are what counts
    result = scan_path(tmp_path, ScanOptions())
    assert [r for r in result.references if r.loader == "local-dataset"] == alone


def test_vision_language_benchmark_folders_in_configs(tmp_path: Path) -> None:
    # a vision-language project's task configs name the benchmark image folders on its cluster
    found = _scan(tmp_path, {
        "configs/retrieval_flickr.yaml": "image_root: '/export/share/datasets/vision/flickr30k/'\n"
                                         "ann_root: 'annotation'\n",
        "configs/vqa.yaml": "vqa_root: '/export/share/datasets/vision/VQA/Images/mscoco/'\n"
                            "vg_root: '/export/share/datasets/vision/visual-genome/'  #followed by image/\n",
        "data/vg.py": "IMAGES = ['VG_100K', 'VG_100K_2']\nflickr = 'data/flickr30k-images'\nname = 'flickr30k'\n",
    })
    assert sorted((r.path, r.line, r.id) for r in found) == [
        ("configs/retrieval_flickr.yaml", 1, "dataset:flickr30k"),
        ("configs/vqa.yaml", 2, "dataset:visual-genome"),
        ("data/vg.py", 1, "dataset:visual-genome"),
        ("data/vg.py", 2, "dataset:flickr30k"),
    ]


def test_speech_and_food_folders_as_their_archives_unpack(tmp_path: Path) -> None:
    # LJ Speech's archive unpacks to LJSpeech-1.1/, Food-101's to food-101/images and food-101/meta
    found = _scan(tmp_path, {
        "configs/ljs.yaml": "train_data: 'Data/LJSpeech-1.1/wavs'\nspeaker: 'LJSpeech'\n",
        "prepare.py": "ROOT = 'data/food-101/images'\nMETA = 'food-101/meta/train.json'\nname = 'food-101'\n",
    })
    assert sorted((r.path, r.line, r.id) for r in found) == [
        ("configs/ljs.yaml", 1, "hf-dataset:keithito/lj_speech"),
        ("prepare.py", 1, "hf-dataset:ethz/food101"),  # once per file and dataset
    ]
    assert _id("LJSpeech-1.1") == "hf-dataset:keithito/lj_speech"
    assert _id("food-101/meta/train.json") == "hf-dataset:ethz/food101"
    assert match_path("my-food-101-notes/x") is None
    kb = KnowledgeBase.load()
    for alias, record in [("dataset:ljspeech", "hf-dataset:keithito/lj_speech"),
                          ("torchaudio-dataset:LJSPEECH", "hf-dataset:keithito/lj_speech"),
                          ("torchvision-dataset:Food101", "hf-dataset:ethz/food101")]:
        artifact = kb.artifact(alias)
        assert artifact is not None and artifact.id == record, alias


def test_vqa_speech_video_and_street_folders(tmp_path: Path) -> None:
    # VQA v2's question/annotation files, LibriTTS/, VCTK-Corpus-0.92/, MSRVTT/, mapillary_vistas/
    found = _scan(tmp_path, {
        "vqa.py": "Q = 'v2_OpenEnded_mscoco_train2014_questions.json'\nA = 'data/v2_mscoco_val2014_annotations.json'\n",
        "configs/tts.yaml": "data: 'datasets/LibriTTS/train-clean-100'\nvctk: 'VCTK-Corpus-0.92'\n",
        "ret.py": "VIDEOS = 'data/MSRVTT/videos/all'\nANN = 'MSRVTT_data.json'\n",
        "seg.py": "root = 'data/mapillary_vistas/training/images'\nname = 'mapillary'\n",
    })
    assert sorted((r.path, r.line, r.id) for r in found) == [
        ("configs/tts.yaml", 1, "dataset:libritts"),
        ("configs/tts.yaml", 2, "dataset:vctk"),
        ("ret.py", 1, "dataset:msr-vtt"),
        ("seg.py", 1, "dataset:mapillary-vistas"),
        ("vqa.py", 1, "dataset:vqa-v2"),
    ]
    assert _id("wav48_silence_trimmed/p225/p225_001_mic1.flac") == "dataset:vctk"
    assert _id("v2_Questions_Train_mscoco.zip") == "dataset:vqa-v2"
    assert _id("LibriTTS_R/dev-clean") == "dataset:libritts"
    assert _id("librittsx/a") is None and _id("vctk") is None and _id("my-msrvtt-notes/x") is None
    kb = KnowledgeBase.load()
    for alias, record in [("torchaudio-dataset:LIBRITTS", "dataset:libritts"),
                          ("torchaudio-dataset:VCTK_092", "dataset:vctk"),
                          ("hf-dataset:vctk", "dataset:vctk"),
                          ("msr-vtt", "dataset:msr-vtt"),
                          ("hf-dataset:HuggingFaceM4/VQAv2", "dataset:vqa-v2"),
                          ("mmseg-dataset:MapillaryDataset_v2", "dataset:mapillary-vistas")]:
        artifact = kb.artifact(alias)
        assert artifact is not None and artifact.id == record, alias
    vistas = kb.artifact("dataset:mapillary-vistas")
    assert vistas is not None and vistas.license is None  # reported [U], never the licence itself
    assert vistas.facts.get("reported_license") == "CC-BY-NC-SA-4.0"
    msrvtt = kb.artifact("dataset:msr-vtt")
    assert msrvtt is not None and msrvtt.license is None


def test_nlvr2_and_nocaps_files(tmp_path: Path) -> None:
    found = _scan(tmp_path, {
        "nlvr.py": "TRAIN = 'datasets/nlvr2/data/train.json'\nIMAGES = 'nlvr2/images/train'\n",
        "caps.py": "VAL = 'nocaps_val_4500_captions.json'\nname = 'nocaps'\n",
    })
    assert sorted((r.path, r.line, r.id) for r in found) == [
        ("caps.py", 1, "dataset:nocaps"),
        ("nlvr.py", 1, "dataset:nlvr2"),
    ]
    assert _id("nlvr2") is None and _id("data/nlvr2x/train.json") is None
    kb = KnowledgeBase.load()
    for name in ("nlvr2", "nocaps"):
        artifact = kb.artifact(name)
        assert artifact is not None and artifact.id == f"dataset:{name}" and artifact.license is None, name


def test_emilia_folder_but_not_emilia_yodas(tmp_path: Path) -> None:
    found = _scan(tmp_path, {
        "prep.py": "ROOT = '/data/Emilia/EN'\nYODAS = '/data/Emilia-Dataset/Emilia-YODAS/EN'\n",
    })
    assert [(r.path, r.line, r.id) for r in found] == [("prep.py", 1, "dataset:emilia")]
    assert _id("Emilia-YODAS/EN/x.tar") is None and _id("emilia") is None
    kb = KnowledgeBase.load()
    artifact = kb.artifact("hf-dataset:amphion/Emilia-Dataset")
    assert artifact is not None and artifact.id == "dataset:emilia" and artifact.license == "CC-BY-NC-4.0"


def test_wenetspeech4tts_folder(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"conf/data.yaml": "train_dir: /data/WenetSpeech4TTS/Premium\nlang: zh\n"})
    assert [(r.path, r.line, r.id) for r in found] == [("conf/data.yaml", 1, "dataset:wenetspeech4tts")]
    assert _id("WenetSpeech/audio") is None
    kb = KnowledgeBase.load()
    artifact = kb.artifact("hf-dataset:Wenetspeech4TTS/WenetSpeech4TTS")
    assert artifact is not None and artifact.id == "dataset:wenetspeech4tts" and artifact.license is None


def test_youtube_vis_folders(tmp_path: Path) -> None:
    found = _scan(tmp_path, {
        "register.py": "ROOT = 'datasets/ytvis_2019/train/JPEGImages'\nJSON = 'datasets/ytvis_2021/train.json'\n",
        "cfg.yaml": "root: data/youtube_vis/2019\nname: ytvis_2019_train\n",
    })
    assert sorted((r.path, r.line, r.id) for r in found) == [
        ("cfg.yaml", 1, "dataset:youtube-vis"),
        ("register.py", 1, "dataset:youtube-vis"),
    ]
    assert _id("ytvis_2019") == "dataset:youtube-vis" and _id("ytvis_2019_train") is None
    kb = KnowledgeBase.load()
    artifact = kb.artifact("ytvis")
    assert artifact is not None and artifact.id == "dataset:youtube-vis" and artifact.license is None
