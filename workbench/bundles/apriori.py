"""Frequent itemsets (Apriori) and single-consequent association rules, exact from counts.

Pure Python + numpy. Supports are ``count / n``; confidence and lift are computed from
those supports exactly as the standard implementation (mlxtend 0.25's
``association_rules`` with ``num_itemsets=n``) computes them —
``confidence = (support(A ∪ {c})·n) / (support(A)·n)``, ``lift = confidence / support({c})``
— so the output agrees with it bit for bit, thresholds included: a confidence of 3/4
that comes out as 0.7499999999999999 in floating point misses a 0.75 threshold in both.

Each level is counted whichever way costs less. Vertically: each item's baskets as a
packed bitset, so the support of ``P ∪ {j}`` for a whole block of candidate extensions
``j`` is one AND + popcount. Horizontally: every k-subset of every basket, enumerated and
tallied with numpy, which for short baskets (the usual shopping trip) is far cheaper than
AND-ing every candidate, and needs no candidates at all.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import combinations, groupby

import numpy as np

# A candidate block (extensions × words) is AND-ed at once; this caps its size.
_BLOCK_BYTES = 8 << 20
# Horizontal counting holds every basket's k-subsets at once; above this many, go vertical.
_HORIZONTAL_MAX = 20_000_000
# Subsets gathered per numpy call (bounds the temporary arrays).
_HORIZONTAL_CHUNK = 4_000_000
# A vertical head costs a few numpy calls, worth about this many word operations.
_CALL_COST = 2_000
_POPCOUNT_TABLE = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class Rule:
    """``antecedent → consequent`` with support, confidence, lift and its basket count."""

    antecedent: tuple
    consequent: Hashable
    support: float
    confidence: float
    lift: float
    count: int


@dataclass(frozen=True, slots=True)
class Itemset:
    """A frequent itemset (items in sorted order), its support and basket count."""

    items: tuple
    support: float
    count: int


@dataclass(slots=True)
class MiningResult:
    """Rules (best first), all frequent itemsets (by size, then items) and the basket count."""

    rules: list[Rule]
    itemsets: list[Itemset]
    n_baskets: int


def min_count_for(min_support: float, n: int) -> int:
    """The least basket count c with ``c / n >= min_support`` as floats (n + 1 if none)."""
    # ceil(min_support × n) is right up to rounding of the product; count/n is monotone
    # in the count, so walking a step or two either way lands on the exact float boundary.
    c = min(max(math.ceil(min_support * n), 0), n + 1)
    while c > 0 and (c - 1) / n >= min_support:
        c -= 1
    while c <= n and c / n < min_support:
        c += 1
    return c


def mine(baskets: Iterable[Iterable[Hashable]], min_support: float, min_confidence: float,
         max_len: int = 3) -> MiningResult:
    """Frequent itemsets up to ``max_len`` items and their single-consequent rules."""
    if not 0 < min_support <= 1:
        raise ValueError(f"min_support must be in (0, 1], got {min_support}")
    if not 0 < min_confidence <= 1:
        raise ValueError(f"min_confidence must be in (0, 1], got {min_confidence}")
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"max_len must be a whole number ≥ 1, got {max_len!r}")

    items, basket_of, item_of, n = _encode(baskets)
    if n == 0:
        return MiningResult([], [], 0)
    min_count = min_count_for(min_support, n)

    # Level 1, then keep only frequent items, renumbered 0..f-1 in item order.
    single = np.bincount(item_of, minlength=len(items))
    frequent = np.flatnonzero(single >= min_count)
    counts: dict[tuple[int, ...], int] = {(k,): int(single[old]) for k, old in enumerate(frequent)}
    items = [items[i] for i in frequent]
    compact = np.full(len(single), -1, dtype=np.int64)
    compact[frequent] = np.arange(len(frequent))
    keep = compact[item_of] >= 0
    basket_of, item_of = basket_of[keep], compact[item_of[keep]]

    level = sorted(counts)
    vertical = _Vertical(basket_of, item_of, n)
    k = 2
    while k <= max_len and len(level) >= 2:
        # An item in no frequent (k-1)-itemset is in no frequent k-itemset: drop it for good.
        alive = np.zeros(len(items), dtype=bool)
        alive[np.unique(np.array(level, dtype=np.int64))] = True
        keep = alive[item_of]
        basket_of, item_of = basket_of[keep], item_of[keep]
        if _horizontal_cheaper(level, basket_of, len(items), k, n):
            found = _count_horizontal(basket_of, item_of, len(items), k, min_count)
        else:
            found = vertical.count_level(level, min_count)
        counts.update(found)
        level = sorted(found)
        k += 1

    return MiningResult(_rules(counts, items, n, min_confidence), _itemsets(counts, items, n), n)


def _encode(baskets: Iterable[Iterable[Hashable]]) -> tuple[list, np.ndarray, np.ndarray, int]:
    """Items in sorted order, and (basket, item rank) pairs: unique, sorted by basket then item."""
    ids: dict[Hashable, int] = {}
    flat: list[int] = []
    lengths: list[int] = []
    known = ids.get
    for basket in baskets:
        if isinstance(basket, str | bytes):  # iterating it would mine its characters
            raise TypeError(f"a basket is a list of items, not a string: {basket!r:.40}")
        if not isinstance(basket, list | tuple):
            basket = list(basket)
        # map() runs in C; only a basket with an unseen item takes the slower path.
        row = list(map(known, basket))
        if None in row:
            row = [ids.setdefault(item, len(ids)) for item in basket]
        flat.extend(row)
        lengths.append(len(row))
    n = len(lengths)
    items = list(ids)
    try:
        order = sorted(range(len(items)), key=items.__getitem__)
    except TypeError:  # mixed types (say 3 and "3") have no natural order; any stable one will do
        order = sorted(range(len(items)), key=lambda i: (type(items[i]).__name__, repr(items[i])))
    rank = np.empty(len(items), dtype=np.int64)
    rank[order] = np.arange(len(items))
    m = max(len(items), 1)
    # One code per (basket, item); sorting then dropping repeats removes an item bought twice
    # in a basket (np.unique's hash path is several times slower than this on big inputs).
    codes = np.repeat(np.arange(n, dtype=np.int64), lengths) * m + rank[np.array(flat, dtype=np.int64)]
    codes.sort()
    if codes.size:
        codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    return [items[i] for i in order], codes // m, codes % m, n


def _horizontal_cost(basket_of: np.ndarray, k: int) -> int:
    """How many k-subsets the baskets hold (the work of counting them basket by basket)."""
    lengths = np.bincount(np.bincount(basket_of)) if basket_of.size else np.zeros(1, np.int64)
    return sum(math.comb(length, k) * int(times) for length, times in enumerate(lengths) if times)


def _horizontal_cheaper(level: list[tuple[int, ...]], basket_of: np.ndarray, f: int, k: int,
                        n: int) -> bool:
    """Whether enumerating the baskets' k-subsets beats AND-ing bitsets of the candidates."""
    if f ** k >= 1 << 62:  # subset codes must fit in int64
        return False
    horizontal = _horizontal_cost(basket_of, k)
    if horizontal > _HORIZONTAL_MAX:
        return False
    # Joinable pairs per shared prefix bound the candidates (before the prune step).
    joins = sum(math.comb(sum(1 for _ in group), 2) for _, group in groupby(level, key=lambda s: s[:-1]))
    return horizontal * k <= joins * ((n + 63) // 64) + len(level) * _CALL_COST


def _count_horizontal(basket_of: np.ndarray, item_of: np.ndarray, f: int, k: int,
                      min_count: int) -> dict[tuple[int, ...], int]:
    """Frequent k-itemsets by counting every k-subset of every basket."""
    # No candidates are needed: a k-subset held by min_count baskets has all its subsets held
    # by at least as many, so whatever passes the count is exactly the frequent k-itemsets.
    lengths = np.bincount(basket_of) if basket_of.size else np.zeros(0, np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    chunks = []
    # Baskets of equal length share one subset-index pattern, so each length is one gather.
    for length in np.unique(lengths[lengths >= k]).tolist():
        pattern = np.array(list(combinations(range(length), k)), dtype=np.int64)
        firsts = starts[lengths == length]
        per_chunk = max(1, _HORIZONTAL_CHUNK // (len(pattern) * k))
        for at in range(0, len(firsts), per_chunk):
            rows = item_of[firsts[at:at + per_chunk, None] + np.arange(length)]
            subsets = rows[:, pattern]
            code = subsets[..., 0]
            for j in range(1, k):
                code = code * f + subsets[..., j]
            chunks.append(code.ravel())
    if not chunks:
        return {}
    codes = np.concatenate(chunks)
    codes.sort()
    firsts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    tallies = np.diff(np.append(firsts, codes.size))
    frequent = tallies >= min_count
    codes, tallies = codes[firsts[frequent]], tallies[frequent]
    digits = []
    for _ in range(k):
        codes, digit = np.divmod(codes, f)
        digits.append(digit)
    itemsets = zip(*(d.tolist() for d in reversed(digits)), strict=True)
    return dict(zip(itemsets, tallies.tolist(), strict=True))


class _Vertical:
    """Packed per-item basket bitsets, built lazily for the items still in play."""

    def __init__(self, basket_of: np.ndarray, item_of: np.ndarray, n: int) -> None:
        self.basket_of, self.item_of = basket_of, item_of
        self.words = (n + 63) // 64
        self.row_of: dict[int, int] = {}
        self.bits = np.empty((0, self.words), dtype=np.uint64)

    def _build(self, needed: list[int]) -> None:
        """Bitsets for ``needed`` items only (later levels need ever fewer items)."""
        self.row_of = {item: row for row, item in enumerate(needed)}
        lookup = np.full(int(self.item_of.max(initial=-1)) + 2, -1, dtype=np.int64)
        lookup[needed] = np.arange(len(needed))
        rows = lookup[self.item_of]
        mask = rows >= 0
        pos = rows[mask] * (self.words * 64) + self.basket_of[mask]
        raw = np.zeros(len(needed) * self.words * 8, dtype=np.uint8)
        # Each (item, basket) bit is set once, so OR-ing bytes at repeated indices is exact.
        np.bitwise_or.at(raw, pos >> 3, (1 << (pos & 7)).astype(np.uint8))
        self.bits = raw.view(np.uint64).reshape(len(needed), self.words)

    def count_level(self, level: list[tuple[int, ...]], min_count: int) -> dict[tuple[int, ...], int]:
        """Frequent (k+1)-itemsets from the sorted frequent k-itemsets ``level``."""
        known = set(level)
        needed = sorted({i for itemset in level for i in itemset})
        self._build(needed)
        found: dict[tuple[int, ...], int] = {}
        for prefix, group in groupby(level, key=lambda s: s[:-1]):
            tails = [s[-1] for s in group]
            if len(tails) < 2:
                continue
            base = None
            if prefix:
                base = self.bits[self.row_of[prefix[0]]].copy()
                for i in prefix[1:]:
                    base &= self.bits[self.row_of[i]]
            for at, tail in enumerate(tails[:-1]):
                head = prefix + (tail,)
                # Apriori prune: every k-subset of the candidate must be frequent; the two
                # that drop the last or the second-to-last item are frequent by construction.
                extensions = [t for t in tails[at + 1:]
                              if all(head[:d] + head[d + 1:] + (t,) in known for d in range(len(prefix)))]
                if not extensions:
                    continue
                row = self.bits[self.row_of[tail]]
                head_bits = row if base is None else base & row
                for ext, count in self._counts(head_bits, extensions):
                    if count >= min_count:
                        found[head + (ext,)] = count
        return found

    def _counts(self, head_bits: np.ndarray, extensions: list[int]):
        """(extension, count of baskets holding the head and it), in blocks of bounded size."""
        per_block = max(1, _BLOCK_BYTES // (8 * self.words))
        for start in range(0, len(extensions), per_block):
            block_items = extensions[start:start + per_block]
            rows = [self.row_of[i] for i in block_items]
            block = self.bits[rows] & head_bits
            yield from zip(block_items, _popcount_rows(block).tolist(), strict=True)


def _popcount_rows(block: np.ndarray) -> np.ndarray:
    """Set bits per row of a uint64 matrix."""
    if hasattr(np, "bitwise_count"):  # numpy ≥ 2.0
        return np.bitwise_count(block).sum(axis=1, dtype=np.int64)
    return _POPCOUNT_TABLE[block.view(np.uint8)].sum(axis=1, dtype=np.int64)


def _rules(counts: dict[tuple[int, ...], int], items: list, n: int, min_confidence: float) -> list[Rule]:
    """Single-consequent rules of every frequent itemset of two or more items, best first."""
    keyed = []
    for itemset, joint in counts.items():
        if len(itemset) < 2:
            continue
        for at, consequent in enumerate(itemset):
            antecedent = itemset[:at] + itemset[at + 1:]
            # The standard's arithmetic (ratios of supports, not of counts), so that rules
            # and their figures agree exactly with mlxtend, even on a threshold.
            support = joint / n
            confidence = (support * n) / ((counts[antecedent] / n) * n)
            if confidence < min_confidence:
                continue
            lift = confidence / (counts[(consequent,)] / n)
            rule = Rule(tuple(items[i] for i in antecedent), items[consequent], support, confidence,
                        lift, joint)
            keyed.append(((-lift, -confidence, -support, antecedent, consequent), rule))
    keyed.sort(key=lambda pair: pair[0])
    return [rule for _, rule in keyed]


def _itemsets(counts: dict[tuple[int, ...], int], items: list, n: int) -> list[Itemset]:
    """All frequent itemsets, by size then items."""
    ordered = sorted(counts, key=lambda s: (len(s), s))
    return [Itemset(tuple(items[i] for i in s), counts[s] / n, counts[s]) for s in ordered]
