"""The knowledge base's format: one vocabulary (:mod:`.vocab`) and one schema (:mod:`.schema`).

Every kind of knowledge file (licences, datasets, models, law, platforms, rules, messages, loader
files) is declared once in :mod:`modelclear.knowledge.schema`; the loaders of the bundled data and
of ``--kb`` overlays validate through it, ``docs/knowledge-format.md`` is generated from it
(``tools/gen_knowledge_doc.py``), and the tests check the data against it. This package imports
nothing but :mod:`modelclear.model`, so :mod:`modelclear.ids` and :mod:`modelclear.loaderdata` can
use it without the catalog or scan packages.
"""
