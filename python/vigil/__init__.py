"""Vigil for researchers: PDQ hashes, hash-bank and URL-list matching, store records.

Every function runs the same C++ code as the `vigil` command and its plugins, so a hash
or a match here is the one a scan would record. Errors raise vigil.Error with a one-line
message (TypeError / ValueError for an argument of the wrong kind).

    import vigil
    h = vigil.pdq("photo.jpg")            # PdqHash(hash='d8f8...', quality=100)
    h = vigil.pdq(pixels)                 # numpy uint8 array, height x width x 3 (RGB)
    banks = vigil.Banks("lists/")         # a lists folder or .bank files
    banks.match_pdq(h.hash)               # [{'bank': ..., 'distance': ..., ...}]
    vigil.canonicalize_url("HTTP://Example.COM/a/../b")
    vigil.UrlLists("lists/").check("http://example.com/b")
    store = vigil.Store("store.db")       # read-only
    pandas.DataFrame(store.items())

docs/python.md has the whole API and how to install it into a virtual environment.
"""

import os as _os
from collections import namedtuple as _namedtuple

from . import _vigil

__all__ = [
    "Error",
    "PdqHash",
    "pdq",
    "Banks",
    "canonicalize_url",
    "UrlLists",
    "Store",
]

Error = _vigil.Error

PdqHash = _namedtuple("PdqHash", ["hash", "quality", "dihedral"])
PdqHash.__doc__ = """A PDQ hash: `hash` (64 hex digits), `quality` (0..100; the reference
suggests not matching below 50) and `dihedral`: the hashes of the 8 rotations and
mirrors in the reference's order (original, rotate 90, 180, 270, flip x, flip y,
flip +1, flip -1); dihedral[0] == hash."""


def _is_array(value):
    return hasattr(value, "__array_interface__") or hasattr(value, "__array__")


def pdq(image):
    """The PDQ hash of an image: a file path (decoded as `vigil scan` decodes: no EXIF
    rotation, alpha dropped) or a numpy uint8 array of shape (height, width, 3), RGB.
    Bit-identical to the vigil.pdq plugin for the same pixels."""
    if isinstance(image, (str, bytes, _os.PathLike)):
        path = _os.fsdecode(image)
        return PdqHash(*_vigil.pdq_file(path))
    if _is_array(image):
        import numpy

        return PdqHash(*_vigil.pdq_array(numpy.asarray(image)))
    raise TypeError(
        "pdq: give a file path or a numpy uint8 array (height x width x 3), not "
        + type(image).__name__
    )


def _paths(paths, what):
    if not paths:
        raise TypeError(what + ": name at least one file or lists folder")
    return [_os.fsdecode(p) for p in paths]


class Banks:
    """Hash banks: .bank files (`vigil lists import` writes them) and/or lists folders
    (every <folder>/hash-banks/*.bank, with the entries disabled there left out), opened
    and verified as the hash plugins open them. A damaged bank raises vigil.Error."""

    def __init__(self, *paths):
        self._banks = _vigil.Banks(_paths(paths, "Banks"))

    def names(self):
        """The banks' names."""
        return self._banks.names()

    def __len__(self):
        return len(self._banks)

    def match_pdq(self, hashes, threshold=31):
        """Every entry within `threshold` bits of the PDQ hash (hex), or of any of a
        list of up to 8 hashes (for example PdqHash.dihedral, as the plugin matches).
        A PdqHash matches in all 8 orientations. Returns a list of dicts."""
        if isinstance(hashes, PdqHash):
            hashes = list(hashes.dihedral)
        elif isinstance(hashes, str):
            hashes = [hashes]
        return self._banks.match_pdq(list(hashes), threshold)

    def match(self, value, type="sha256"):
        """Every entry with exactly this md5, sha1 or sha256 (hex) value."""
        return self._banks.match_exact(type, value)

    def __repr__(self):
        return "vigil.Banks(%r)" % (self.names(),)


def canonicalize_url(url):
    """The URL in Safe Browsing canonical form, as the vigil.url detector looks it up."""
    return _vigil.canonicalize_url(url)


class UrlLists:
    """URL lists: .ulist files and/or lists folders (<folder>/url-lists/*.ulist)."""

    def __init__(self, *paths):
        self._lists = _vigil.UrlLists(_paths(paths, "UrlLists"))

    def names(self):
        return list(self._lists.names())

    def check(self, url):
        """The list entries that match the URL (canonicalised first), as dicts; [] when
        none does. A URL that cannot be canonicalised raises vigil.Error."""
        return self._lists.check(url)


class Store:
    """A workstation store (a SQLite file), opened read-only: nothing is written.
    Each method returns a list of plain dicts, one per row (pandas.DataFrame(records))."""

    def __init__(self, path):
        self._store = _vigil.Store(_os.fsdecode(path))

    @property
    def path(self):
        return self._store.path

    @property
    def schema_version(self):
        return self._store.schema_version

    def items(self):
        return self._store.records(_vigil.RecordTable.items)

    def detections(self):
        return self._store.records(_vigil.RecordTable.detections)

    def decisions(self):
        return self._store.records(_vigil.RecordTable.decisions)

    def reveals(self):
        return self._store.records(_vigil.RecordTable.reveals)
