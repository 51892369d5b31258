"""The posting-list format: one encoder, one decoder, and reading term files in order.

Owns how a term's postings (document numbers and term frequencies, or float weights)
are written as Whoosh W3 blocks (:func:`_write_postings`: bigger blocks than Whoosh
writes, inlined when short) and read back whole (:func:`read_postings` through a
matcher, :func:`_stored_postings` from a stored term info, both through
:func:`_extend_block`), and reading a field's term dictionary front to back
(:func:`_field_terms`).

Whoosh internals touched — the reason whoosh-reloaded is pinned exactly: the W3 codec's
block layout (``W3TermInfo`` and its struct, ``WHOOSH3_HEADER_MAGIC``, the pickled
block header and ``(ids, weights, values)`` payload, pickled with protocol 2), a
``W3LeafMatcher``'s ``_postfile``/``_dataoffset``/``_compression``/``_blocklength``/
``_lastblock``/``_nextoffset``/``_goto`` and the term table's
``_tindex``/``_keycoder``/``closest_key_pos``/``endofdata``.
"""

from __future__ import annotations

import io
import itertools
import operator
import pickle
import struct
import zlib
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import _LONG_SIZE, unpack_int, unpack_long
from whoosh.util.numeric import length_to_byte

from archive.home import ArchiveError

#: Postings per block when rebuilding (Whoosh writes 128; bigger blocks decode faster).
BLOCK_POSTINGS = 1024
#: Posting lists this short are kept inside the term dictionary entry (no block).
INLINE_POSTINGS = 2
#: Blocks smaller than this (pickled bytes) are not worth compressing.
COMPRESS_FROM = 96


def _write_postings(
    postfile: Any, docs: list[int], freqs: list[int], lengths: tuple[int, int]
) -> W3TermInfo:
    """Write one term's postings in the W3 format; returns its term info.

    The bytes Whoosh's ``W3PostingsWriter`` writes, except that frequencies stay ints,
    tiny blocks are left uncompressed, very short lists are inlined (Whoosh's own
    inlining is broken: ``set_inline`` vs ``set_inlined``) and every block records the
    segment's shortest and longest field length (a safe bound for Whoosh's block-skipping
    scorers, and no per-posting lookup).
    """
    shortest, longest = lengths
    terminfo = W3TermInfo(
        weight=float(sum(freqs)), df=len(docs), minlength=shortest, maxlength=longest,
        maxweight=float(max(freqs)), minid=docs[0], maxid=docs[-1],
    )
    if len(docs) <= INLINE_POSTINGS:
        terminfo.set_inlined(docs, [float(f) for f in freqs], [b""] * len(docs))
        return terminfo
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    length_bytes = (length_to_byte(shortest), length_to_byte(longest))
    for first in range(0, len(docs), BLOCK_POSTINGS):
        last = first + BLOCK_POSTINGS
        ids = docs[first:last]
        weights = freqs[first:last]
        deltas = tuple(map(operator.sub, ids, [0, *ids[:-1]]))
        mini_weights = None if weights.count(1) == len(weights) else tuple(weights)
        data = pickle.dumps((deltas, mini_weights, None), 2)
        compression = 1 if len(data) >= COMPRESS_FROM else 0
        if compression:
            data = zlib.compress(data, compression)
        info = pickle.dumps((len(ids), ids[-1], float(max(weights)), compression, *length_bytes), 2)
        size = len(info) + len(data)
        postfile.write_int(-size if last >= len(docs) else size)
        postfile.write(info)
        postfile.write(data)
    terminfo.set_extent(start, postfile.tell() - start)
    return terminfo


def _extend_block(ids: array, weights: array, deltas: Sequence[int], block_weights: Any) -> None:
    """Append one W3 block's postings: ids from their deltas, weights as stored (None:
    all 1; one number: all that; else one each), as ints when ``weights`` holds ints."""
    if block_weights is None:
        weights.extend(itertools.repeat(1, len(deltas)))
    elif isinstance(block_weights, int | float):
        weight = block_weights if weights.typecode == "f" else int(block_weights)
        weights.extend(itertools.repeat(weight, len(deltas)))
    else:
        weights.extend(block_weights if weights.typecode == "f" else map(int, block_weights))
    ids.extend(itertools.accumulate(deltas))


#: Pickle (protocol 2) opcodes of a W3 block's payload ``(deltas, weights, None)``.
_PROTO_2, _MARK, _TUPLE, _BINPUT, _NONE = b"\x80\x02", 0x28, 0x74, 0x71, 0x4E
#: The opcodes of an int and the bytes each takes (little-endian; BININT is signed).
_BININT1, _BININT2, _BININT = 0x4B, 0x4D, 0x4A
_INT_SIZES = {_BININT1: 1, _BININT2: 2, _BININT: 4}


def _small_ints(data: bytes, view: np.ndarray, at: int, count: int
                ) -> tuple[np.ndarray, int] | None:
    """The pickled tuple of ``count`` (≥ 4) ints at ``at`` whose first is any int and
    the others below 256 (MARK, the first, one BININT1 each, TUPLE) as int64, and where
    it ends; None when it is anything else. A block's first delta is its first
    document number."""
    if count < 4 or at + 2 >= len(view) or view[at] != _MARK:
        return None
    size = _INT_SIZES.get(int(view[at + 1]))
    if size is None:
        return None
    first = int.from_bytes(data[at + 2 : at + 2 + size], "little", signed=size == 4)
    start = at + 2 + size
    end = start + 2 * (count - 1)
    if end >= len(view) or view[end] != _TUPLE:
        return None
    pairs = view[start:end]
    if not bool((pairs[0::2] == _BININT1).all()):
        return None
    values = np.empty(count, np.int64)
    values[0] = first
    values[1:] = pairs[1::2]
    return values, end + 1


