"""A project helper called as an attribute of its module (issue 10, cause 1): ``import download`` then
``download.maybe_download_and_extract(url=...)``, ``from . import hub; hub.get(...)``, ``import pkg.hub as
hub``, ``from pkg import helper as h`` are followed to the download inside the helper exactly like the
helper imported by name, also when the calling module defines a function of the same name (the usual
``def maybe_download_and_extract(): download.maybe_download_and_extract(url=data_url, ...)``). The
callers name no loader library, so the reachability prefilter must let them through too. Small project
trees on disk, scanned as a whole (real files, one job)."""

from __future__ import annotations

from pathlib import Path

from projecttree import found, write

DOWNLOAD = '''
    import os
    import urllib.request


    def maybe_download_and_extract(url, download_dir):
        """Download ``url`` into ``download_dir`` unless it is there."""
        filename = url.split("/")[-1]
        file_path = os.path.join(download_dir, filename)
        if not os.path.exists(file_path):
            urllib.request.urlretrieve(url=url, filename=file_path)
    '''

FLAT = {
    "download.py": DOWNLOAD,
    # the calling module's own function has the helper's name: still the helper's call, not a recursion
    "cifar.py": '''
        import download

        data_path = "data/CIFAR/"
        data_url = "https://example.org/data/cifar-python.tar.gz"


        def maybe_download_and_extract():
            """Download the data set."""
            download.maybe_download_and_extract(url=data_url, download_dir=data_path)
        ''',
    "knives.py": '''
        import download as dl

        data_url = "https://example.org/data/knives.tar.gz"


        def fetch(data_dir="data/knives/"):
            dl.maybe_download_and_extract(url=data_url, download_dir=data_dir)
        ''',
    "script.py": '''
        import download

        download.maybe_download_and_extract(url="https://example.org/data/script-level.zip",
                                            download_dir="data/")
        ''',
}


def test_a_helper_called_as_an_attribute_of_its_module_is_followed(tmp_path: Path) -> None:
    write(tmp_path, FLAT)
    assert found(tmp_path) == [
        ("cifar.py", 9, "url:https://example.org/data/cifar-python.tar.gz"),
        ("knives.py", 7, "url:https://example.org/data/knives.tar.gz"),
        ("script.py", 3, "url:https://example.org/data/script-level.zip"),
    ]


PACKAGE = {
    "mypkg/__init__.py": "",
    "mypkg/hub.py": '''
        import requests


        def get(url, dest):
            """Fetch ``url`` into ``dest``."""
            with open(dest, "wb") as handle:
                handle.write(requests.get(url, timeout=60).content)
        ''',
    # a relative import of a sibling module, inside a function of the same name
    "mypkg/data.py": '''
        from . import hub

        WEIGHTS = "https://example.org/weights/relative.bin"


        def get(dest="weights.bin"):
            hub.get(url=WEIGHTS, dest=dest)
        ''',
    # a dotted import under an alias
    "tools/alias.py": '''
        import mypkg.hub as hub


        def get():
            hub.get(url="https://example.org/weights/aliased.bin", dest="w.bin")
        ''',
    # a module imported from its package under another name
    "tools/fromimport.py": '''
        from mypkg import hub as h


        def main():
            h.get("https://example.org/weights/from-package.bin", "w.bin")
        ''',
    # the dotted path written out
    "tools/dotted.py": '''
        import mypkg.hub


        def get():
            mypkg.hub.get("https://example.org/weights/dotted.bin", dest="w.bin")
        ''',
}


def test_relative_aliased_and_dotted_module_attributes_are_followed(tmp_path: Path) -> None:
    write(tmp_path, PACKAGE)
    assert found(tmp_path) == [
        ("mypkg/data.py", 7, "url:https://example.org/weights/relative.bin"),
        ("tools/alias.py", 5, "url:https://example.org/weights/aliased.bin"),
        ("tools/dotted.py", 5, "url:https://example.org/weights/dotted.bin"),
        ("tools/fromimport.py", 5, "url:https://example.org/weights/from-package.bin"),
    ]


def test_a_library_attribute_sharing_a_local_wrappers_name_adds_nothing(tmp_path: Path) -> None:
    write(tmp_path, {
        "download.py": DOWNLOAD,
        # ``os.path.join`` is not the project's helper, whatever the module's own functions are called
        "paths.py": '''
            import os

            import download


            def join(url="https://example.org/data/default.tar.gz"):
                download.maybe_download_and_extract(url=url, download_dir="data/")


            def other():
                return os.path.join("https://example.org/data/not-a-load.tar.gz", "x")
            ''',
    })
    assert found(tmp_path) == [("paths.py", 7, "url:https://example.org/data/default.tar.gz")]
