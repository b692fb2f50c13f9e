"""Build-time tools run by maintainers, not by users; they are not part of the installed package.

- :mod:`tools.extract`: model-family extractors that read pinned library releases with :mod:`ast`
  (driven by ``scripts/extract_models.py``, writing ``src/modelclear/data/models/_generated/``);
- :mod:`tools.dpc`: the Data Provenance Collection importer (driven by ``scripts/import_dpc.py``,
  writing ``src/modelclear/data/datasets/_imported/dpc.json``).

They import :mod:`modelclear` (ids, licence parsing) but :mod:`modelclear` never imports them.
"""
