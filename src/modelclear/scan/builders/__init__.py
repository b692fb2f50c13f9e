"""The id builders of the Python scanner, one module per library family, in one table.

:data:`BUILDERS` maps the name a loader entry gives in ``id:`` (``data/loaders/*.yaml``) to its
builder. Each module of this package defines the builders of one family and a ``BUILDERS`` dict of
its own; :data:`FAMILIES` lists the modules, and their tables are merged here (a name defined twice
fails at import). The general builders (``template``, ``hf``, ``url``) cover most libraries; the
others encode a library's own naming rules (torchvision's weights enums, fastai's architectures...).

To add a builder: write ``builders/<family>.py`` (see :mod:`modelclear.scan.builders.base` for
:class:`~modelclear.scan.builders.base.Site`, :class:`~modelclear.scan.builders.base.Hit` and
:func:`~modelclear.scan.builders.base.main_arg`) and add its name to :data:`FAMILIES`.
"""

from __future__ import annotations

from importlib import import_module

from modelclear.scan.builders.base import Builder, Hit, Site, default_hits
from modelclear.scan.placeholders import placeholder_hits

#: The builder modules of this package (each defines ``BUILDERS: dict[str, Builder]``).
FAMILIES: tuple[str, ...] = (
    "datasets",
    "detectron2",
    "fastai",
    "hf",
    "keras",
    "libraries",
    "open_clip",
    "pipeline",
    "template",
    "tfds",
    "timm",
    "torchhub",
    "torchvision",
    "ultralytics",
    "url",
)


def _merge() -> dict[str, Builder]:
    table: dict[str, Builder] = {}
    for family in FAMILIES:
        module = import_module(f"{__name__}.{family}")
        for name, builder in module.BUILDERS.items():
            if name in table:
                raise ValueError(f"id builder {name!r} is defined twice (builders/{family}.py)")
            table[name] = builder
    return table


#: The id builders a loader entry may name in ``id:``.
BUILDERS: dict[str, Builder] = _merge()


def build(site: Site) -> list[Hit]:
    """The hits of one matched call: its loader's id builder (placeholder ids made dynamic loads), then the
    declared default's note and confidence."""
    hits = placeholder_hits(site, BUILDERS[site.spec.builder](site))  # "username/my_model": a dynamic load
    return default_hits(site, hits) if site.default_used else hits


__all__ = ["BUILDERS", "FAMILIES", "Builder", "Hit", "Site", "build"]
