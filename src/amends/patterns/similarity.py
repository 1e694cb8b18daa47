"""An index of texts answering "the k most similar" by cosine of TF-IDF trigram vectors.

Vectors: hashed character trigrams (``ngrams``), sublinear tf ``1 + ln tf`` times
``idf = ln((1 + N) / (1 + df)) + 1``, L2-normalised. N and df are those of the last
build of the posting lists, which happens again whenever the index has grown or
shrunk by a quarter, so texts added early are not stuck with the idf of a small
corpus, and every stored vector, old or new, is on the same scale.

A query runs in two steps, both vectorised:

1. candidates: the query's trigrams' posting lists are summed into approximate
   scores. A list keeps at most ``postings_cap`` texts, those where the trigram
   weighs most ("champion lists", Manning et al., *Introduction to Information
   Retrieval*, 7.1.3): a trigram found in half the corpus still finds the short
   texts made mostly of it, while rare trigrams (names, products, order numbers,
   wording) keep every text. Lists are sorted by weight and a query reads at most
   ``budget`` postings, water-filled: short (rare) lists whole, long ones their
   heaviest part. The sums are gathered by sorting the postings, not in an array
   the size of the index, which would cost more than the postings themselves.
2. rescoring: the best ``candidates`` texts are scored exactly from their stored
   vectors, so every score returned is the true cosine (to float16 precision).

Texts added after a build go into a delta: their vectors are stored like the rest
and their postings kept in small growable lists, searched with the built ones. When
the delta (or the share of removed texts) grows past a quarter of the index, idf,
vectors and posting lists are rebuilt from the stored counts, without the texts.

``save`` writes plain arrays to one ``.npz`` file plus a JSON header, and ``load``
reads them with pickling disabled, so loading a file can never run code.
"""

from __future__ import annotations

import bisect
import json
import os
import tempfile
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from amends.patterns import postings
from amends.patterns.ngrams import BITS, LOG_TF, featurise, pack, unpack

FORMAT = "amends-similarity"
VERSION = 1
_VOCAB = 1 << BITS
_DELTA_SHARE = 0.25  # rebuild the lists when the delta or the removed exceed this share
_BATCH = 20_000  # texts featurised at once when building: bounds the transient memory
_SLAB = 1 << 20  # stored entries scored at once by exact_query

Int64s = NDArray[np.int64]
UInt32s = NDArray[np.uint32]
Floats = NDArray[np.float32]