def _decode_block(data: bytes, count: int) -> tuple[np.ndarray, np.ndarray]:
    """One W3 block's ``count`` postings: (docnums ``intp``, weights ``float64``).

    The common block — a long list's deltas and frequencies, all below 256 after its
    first document number, pickled as one byte each — is read straight from its bytes;
    any other is unpickled. Each block's first delta is from 0 (see
    :func:`_write_postings`): the ids are absolute.
    """
    view = np.frombuffer(data, np.uint8)
    deltas = _small_ints(data, view, 2, count) if data[:2] == _PROTO_2 else None
    if deltas is not None:
        ids = np.cumsum(deltas[0], dtype=np.intp)
        at = deltas[1] + (2 if view[deltas[1]] == _BINPUT else 0)
        if at < len(view) and view[at] == _NONE:
            return ids, np.ones(count)
        weights = _small_ints(data, view, at, count)
        if weights is not None:
            return ids, weights[0].astype(np.float64)
    delta_list, block_weights, _ = pickle.loads(data)
    ids = np.fromiter(delta_list, dtype=np.intp, count=len(delta_list)).cumsum()
    if block_weights is None:
        return ids, np.ones(len(ids))
    if isinstance(block_weights, int | float):
        return ids, np.full(len(ids), float(block_weights))
    return ids, np.fromiter(block_weights, dtype=np.float64, count=len(ids))


def read_postings(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """All (docnums, weights) of a posting list, a block at a time (search's reader), as
    NumPy arrays (``intp`` and ``float64``).

    Reads the W3 codec's blocks directly (``whoosh-reloaded<2.8``, see
    :func:`_decode_block`) instead of one ``next()`` call per posting. Deleted documents
    are not removed (the caller knows them).
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if isinstance(matcher, ListMatcher):  # a short list inlined in the term dictionary
        ids = np.array(matcher._ids, dtype=np.intp)
        weights = (np.array(matcher._weights, dtype=np.float64) if matcher._weights
                   else np.ones(len(ids)))
        return ids, weights
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    while True:
        data = matcher._postfile.get(matcher._dataoffset,
                                     matcher._nextoffset - matcher._dataoffset)
        if matcher._compression:
            data = zlib.decompress(data)
        ids, weights = _decode_block(data, matcher._blocklength)
        id_blocks.append(ids)
        weight_blocks.append(weights)
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    if len(id_blocks) == 1:
        return id_blocks[0], weight_blocks[0]
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)



#: A record of Whoosh's term file: key length, value length (then key, value).
_RECORD = struct.Struct("!ii")
_TERMINFO_SIZE = W3TermInfo._struct.size
_READ_AHEAD = 1 << 20


def _field_terms(reader: Any, name: str, start: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
    """(term, term info as stored) of one field of a segment, in order (those beginning
    with ``start`` only, when given).

    Reads Whoosh's ordered term file front to back, a megabyte at a time (its own
    iterator makes several small reads and decodes every term info: ~12 µs a term).
    """
    table = reader._terms._tindex
    field = reader._terms._keycoder(name, b"")
    prefix = field + start
    position = table.closest_key_pos(prefix)
    if position is None:
        return
    end = table.endofdata
    buffer, start = b"", position  # buffer holds the file from ``start``
    while position < end:
        offset = position - start
        if offset + _RECORD.size > len(buffer):
            size = min(max(_READ_AHEAD, _RECORD.size), end - position)
            buffer, start = table.dbfile.get(position, size), position
            offset = 0
        keylength, valuelength = _RECORD.unpack_from(buffer, offset)
        record = _RECORD.size + keylength + valuelength
        if offset + record > len(buffer):
            buffer = table.dbfile.get(position, min(max(_READ_AHEAD, record), end - position))
            start, offset = position, 0
        key = buffer[offset + _RECORD.size : offset + _RECORD.size + keylength]
        if not key.startswith(prefix):
            return
        yield key[len(field):], buffer[offset + _RECORD.size + keylength : offset + record]
        position += record


def _stored_postings(postfile: Any, info: bytes, weight_type: str) -> tuple[array, array]:
    """A term's postings from its stored term info (W3 codec): read in one go."""
    whole = weight_type != "f"
    if info[0]:  # inlined in the term dictionary
        ids, weights, _ = pickle.loads(info[_TERMINFO_SIZE:])
        return array("I", ids), array(weight_type, map(int, weights) if whole else weights)
    offset = unpack_long(info[_TERMINFO_SIZE : _TERMINFO_SIZE + _LONG_SIZE])[0]
    length = unpack_int(info[_TERMINFO_SIZE + _LONG_SIZE : _TERMINFO_SIZE + _LONG_SIZE + 4])[0]
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise ArchiveError("the index is damaged (a posting list has no header); run 'arkiv reindex'")
    ids, weights = array("I"), array(weight_type)
    position = 4
    while True:
        size = unpack_int(raw[position : position + 4])[0]
        position += 4
        block = io.BytesIO(raw[position : position + abs(size)])
        compression = pickle.load(block)[3]
        data = block.read()
        deltas, block_weights, _ = pickle.loads(zlib.decompress(data) if compression else data)
        _extend_block(ids, weights, deltas, block_weights)
        position += abs(size)
        if size < 0:  # the last block
            return ids, weights


