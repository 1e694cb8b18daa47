"""Text similarity across cases in any language, and an index of past cases (pure).

A text becomes a TF-IDF vector of character trigrams taken inside words, each word
padded by a space (scikit-learn calls this "char_wb"). No word segmentation is
needed: Thai, written without spaces between words, yields the trigrams of each
run of text, and inflected Slovak or Greek words still share most of theirs.
Before that the text is case-folded and Latin and Greek letters lose their
accents, because customers type "Δεν λάβαμε" and "δεν λαβαμε", "faktúru" and
"fakturu" for the same thing. Trigrams are hashed into 2**bits buckets, so there
is no vocabulary to build up front and memory is bounded.

Weights: sublinear tf (1 + ln tf) times idf = ln((1 + N) / (1 + df)) + 1, with N
and df as they are when the query runs, so documents added early are not stuck
with the idf of a small corpus. Vectors are L2-normalised; similarity is cosine.

The index answers "the k most similar past cases" without scoring every case, in
four narrowing steps, each cheap enough for pure Python because it runs in C:

1. count: the posting lists of the query's rarest trigrams (names, products and
   order numbers are what make two complaints the same complaint), up to a budget
   of postings, are counted by ``collections.Counter``, each list repeated in
   proportion to its weight;
2. shortlist: the texts with the best counts;
3. screen: each text keeps a 1024-bit signature of its trigrams (a Bloom filter);
   AND-ing it with the query's trigrams, grouped by weight, and counting bits
   estimates the whole dot product, common trigrams included, which the counts
   miss: two complaints told with the same phrases share mostly common trigrams;
4. rescore: the best screened texts get their exact dot product, the best of
   those their exact cosine.

Posting lists of very common trigrams stop growing at a cap: they never help to
find candidates, and they would be half the memory.

Storage is a few flat arrays (array module) and one int per text for its
signature, not objects per trigram, so a million cases fit in about 1.5 GB;
``save``/``load`` write those arrays as they are behind a small JSON header, and
reading executes nothing.
"""

from __future__ import annotations

import heapq
import json
import math
import re
import sys
import unicodedata
import zlib
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from functools import partial
from itertools import chain, compress, filterfalse, islice, repeat
from operator import add, and_, eq, gt, itemgetter, mul
from pathlib import Path
from typing import Any, BinaryIO, Literal

FORMAT = "amends-similarity"
VERSION = 1
MAGIC = b"AMSIM\n"

_MARKS = "".join(
    chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) in ("Mn", "Mc", "Me")
)
# Thai vowel and tone marks are combining marks, which `re` does not count as word
# characters: a plain [\W_]+ would cut Thai words apart, so marks are kept.
_SEPARATORS = re.compile(f"(?:[^\\w{re.escape(_MARKS)}]|_)+")
_ASCII_SEPARATORS = re.compile(r"[\W_]+", re.ASCII)
# Only marks on Latin and Greek letters go: on Cyrillic (й) or Indic letters a
# combining mark makes a different letter, not an accented one.
_ACCENTS = re.compile(r"(?<=[a-zA-Z\u00c0-\u024f\u0370-\u03ff\u1e00-\u1fff])[\u0300-\u036f]+")

_TF_SHIFT = 20  # tf > 1 is stored above the bucket number, which has at most 20 bits
_TF_MAX = (1 << 12) - 1  # beyond this one more repetition changes 1 + ln tf by < 0.03%
_MEMO_MAX = 1 << 19  # words remembered with their buckets (order numbers never repeat)
_UPKEEP_EVERY = 1 << 14  # adds between stopping long posting lists and refreshing idf
_REPEAT_MAX = 8  # a posting list counted at most this often: weights are idf^2 ratios
_TF2 = 1.0 + math.log(2)
_TYPECODES = "BIQqf"
_SIG_BITS = 1024  # signature size: 128 bytes a text; 512 bits lose recall, 2048 gain little
_SIG_MASK = _SIG_BITS - 1
_POW2 = [1 << b for b in range(_SIG_BITS)]
_LITTLE: Literal["little"] = "little"
_CLASSES = 4  # weight classes of query trigrams when screening by signature
_DRAIN: Callable[[Iterable[Any]], None] = deque(maxlen=0).extend  # runs an iterator to its end in C