class SimilarityIndex:
    """Texts under integer ids; ``query`` returns (id, cosine) best first.

    One writer, and no query while writing (callers hold a lock when shared).
    """

    def __init__(
        self, *, postings_cap: int = 4096, budget: int = 100_000, candidates: int = 800
    ) -> None:
        if min(postings_cap, budget, candidates) < 1:
            raise ValueError("postings_cap, budget and candidates must be positive")
        # Memory: a posting list keeps at most this many texts.
        self.postings_cap = postings_cap
        # Latency against recall: postings read per query, texts rescored exactly.
        self.budget = budget
        self.candidates = candidates
        # Forward store, one slot per text ever added since the last compaction:
        # entries[indptr[s]:indptr[s+1]] are its (bucket | tf << BITS), sorted.
        self._entries: UInt32s = np.zeros(0, np.uint32)
        self._vector: NDArray[np.float16] = np.zeros(0, np.float16)  # weight of each entry
        self._used = 0  # entries in use; the array grows with spare room
        self._indptr = array("q", [0])
        self._ids = array("q")
        self._crc = array("I")  # crc32 of each slot's text: is what is indexed current?
        self._alive = bytearray()
        self._slot: dict[int, int] = {}
        self._df = np.zeros(_VOCAB, np.int32)
        # Built posting lists for slots below _built, bucket -> slots, weights.
        self._built = 0
        self._ptr: Int64s = np.zeros(_VOCAB + 1, np.int64)
        self._post: UInt32s = np.zeros(0, np.uint32)
        self._weight: NDArray[np.float16] = np.zeros(0, np.float16)
        # Delta postings for slots from _built on: bucket -> (slots, -weights).
        self._delta: dict[int, tuple[array[int], array[float]]] = {}
        self._idf = np.ones(_VOCAB, np.float32)  # as of the last build
        self._dense = np.zeros(_VOCAB, np.float32)  # scratch, zero between queries
        self._version = 0

    # -- size ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot

    def ids(self) -> list[int]:
        return list(self._slot)

    def holds(self, doc_id: int, text: str) -> bool:
        """Whether ``doc_id`` is indexed with exactly this text."""
        slot = self._slot.get(doc_id)
        return slot is not None and self._crc[slot] == zlib.crc32(
            text.encode("utf-8", "surrogatepass")
        )

    @property
    def delta_size(self) -> int:
        """Texts added since the posting lists were last built."""
        return len(self._ids) - self._built

    # -- building and updating ----------------------------------------------------

    @classmethod
    def build(
        cls,
        items: Iterable[tuple[int, str]],
        *,
        postings_cap: int = 4096,
        budget: int = 100_000,
        candidates: int = 800,
        batch: int = _BATCH,
    ) -> SimilarityIndex:
        """An index of ``items`` (id, text), built in bulk: much faster than ``add``."""
        index = cls(postings_cap=postings_cap, budget=budget, candidates=candidates)
        chunk: list[tuple[int, str]] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                index._append_many(chunk)
                chunk = []
        if chunk:
            index._append_many(chunk)
        index._rebuild_postings()
        return index

    def _append_many(self, items: Sequence[tuple[int, str]]) -> None:
        for doc_id, _ in items:
            self._forget(doc_id)
        indptr, buckets, counts = featurise([text for _, text in items])
        self._reserve(len(buckets))
        self._entries[self._used : self._used + len(buckets)] = pack(buckets, counts)
        base = self._used
        self._used += len(buckets)
        self._indptr.extend((indptr[1:] + base).tolist())
        first = len(self._ids)
        for offset, (doc_id, text) in enumerate(items):
            self._ids.append(doc_id)
            self._crc.append(zlib.crc32(text.encode("utf-8", "surrogatepass")))
            self._slot[doc_id] = first + offset  # a repeated id: the last text wins
        self._alive.extend(b"\x01" * len(items))
        if len(buckets) < 4096:
            np.add.at(self._df, buckets, 1)
        else:
            self._df += np.bincount(buckets, minlength=_VOCAB).astype(np.int32)
        for offset, (doc_id, _) in enumerate(items):
            if self._slot[doc_id] != first + offset:
                self._kill(first + offset)
        self._version += 1

    def _reserve(self, more: int) -> None:
        need = self._used + more
        if need > len(self._entries):
            size = max(need, int(len(self._entries) * 1.25) + 1024)
            # In-place realloc (mremap for large blocks): growing a 600 MB array by
            # copying would need old and new at once. No views of these arrays
            # outlive a method call, so nothing can point at the old memory.
            for name, dtype in (("_entries", np.uint32), ("_vector", np.float16)):
                array_ = getattr(self, name)
                if not array_.flags.owndata or array_.base is not None:
                    array_ = np.array(array_, dtype=dtype)  # loaded or sliced: own it first
                array_.resize(size, refcheck=False)
                setattr(self, name, array_)

    def add(self, doc_id: int, text: str) -> None:
        """Index ``text`` under ``doc_id``, replacing what was indexed under it before."""
        slot = len(self._ids)
        self._append_many([(doc_id, text)])
        if self._alive[slot]:
            self._index_delta(slot)
        self._maybe_compact()

    def remove(self, doc_id: int) -> bool:
        """Forget ``doc_id``; False when it was not indexed."""
        if not self._forget(doc_id):
            return False
        self._version += 1
        self._maybe_compact()
        return True

    def _forget(self, doc_id: int) -> bool:
        slot = self._slot.pop(doc_id, None)
        if slot is None:
            return False
        self._kill(slot)
        return True

    def _kill(self, slot: int) -> None:
        self._alive[slot] = 0
        buckets, _ = unpack(self._row(slot))
        self._df[buckets] -= 1

    def _maybe_compact(self) -> None:
        slots = len(self._ids)
        dead = slots - len(self._slot)
        limit = _DELTA_SHARE * slots
        if self.delta_size > limit or dead > limit:
            self.compact()

    def compact(self) -> None:
        """Drop removed texts; recompute idf, vectors and posting lists from the counts."""
        alive = np.frombuffer(bytes(self._alive), dtype=np.uint8).astype(bool)
        if not alive.all():
            indptr = np.frombuffer(self._indptr, dtype=np.int64)
            lengths = np.diff(indptr)[alive]
            keep = np.repeat(alive, np.diff(indptr))
            self._entries = self._entries[: self._used][keep]
            self._vector = self._vector[: self._used][keep]
            self._used = len(self._entries)
            self._indptr = array("q", [0])
            self._indptr.extend(np.cumsum(lengths).tolist())
            ids = np.frombuffer(self._ids, dtype=np.int64)[alive]
            self._ids = array("q", ids.tobytes())
            self._crc = array("I", np.frombuffer(self._crc, dtype=np.uint32)[alive].tobytes())
            self._alive = bytearray(b"\x01" * len(ids))
            self._slot = {doc_id: slot for slot, doc_id in enumerate(ids.tolist())}
        self._rebuild_postings()

    def _rebuild_postings(self) -> None:
        """Today's idf, every stored vector under it, and champion lists for all slots."""
        used = self._used
        self._idf = _idf(self._df, len(self._slot))
        self._ptr, self._post, self._weight = postings.rebuild(
            self._entries[:used],
            self._vector[:used],
            np.frombuffer(self._indptr, dtype=np.int64),
            np.frombuffer(self._alive, dtype=np.uint8),
            self._df,
            self._idf,
            self.postings_cap,
        )
        self._built = len(self._ids)
        self._delta = {}
        self._version += 1

    # -- scoring ------------------------------------------------------------------

    def _row(self, slot: int) -> UInt32s:
        return self._entries[self._indptr[slot] : self._indptr[slot + 1]]

    def _gather(self, slots: Int64s) -> tuple[UInt32s, NDArray[np.float16], Int64s]:
        """The stored entries of ``slots``, their weights, and which of ``slots`` each
        belongs to (its position in ``slots``)."""
        indptr = np.frombuffer(self._indptr, dtype=np.int64)
        starts = indptr[slots]
        lengths = indptr[slots + 1] - starts
        owner = np.repeat(np.arange(len(slots), dtype=np.int64), lengths)
        positions = np.arange(len(owner), dtype=np.int64)
        positions += np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return self._entries[positions], self._vector[positions], owner

    def _query_vector(self, text: str) -> tuple[UInt32s, Floats]:
        """Buckets of ``text`` and their unit-length tf-idf weights."""
        _, buckets, counts = featurise([text])
        if not len(buckets):
            return buckets, np.zeros(0, np.float32)
        w = LOG_TF[np.minimum(counts, len(LOG_TF) - 1)] * self._idf[buckets]
        return buckets, (w / np.sqrt(np.dot(w, w))).astype(np.float32)

    def _exact(self, slots: Int64s, buckets: UInt32s, qw: Floats) -> Floats:
        """Exact cosines of ``slots`` with the query vector (``buckets``, ``qw``)."""
        entries, vector, owner = self._gather(slots)
        b, _ = unpack(entries)
        # A dense query vector: one gather beats searching the query's buckets.
        dense = self._dense
        dense[buckets] = qw
        try:
            gains = vector.astype(np.float32) * dense[b]
        finally:
            dense[buckets] = 0.0
        return np.bincount(owner, weights=gains, minlength=len(slots)).astype(np.float32)

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two texts under the index's idf."""
        ba, wa = self._query_vector(a)
        bb, wb = self._query_vector(b)
        _, ia, ib = np.intersect1d(ba, bb, assume_unique=True, return_indices=True)
        return float(np.dot(wa[ia], wb[ib]))

    # -- queries ------------------------------------------------------------------

    def query(
        self, text: str, k: int = 10, *, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """The ``k`` indexed texts most like ``text``: (id, cosine), best first."""
        buckets, qw = self._query_vector(text)
        if not len(buckets) or k <= 0 or not self._slot:
            return []
        starts = self._ptr[buckets]
        lengths = self._ptr[buckets + 1] - starts
        sizes = lengths
        extra = [self._delta.get(b) for b in buckets.tolist()] if self._delta else []
        if extra:
            sizes = lengths + np.array([len(e[0]) if e else 0 for e in extra], np.int64)
        quota = postings.quota(sizes, self.budget)
        lengths = np.minimum(lengths, quota)
        positions = np.arange(int(lengths.sum()), dtype=np.int64)
        positions += np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        hits = self._post[positions]
        gains = self._weight[positions].astype(np.float32) * np.repeat(qw, lengths)
        if any(extra):
            # Delta lists get the same quota as built ones: their heaviest postings.
            more_hits: list[UInt32s] = [hits]
            more_gains: list[Floats] = [gains]
            for lists, weight in zip(extra, (-qw).tolist(), strict=True):
                if lists is not None:
                    more_hits.append(np.frombuffer(lists[0], dtype=np.uint32)[:quota])
                    more_gains.append(np.frombuffer(lists[1], dtype=np.float32)[:quota] * weight)
            hits, gains = np.concatenate(more_hits), np.concatenate(more_gains)
        if not len(hits):
            return []
        touched, totals = self._accumulate(hits, gains)
        # Removed texts and excluded ids are dropped before choosing, not after.
        alive = np.frombuffer(self._alive, dtype=np.uint8)
        keep = alive[touched] == 1
        touched, totals = touched[keep], totals[keep]
        skip = [self._slot[d] for d in exclude if d in self._slot]
        if skip:
            keep = ~np.isin(touched, skip)
            touched, totals = touched[keep], totals[keep]
        wanted = max(self.candidates, k)
        if len(touched) > wanted:
            touched = touched[np.argpartition(totals, len(touched) - wanted)[-wanted:]]
        return self._top(touched, buckets, qw, k)

    @staticmethod
    def _accumulate(hits: UInt32s, gains: Floats) -> tuple[Int64s, Floats]:
        """The distinct slots in ``hits`` and the sum of their ``gains``.

        By sorting (slot, gain) packed in one uint64: a sort of a hundred thousand
        postings reads memory in order, where a bincount over a million slots, and the
        scan for its nonzero entries, miss the cache at every step.
        """
        packed = (hits.astype(np.uint64) << np.uint64(32)) | gains.view(np.uint32)
        packed.sort()
        slots = (packed >> np.uint64(32)).astype(np.int64)
        first = np.flatnonzero(np.concatenate(([True], slots[1:] != slots[:-1])))
        values = packed.astype(np.uint32).view(np.float32)  # the low 32 bits: the gains
        return slots[first], np.add.reduceat(values, first)

    def _top(self, slots: Int64s, buckets: UInt32s, qw: Floats, k: int) -> list[tuple[int, float]]:
        if not len(slots):
            return []
        scores = self._exact(slots, buckets, qw)
        ids = np.frombuffer(self._ids, dtype=np.int64)[slots]
        # Best score first; ties by lower id, so answers are reproducible.
        order = np.lexsort((ids, -scores))[:k]
        return [(int(ids[i]), float(scores[i])) for i in order if scores[i] > 0]

    def exact_query(
        self, text: str, k: int = 10, *, exclude: Iterable[int] = ()
    ) -> list[tuple[int, float]]:
        """The true top ``k`` by scoring every text: O(N), for checks and measurements."""
        buckets, qw = self._query_vector(text)
        if not len(buckets) or k <= 0 or not self._slot:
            return []
        indptr = np.frombuffer(self._indptr, dtype=np.int64)
        dense = self._dense
        dense[buckets] = qw
        scores = np.zeros(len(self._ids), np.float64)
        try:
            for lo in range(0, self._used, _SLAB):
                hi = min(lo + _SLAB, self._used)
                b, _ = unpack(self._entries[lo:hi])
                shared = np.flatnonzero(dense[b])
                slots = np.searchsorted(indptr, shared + lo, side="right") - 1
                gains = self._vector[lo:hi][shared].astype(np.float32) * dense[b[shared]]
                scores += np.bincount(slots, weights=gains, minlength=len(scores))
        finally:
            dense[buckets] = 0.0
        scores[np.frombuffer(self._alive, dtype=np.uint8) == 0] = 0.0
        for doc_id in exclude:
            if doc_id in self._slot:
                scores[self._slot[doc_id]] = 0.0
        ranked = np.flatnonzero(scores > 0)
        if len(ranked) > 4 * k:
            # Rescored like a query's candidates, so both give identical numbers.
            ranked = ranked[np.argpartition(scores[ranked], len(ranked) - 4 * k)[-4 * k :]]
        return self._top(ranked, buckets, qw, k)

    # -- persistence --------------------------------------------------------------

    def save(self, path: str | Path, *, meta: dict[str, Any] | None = None) -> None:
        """Write the index to ``path`` atomically (a reader sees the old or the new).

        ``meta`` is kept in the header for the caller (e.g. what the index was built from).
        """
        path = Path(path)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "bits": BITS,
            "postings_cap": self.postings_cap,
            "budget": self.budget,
            "candidates": self.candidates,
            "built": self._built,
            "meta": meta or {},
        }
        arrays: dict[str, NDArray[Any]] = {
            "header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            "entries": self._entries[: self._used],
            "vector": self._vector[: self._used],
            "idf": self._idf,
            "indptr": np.frombuffer(self._indptr, dtype=np.int64),
            "ids": np.frombuffer(self._ids, dtype=np.int64),
            "crc": np.frombuffer(self._crc, dtype=np.uint32),
            "alive": np.frombuffer(bytes(self._alive), dtype=np.uint8),
            "df": self._df,
            "ptr": self._ptr,
            "post": self._post,
            "weight": self._weight,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, allow_pickle=False, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def read_meta(path: str | Path) -> dict[str, Any]:
        """The header of a saved index (cheap: the arrays are not read)."""
        header, _ = _read(path, arrays=False)
        meta = header.get("meta", {})
        return meta if isinstance(meta, dict) else {}

    @classmethod
    def load(cls, path: str | Path) -> SimilarityIndex:
        """Read an index written by ``save``; ValueError for anything else."""
        header, got = _read(path, arrays=True)
        index = cls(
            postings_cap=int(header["postings_cap"]),
            budget=int(header["budget"]),
            candidates=int(header["candidates"]),
        )
        expected = {
            "entries": np.uint32,
            "vector": np.float16,
            "idf": np.float32,
            "indptr": np.int64,
            "ids": np.int64,
            "crc": np.uint32,
            "alive": np.uint8,
            "df": np.int32,
            "ptr": np.int64,
            "post": np.uint32,
            "weight": np.float16,
        }
        for name, dtype in expected.items():
            if name not in got or got[name].dtype != dtype or got[name].ndim != 1:
                raise ValueError(f"{path}: array {name!r} missing or of the wrong type")
        slots = len(got["ids"])
        built = int(header["built"])
        if not (
            len(got["indptr"]) == slots + 1
            and len(got["alive"]) == len(got["crc"]) == slots
            and int(got["indptr"][-1]) == len(got["entries"]) == len(got["vector"])
            and len(got["idf"]) == _VOCAB
            and len(got["df"]) == _VOCAB
            and len(got["ptr"]) == _VOCAB + 1
            and int(got["ptr"][-1]) == len(got["post"]) == len(got["weight"])
            and 0 <= built <= slots
        ):
            raise ValueError(f"{path}: inconsistent similarity index")
        index._entries = got["entries"]  # freshly read arrays: no copies needed
        index._vector = got["vector"]
        index._idf = got["idf"]
        index._used = len(index._entries)
        index._indptr = array("q", got["indptr"].tobytes())
        index._ids = array("q", got["ids"].tobytes())
        index._crc = array("I", got["crc"].tobytes())
        index._alive = bytearray(got["alive"].tobytes())
        index._df = got["df"]
        index._ptr, index._post, index._weight = got["ptr"], got["post"], got["weight"]
        index._built = built
        ids = got["ids"].tolist()
        index._slot = {ids[s]: s for s in np.flatnonzero(got["alive"] == 1).tolist()}
        # Texts added after the last build get their delta postings back; there are
        # few of them (a rebuild happens once they are a quarter of the index).
        for slot in range(built, slots):
            if index._alive[slot]:
                index._index_delta(slot)
        return index

    def _index_delta(self, slot: int) -> None:
        buckets, tfs = unpack(self._row(slot))
        if not len(buckets):
            return
        weights = LOG_TF[tfs] * self._idf[buckets]
        weights /= np.sqrt(np.dot(weights, weights))
        lo = self._indptr[slot]
        self._vector[lo : lo + len(weights)] = weights
        cap = self.postings_cap
        # Delta lists are champion lists too, kept in order of descending weight (as
        # negative weights, ascending, for bisect), so a query reads their best part
        # and the newest text is not the one cut off.
        for bucket, weight in zip(buckets.tolist(), (-weights).tolist(), strict=True):
            lists = self._delta.get(bucket)
            if lists is None:
                self._delta[bucket] = (array("I", [slot]), array("f", [weight]))
                continue
            slots, negatives = lists
            at = bisect.bisect_right(negatives, weight)
            if at >= cap:
                continue
            slots.insert(at, slot)
            negatives.insert(at, weight)
            if len(slots) > cap:
                slots.pop()
                negatives.pop()


def _idf(df: NDArray[np.int32], n: int) -> Floats:
    idf: Floats = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    return idf


def _read(path: str | Path, *, arrays: bool) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """The header and (optionally) the arrays of a saved index; never unpickles."""
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("a single array, not an index")
        with data:
            header = _header(data["header"], path)
            got = {n: data[n] for n in data.files if n != "header"} if arrays else {}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: not a readable similarity index ({error})") from error
    return header, got


def _header(raw: NDArray[Any], path: str | Path) -> dict[str, Any]:
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: unreadable similarity index header") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"{path}: not a similarity index")
    if header.get("version") != VERSION or header.get("bits") != BITS:
        raise ValueError(f"{path}: similarity index of another version; rebuild it")
    return header
