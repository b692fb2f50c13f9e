"""The id a download address stands for on a host whose addresses name it (issue 11).

``data/loaders/weight_urls.yaml`` lists the weight hosts the scanner knows; an entry with an ``id``
template names the artifact an address means: ``huggingface.co/ORG/NAME/resolve/...`` is the Hub
repository ``hf:ORG/NAME``, ``huggingface.co/datasets/ORG/NAME/resolve/...`` is
``hf-dataset:ORG/NAME``, an Ultralytics release file is ``ultralytics:NAME``. The scanner maps the
addresses it finds through the same table; this module gives ``check url:<address>`` the same answer,
reading the table through :mod:`modelclear.loaderdata` (no scan code is imported).
"""

from __future__ import annotations

from modelclear import ids, loaderdata

_SCHEMES = ("http://", "https://")


def hosted_id(artifact_id: str) -> str | None:
    """The canonical id a ``url:`` reference means by its host's address scheme, or ``None``.

    The first host entry whose pattern matches decides, as in the scanner; an entry without an id
    template (``null``) means the address names no artifact by itself, and so does an id that does not
    parse.
    """
    if artifact_id[:4].lower() != "url:":
        return None
    address = artifact_id[4:].strip()
    if not address.lower().startswith(_SCHEMES):
        return None
    for pattern, template, _kind, _note in loaderdata.weight_hosts():
        match = pattern.search(address)
        if match is None:
            continue
        if template is None:
            return None
        try:
            made = template.format(**{k: v for k, v in match.groupdict().items() if v is not None})
        except (KeyError, IndexError, ValueError):
            return None
        parsed = ids.try_parse(made)
        return parsed.id if parsed is not None else None
    return None


_GCS_WEB = ("https://storage.googleapis.com/", "http://storage.googleapis.com/")


def address_variants(artifact_id: str) -> list[str]:
    """Other spellings of the same download address, for a ``url:`` reference no record claims as written.

    The same file is reached over ``http`` and ``https``, and a Google Cloud Storage object both as
    ``gs://BUCKET/PATH`` and as ``https://storage.googleapis.com/BUCKET/PATH``; records list one spelling
    (the one their source gives), code uses any. Nothing else is rewritten: another host, a ``www.``
    prefix or a mirror is another address.
    """
    if artifact_id[:4].lower() != "url:":
        return []
    address = artifact_id[4:].strip()
    lower = address.lower()
    found: list[str] = []
    for web in _GCS_WEB:
        if lower.startswith(web):
            found.append("gs://" + address[len(web):])
    if lower.startswith("gs://"):
        found.extend(web + address[5:] for web in _GCS_WEB)
    elif lower.startswith("https://"):
        found.append("http://" + address[8:])
    elif lower.startswith("http://"):
        found.append("https://" + address[7:])
    return ["url:" + a for a in found]