def normalize(text: str) -> str:
    """Case-folded text without Latin/Greek accents, words separated by single spaces."""
    if text.isascii():
        return _ASCII_SEPARATORS.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold())
    folded = unicodedata.normalize("NFC", _ACCENTS.sub("", folded))
    # casefold already maps final sigma to sigma; the replace keeps that explicit.
    return _SEPARATORS.sub(" ", folded.replace("ς", "σ")).strip()


def ngrams(text: str, n: int = 3) -> list[str]:
    """Character n-grams of each normalised word, padded with a space at both ends."""
    grams: list[str] = []
    for word in normalize(text).split():
        padded = f" {word} "
        grams.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    return grams


class SimilarityIndex:
    """Top-k cosine similarity over texts keyed by integer ids, updated incrementally.

    Not thread-safe: one writer, and no queries while writing.
    """

    def __init__(
        self,
        *,
        ngram: int = 3,
        bits: int = 20,
        postings_cap: int = 50_000,
        candidate_budget: int = 10_000,
        shortlist: int = 2_000,
        screened: int = 150,
        rescore: int = 30,
    ) -> None:
        if not 1 <= ngram <= 8 or not 8 <= bits <= _TF_SHIFT:
            raise ValueError("ngram must be 1..8 and bits 8..20")
        self.ngram = ngram
        self.bits = bits
        # A posting list stops growing at this length: its trigram is in so many
        # texts that it is never read to find candidates (its df still counts).
        self.postings_cap = postings_cap
        # The knobs trading latency for recall, one per step of a query: postings
        # counted, texts shortlisted, screened by signature, rescored exactly.
        self.candidate_budget = candidate_budget
        self.shortlist = shortlist
        self.screened = screened
        self.rescore = rescore
        self._mask = (1 << bits) - 1
        self._postings: defaultdict[int, array[int]] = defaultdict(partial(array, "I"))
        self._stopped: set[int] = set()
        self._df: Counter[int] = Counter()
        # ln(1 + df) per bucket, so idf = ln(1 + N) + 1 - _log[bucket]; buckets whose
        # df changed wait in _dirty until the next query or the periodic upkeep.
        self._log = array("d", bytes(8 << bits))
        self._dirty = array("I")
        # Per slot (one per text added): its buckets in _terms from _start[slot] to
        # _start[slot + 1]: _n3[slot] with tf >= 3 (tf packed above bit 20), then
        # _n2[slot] with tf = 2, then those with tf = 1. _invnorm is 1/length of the
        # tf vector (see _store); _sigs[slot] the signature (see _screen).
        self._terms = array("I")
        self._start = array("Q", [0])
        self._n3 = array("I")
        self._n2 = array("I")
        self._invnorm = array("f")
        self._sigs: list[int] = []
        self._ids = array("q")
        self._alive = array("B")
        self._slot: dict[int, int] = {}
        self._memo: dict[str, tuple[int, ...]] = {}
        self._since_upkeep = 0
        # Bumped by every change; exact_query keeps all lengths while it holds.
        self._version = 0
        self._lengths_cache: tuple[int, array[float]] | None = None

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot

    # -- features ---------------------------------------------------------------

    def _word_buckets(self, word: str) -> tuple[int, ...]:
        mask = self._mask
        # crc32 rather than hash(): str hashes change with every process, and a
        # bucket must mean the same after save and load.
        return tuple(zlib.crc32(g.encode("utf-8")) & mask for g in ngrams(word, self.ngram))

    def features(self, text: str) -> Counter[int]:
        """Bucket -> count of the n-grams of ``text``."""
        words = text.split()
        memo = self._memo
        # A raw word (punctuation and case included) always gives the same buckets,
        # and words repeat across complaints, so most words cost one dict lookup.
        parts = list(map(memo.get, words))
        if None in parts:
            if len(memo) > _MEMO_MAX:
                memo.clear()
            for i, part in enumerate(parts):
                if part is None:
                    parts[i] = memo[words[i]] = self._word_buckets(words[i])
        return Counter(chain.from_iterable(parts))  # type: ignore[arg-type]

    # -- updates ----------------------------------------------------------------

    def add(self, doc_id: int, text: str) -> None:
        """Index ``text`` under ``doc_id``, replacing any text indexed under it before."""
        if doc_id in self._slot:
            self.remove(doc_id)
        counts = self.features(text)
        if len(counts) == counts.total():
            self._store(doc_id, array("I", counts), 0, 0)
            return
        values = counts.values()
        terms = array(
            "I",
            (
                f | (min(counts[f], _TF_MAX) << _TF_SHIFT)
                for f in compress(counts, map(gt, values, repeat(2)))
            ),
        )
        n3 = len(terms)
        terms.extend(compress(counts, map(eq, values, repeat(2))))
        n2 = len(terms) - n3
        terms.extend(compress(counts, map(eq, values, repeat(1))))
        self._store(doc_id, terms, n3, n2)

    def _store(self, doc_id: int, terms: array[int], n3: int, n2: int) -> None:
        slot = len(self._ids)
        self._terms.extend(terms)
        self._start.append(len(self._terms))
        self._n3.append(n3)
        self._n2.append(n2)
        self._ids.append(doc_id)
        self._alive.append(1)
        self._slot[doc_id] = slot
        buckets = terms
        if n3:
            buckets = array("I", map(and_, terms[:n3], repeat(self._mask)))
            buckets.extend(terms[n3:])
        postings = self._postings
        _DRAIN(
            map(
                array.append,
                map(postings.__getitem__, filterfalse(self._stopped.__contains__, buckets)),
                repeat(slot),
            )
        )
        self._df.update(buckets)
        self._dirty.extend(buckets)
        # The length without idf: idf changes as texts arrive, and a length taken
        # with the idf of its day would rank old and new texts on different scales.
        tf2 = len(terms) - n3 + (_TF2 * _TF2 - 1.0) * n2
        tf2 += sum((1.0 + math.log(v >> _TF_SHIFT)) ** 2 for v in terms[:n3])
        self._invnorm.append(1.0 / math.sqrt(tf2) if tf2 else 0.0)
        # Summing distinct powers of two ORs the bits, all in C.
        self._sigs.append(sum(set(map(_POW2.__getitem__, map(and_, buckets, repeat(_SIG_MASK))))))
        self._version += 1
        self._since_upkeep += 1
        if self._since_upkeep >= _UPKEEP_EVERY:
            self._upkeep()

    def _upkeep(self) -> None:
        """Stop posting lists that grew past the cap; bring idf up to date."""
        self._since_upkeep = 0
        postings, cap = self._postings, self.postings_cap
        for f in list(compress(postings, map(gt, map(len, postings.values()), repeat(cap)))):
            postings[f] = postings[f][:cap]
            self._stopped.add(f)
        self._refresh()

    def _refresh(self) -> None:
        if self._dirty:
            log, df = self._log, self._df
            for f in set(self._dirty):
                log[f] = math.log1p(df[f])
            self._dirty = array("I")

    def remove(self, doc_id: int) -> bool:
        """Forget ``doc_id``; False when it was not indexed."""
        slot = self._slot.pop(doc_id, None)
        if slot is None:
            return False
        self._alive[slot] = 0
        self._version += 1
        more, twos, ones = self._parts(slot)
        df, postings = self._df, self._postings
        for f in chain((v & self._mask for v in more), twos, ones):
            df[f] -= 1
            if df[f] <= 0:
                del df[f]
            posting = postings.get(f)
            if posting is not None and slot in posting:
                posting.remove(slot)
            self._dirty.append(f)
        return True

    def compact(self) -> None:
        """Reclaim the storage of removed texts (renumbers the internal slots)."""
        if len(self._slot) == len(self._ids):
            return
        old = (self._terms, self._start, self._n3, self._n2, self._ids, self._alive)
        terms, start, n3, n2, ids, alive = old
        self._terms = array("I")
        self._start = array("Q", [0])
        self._n3 = array("I")
        self._n2 = array("I")
        self._invnorm = array("f")
        self._sigs = []
        self._ids = array("q")
        self._alive = array("B")
        self._slot = {}
        self._postings.clear()
        self._stopped.clear()
        self._df.clear()
        self._since_upkeep = 0
        for slot in compress(range(len(ids)), alive):
            self._store(ids[slot], terms[start[slot] : start[slot + 1]], n3[slot], n2[slot])
        self._upkeep()

    # -- scoring ----------------------------------------------------------------

    def _parts(self, slot: int) -> tuple[array[int], array[int], array[int]]:
        """A text's buckets with tf >= 3 (packed), tf = 2 and tf = 1."""
        lo, hi = self._start[slot], self._start[slot + 1]
        two = lo + self._n3[slot]
        one = two + self._n2[slot]
        terms = self._terms
        return terms[lo:two], terms[two:one], terms[one:hi]

    def _length2(self, more: array[int], twos: array[int], ones: array[int], top: float) -> float:
        """Squared length of a text's tf-idf vector."""
        log = self._log
        length2 = _idf2(ones, log, top) + _TF2 * _TF2 * _idf2(twos, log, top)
        for v in more:
            w = (1.0 + math.log(v >> _TF_SHIFT)) * (top - log[v & self._mask])
            length2 += w * w
        return length2

    def _dot(self, slot: int, weights: dict[int, float]) -> float:
        """Dot product of text ``slot``'s tf with the query's weight * idf."""
        more, twos, ones = self._parts(slot)
        get = weights.get
        dot = sum(map(get, ones, repeat(0.0))) + _TF2 * sum(map(get, twos, repeat(0.0)))
        for v in more:
            dot += (1.0 + math.log(v >> _TF_SHIFT)) * get(v & self._mask, 0.0)
        return dot

    def _score(self, slot: int, weights: dict[int, float], top: float) -> float:
        """Cosine of text ``slot`` with the query, times the query's length."""
        dot = self._dot(slot, weights)
        if dot <= 0:
            return 0.0
        return dot / math.sqrt(self._length2(*self._parts(slot), top))

    def _lengths(self, top: float) -> array[float]:
        """Every text's length under today's idf, kept until the index changes."""
        if self._lengths_cache is None or self._lengths_cache[0] != self._version:
            lengths = array("d", bytes(8 * len(self._ids)))
            for slot in compress(range(len(self._ids)), self._alive):
                lengths[slot] = math.sqrt(self._length2(*self._parts(slot), top))
            self._lengths_cache = (self._version, lengths)
        return self._lengths_cache[1]

    def _query_vector(self, text: str) -> tuple[dict[int, float], float, float]:
        """Query bucket -> its weight times its idf (so a dot product with a text's
        tf-idf vector gives the cosine times both lengths), the query's length and
        ln(1 + N) + 1."""
        self._refresh()
        top = math.log1p(len(self._slot)) + 1.0
        weights: dict[int, float] = {}
        length2 = 0.0
        log = self._log
        for f, count in self.features(text).items():
            idf = top - log[f]
            w = (1.0 + math.log(count)) * idf
            length2 += w * w
            weights[f] = w * idf
        return weights, math.sqrt(length2), top

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two texts under the index's current idf."""
        wa, la, top = self._query_vector(a)
        wb, lb, _ = self._query_vector(b)
        if not la or not lb:
            return 0.0
        log = self._log
        # Both maps hold weight * idf: each shared bucket carries idf twice too many.
        dot = sum(wa[f] * wb[f] / (top - log[f]) ** 2 for f in wa.keys() & wb.keys())
        return dot / (la * lb)

    # -- queries ----------------------------------------------------------------

    def query(
        self, text: str, k: int = 10, exclude: Iterable[int] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` indexed texts most similar to ``text``: (id, cosine), best first."""
        weights, length, top = self._query_vector(text)
        if not length or k <= 0 or not self._slot:
            return []
        counts = self._count_candidates(weights)
        for doc_id in exclude or ():
            slot = self._slot.get(doc_id)
            if slot is not None:
                counts.pop(slot, None)
        short = self._screen(self._most_counted(counts, self.shortlist), weights, k)
        # Lengths without idf are enough to order by dot product (see _store); the
        # exact cosine, which needs today's idf for every trigram, is for the last few.
        alive, invnorm = self._alive, self._invnorm
        dots = ((self._dot(slot, weights) * invnorm[slot], slot) for slot in short if alive[slot])
        scored = (
            (self._score(slot, weights, top), slot)
            for _, slot in heapq.nlargest(max(self.rescore, k), dots)
        )
        ids = self._ids
        return [(ids[slot], s / length) for s, slot in heapq.nlargest(k, scored) if s > 0]

    def _screen(self, short: list[int], weights: dict[int, float], k: int) -> list[int]:
        """The ``screened`` texts of ``short`` whose signatures share most query weight."""
        keep = max(self.screened, k)
        if len(short) <= keep:
            return short
        # Query trigrams in a few classes of similar weight: one AND and one bit
        # count per class and text estimate the dot product, the ones counted above
        # and the common ones alike.
        low = min(weights.values())
        span = math.log(max(weights.values()) / low) or 1.0
        masks = [0] * _CLASSES
        totals = [0.0] * _CLASSES
        sizes = [0] * _CLASSES
        for f, weight in weights.items():
            c = min(_CLASSES - 1, int(math.log(weight / low) / span * _CLASSES))
            masks[c] |= _POW2[f & _SIG_MASK]
            totals[c] += weight
            sizes[c] += 1
        sigs = list(map(self._sigs.__getitem__, short))
        estimate: Iterable[float] = map(self._invnorm.__getitem__, short)
        shared: Iterable[float] = repeat(0.0)
        for mask, total, size in zip(masks, totals, sizes, strict=True):
            if size:
                bits = map(int.bit_count, map(and_, repeat(mask), sigs))
                shared = list(map(add, shared, map(mul, repeat(total / size), bits)))
        estimate = map(mul, estimate, shared)
        return [slot for _, slot in heapq.nlargest(keep, zip(estimate, short, strict=True))]

    def _count_candidates(self, weights: dict[int, float]) -> Counter[int]:
        postings, stopped = self._postings, self._stopped
        shared = [(len(p), f, p) for f in weights if f not in stopped and (p := postings.get(f))]
        if not shared:
            # Only very common trigrams: any of the texts first seen with them will do.
            shared = [(self._df[f], f, p) for f in weights if f in stopped and (p := postings[f])]
        shared.sort(key=itemgetter(0))
        chosen: list[tuple[int, float]] = []
        spent = 0
        for length, f, _ in shared:
            if chosen and spent + length > self.candidate_budget:
                break
            chosen.append((f, weights[f]))
            spent += length
        if not chosen:
            return Counter()
        # Rarest first; each list counts about as often as its weight exceeds that
        # of the commonest one taken, so counting in C approximates the dot product.
        floor = chosen[-1][1]
        lists: list[array[int]] = []
        for f, weight in chosen:
            lists.extend(repeat(postings[f], max(1, min(_REPEAT_MAX, round(weight / floor)))))
        return Counter(chain.from_iterable(lists))

    @staticmethod
    def _most_counted(counts: Counter[int], n: int) -> list[int]:
        """``n`` keys with the highest counts (ties: those counted first)."""
        if len(counts) <= n:
            return list(counts)
        values = counts.values()
        histogram = Counter(values)
        kept = 0
        threshold = 0
        for value in sorted(histogram, reverse=True):
            kept += histogram[value]
            if kept >= n:
                threshold = value
                break
        best = list(compress(counts, map(gt, values, repeat(threshold))))
        best.extend(islice(compress(counts, map(eq, values, repeat(threshold))), n - len(best)))
        return best

    def exact_query(
        self, text: str, k: int = 10, exclude: Iterable[int] | None = None
    ) -> list[tuple[int, float]]:
        """The true top ``k``, scoring every text: O(N), for checks and small sets."""
        weights, length, top = self._query_vector(text)
        if not length or k <= 0:
            return []
        skip = {self._slot[d] for d in exclude or () if d in self._slot}
        lengths = self._lengths(top)
        scored = (
            (self._dot(slot, weights) / lengths[slot], slot)
            for slot in compress(range(len(self._ids)), self._alive)
            if slot not in skip and lengths[slot]
        )
        ids = self._ids
        return [(ids[slot], s / length) for s, slot in heapq.nlargest(k, scored) if s > 0]

    # -- persistence ------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to ``path``: magic, header length, JSON header, raw arrays."""
        self._refresh()
        keys = array("I", self._postings)
        sections: list[tuple[str, array[int] | array[float]]] = [
            ("terms", self._terms),
            ("start", self._start),
            ("n3", self._n3),
            ("n2", self._n2),
            ("invnorm", self._invnorm),
            ("ids", self._ids),
            ("alive", self._alive),
            ("df_keys", array("I", self._df)),
            ("df_values", array("Q", self._df.values())),
            ("stopped", array("I", self._stopped)),
            ("posting_keys", keys),
            ("posting_lengths", array("Q", map(len, self._postings.values()))),
        ]
        header = {
            "format": FORMAT,
            "version": VERSION,
            "byteorder": sys.byteorder,
            "ngram": self.ngram,
            "bits": self.bits,
            "postings_cap": self.postings_cap,
            "candidate_budget": self.candidate_budget,
            "shortlist": self.shortlist,
            "screened": self.screened,
            "rescore": self.rescore,
            "signature_bytes": _SIG_BITS // 8,
            "arrays": [[name, a.typecode, a.itemsize, len(a)] for name, a in sections],
        }
        blob = json.dumps(header).encode("utf-8")
        with open(path, "wb") as out:
            out.write(MAGIC)
            out.write(len(blob).to_bytes(8, "little"))
            out.write(blob)
            for _, a in sections:
                a.tofile(out)
            for posting in self._postings.values():
                posting.tofile(out)
            width = _SIG_BITS // 8
            for at in range(0, len(self._sigs), 4096):
                chunk = self._sigs[at : at + 4096]
                out.write(b"".join(map(int.to_bytes, chunk, repeat(width), repeat(_LITTLE))))

    @classmethod
    def load(cls, path: str | Path) -> SimilarityIndex:
        """Read an index written by ``save``; refuses other formats and versions."""
        with open(path, "rb") as src:
            if src.read(len(MAGIC)) != MAGIC:
                raise ValueError(f"{path}: not a similarity index")
            size = int.from_bytes(src.read(8), "little")
            header = json.loads(src.read(size).decode("utf-8"))
            if header.get("format") != FORMAT or header.get("version") != VERSION:
                raise ValueError(f"{path}: unsupported index format or version")
            index = cls(
                ngram=int(header["ngram"]),
                bits=int(header["bits"]),
                postings_cap=int(header["postings_cap"]),
                candidate_budget=int(header["candidate_budget"]),
                shortlist=int(header["shortlist"]),
                screened=int(header["screened"]),
                rescore=int(header["rescore"]),
            )
            if header["signature_bytes"] != _SIG_BITS // 8:
                raise ValueError(f"{path}: unsupported signature size")
            swap = header["byteorder"] != sys.byteorder
            got = {
                str(name): _read(src, str(code), int(itemsize), int(length), swap)
                for name, code, itemsize, length in header["arrays"]
            }
            keys, lengths = _ints(got["posting_keys"]), _ints(got["posting_lengths"])
            if len(keys) != len(lengths):
                raise ValueError(f"{path}: inconsistent index")
            for f, length in zip(keys, lengths, strict=True):
                index._postings[f] = _ints(_read(src, "I", 4, length, swap))
            width = _SIG_BITS // 8
            blob = src.read(width * len(got["ids"]))
            if len(blob) != width * len(got["ids"]) or src.read(1):
                raise ValueError(f"{path}: truncated or oversized index")
            cuts = map(slice, range(0, len(blob), width), range(width, len(blob) + 1, width))
            index._sigs = list(map(int.from_bytes, map(blob.__getitem__, cuts), repeat(_LITTLE)))
        index._terms = _ints(got["terms"])
        index._start = _ints(got["start"])
        index._n3 = _ints(got["n3"])
        index._n2 = _ints(got["n2"])
        index._invnorm = _floats(got["invnorm"])
        index._ids = _ints(got["ids"])
        index._alive = _ints(got["alive"])
        slots = len(index._ids)
        if not (
            len(index._start) == slots + 1
            and len(index._n3)
            == len(index._n2)
            == len(index._invnorm)
            == len(index._alive)
            == slots
            and len(got["df_keys"]) == len(got["df_values"])
        ):
            raise ValueError(f"{path}: inconsistent index")
        index._df = Counter(dict(zip(_ints(got["df_keys"]), _ints(got["df_values"]), strict=True)))
        index._stopped = set(_ints(got["stopped"]))
        index._slot = {index._ids[slot]: slot for slot in compress(range(slots), index._alive)}
        index._dirty = array("I", index._df)
        index._refresh()
        return index


def _idf2(buckets: array[int], log: array[float], top: float) -> float:
    """Sum of idf^2 over ``buckets``: idf = top - ln(1 + df), a distance in C."""
    if len(buckets) > 1:
        logs = itemgetter(*buckets)(log)
        return math.dist(logs, (top,) * len(logs)) ** 2
    return sum((top - log[f]) ** 2 for f in buckets)


def _read(
    src: BinaryIO, typecode: str, itemsize: int, length: int, swap: bool
) -> array[int] | array[float]:
    if typecode not in _TYPECODES:
        raise ValueError(f"unexpected array type {typecode!r}")
    a: array[int] | array[float] = array(typecode)
    if a.itemsize != itemsize:
        raise ValueError(f"array type {typecode!r} has another size on this machine")
    a.fromfile(src, length)
    if swap:
        a.byteswap()
    return a


def _ints(a: array[int] | array[float]) -> array[int]:
    if a.typecode == "f":
        raise ValueError("expected an integer array")
    return a  # type: ignore[return-value]


def _floats(a: array[int] | array[float]) -> array[float]:
    if a.typecode != "f":
        raise ValueError("expected a float array")
    return a  # type: ignore[return-value]
