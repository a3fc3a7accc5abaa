"""Merkle trees over a sequence of leaves, as in Certificate Transparency (RFC 9162 §2.1).

Pure functions, no database: the tree hash MTH, the inclusion proof PATH(m, D[n]), the
consistency proof PROOF(m, D[n]), and the two verification algorithms, which need only
the proof, the sizes, the index and the roots. The audit log's tree has one leaf per
event, its chain hash as 32 raw bytes, in sequence order (see `audit.selectors`).

A proof is a list of MTH(D[a:b]) for a few disjoint ranges [a, b) of the leaves, so
`inclusion_ranges` and `consistency_ranges` follow the RFC's recursions and return
those ranges; `range_roots` then hashes them in one pass over streamed leaves, keeping
only a frontier of O(log n) subtree roots. The in-memory `mth`, `inclusion_proof` and
`consistency_proof` are the RFC's definitions as written, the reference the streamed
versions are tested against.
"""

import hashlib
from collections.abc import Iterable, Iterator, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = HASH()

Range = tuple[int, int]  # [start, end) of the leaves


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) by the RFC's recursive definition (§2.1.1)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hash(leaves[0])
    k = _split(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


class Frontier:
    """The roots of the perfect subtrees a tree of the leaves appended so far splits
    into, largest first (a "compact range" from 0): at most log2(n) + 1 hashes however
    many leaves went in, and enough to give MTH of them all."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (height, subtree root)

    def append(self, leaf: bytes) -> None:
        height, digest = 0, leaf_hash(leaf)
        while self._stack and self._stack[-1][0] == height:
            digest = node_hash(self._stack.pop()[1], digest)
            height += 1
        self._stack.append((height, digest))
        self.size += 1

    def root(self) -> bytes:
        # MTH splits at the largest power of two, so the perfect subtrees are combined
        # from the right: the smallest two first.
        if not self._stack:
            return EMPTY_ROOT
        digest = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            digest = node_hash(left, digest)
        return digest


def inclusion_ranges(m: int, n: int) -> list[Range]:
    """The ranges whose MTH make PATH(m, D[n]), leaf first (§2.1.3.1); 0 <= m < n."""
    if not 0 <= m < n:
        raise ValueError(f"leaf index {m} is not in a tree of size {n}")
    return _path(m, 0, n)


def _path(m: int, start: int, n: int) -> list[Range]:
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, start, k), (start + k, start + n)]
    return [*_path(m - k, start + k, n - k), (start, start + k)]


def consistency_ranges(m: int, n: int) -> list[Range]:
    """The ranges whose MTH make PROOF(m, D[n]) (§2.1.4.1); 0 < m <= n, and none when
    the sizes are equal (nor from the empty tree, which every tree extends)."""
    if not 0 <= m <= n:
        raise ValueError(f"a tree of size {m} cannot be a prefix of one of size {n}")
    if m in (0, n):
        return []
    return _subproof(m, 0, n, True)


def _subproof(m: int, start: int, n: int, whole: bool) -> list[Range]:
    if m == n:
        return [] if whole else [(start, start + n)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, start, k, whole), (start + k, start + n)]
    return [*_subproof(m - k, start + k, n - k, False), (start, start + k)]


def inclusion_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) over leaves held in memory."""
    return [mth(leaves[a:b]) for a, b in inclusion_ranges(m, len(leaves))]


def consistency_proof(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) over leaves held in memory."""
    return [mth(leaves[a:b]) for a, b in consistency_ranges(m, len(leaves))]


def range_roots(leaves: Iterable[bytes], ranges: Sequence[Range]) -> list[bytes]:
    """MTH(D[a:b]) of each of the disjoint `ranges`, in their order, in one pass over
    `leaves` (read only as far as the last range ends). Memory: one frontier at a time,
    and the answers."""
    order = sorted(range(len(ranges)), key=lambda i: ranges[i])
    for earlier, later in zip(order, order[1:], strict=False):
        if ranges[earlier][1] > ranges[later][0]:
            raise ValueError(f"ranges {ranges[earlier]} and {ranges[later]} overlap")
    roots: list[bytes] = [EMPTY_ROOT] * len(ranges)
    pending: Iterator[int] = iter(order)
    current = next(pending, None)
    frontier = Frontier()
    index = 0
    for leaf in leaves:
        while current is not None and ranges[current][1] <= index:
            roots[current], frontier, current = frontier.root(), Frontier(), next(pending, None)
        if current is None:
            break
        if ranges[current][0] <= index:
            frontier.append(leaf)
        index += 1
    while current is not None:
        start, end = ranges[current]
        if end > index:
            raise ValueError(f"range {ranges[current]} ends past the {index} leaves")
        roots[current], frontier, current = frontier.root(), Frontier(), next(pending, None)
    return roots


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether `proof` shows `leaf` at `index` in the tree of `size` with `root`
    (RFC 9162 §2.1.3.2, from the leaf's hash). Take `size` and `root` together from one
    signed tree head: the proof binds the leaf to the root, not the root to the size
    (the path of leaf 0 of 3 also passes for a tree of 4 with the same root, a root no
    tree of 4 leaves has), and the same holds for `verify_consistency`."""
    if not 0 <= index < size or not _well_formed(proof, root):
        return False
    fn, sn = index, size - 1
    r = leaf_hash(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether `proof` shows the tree of `old_size` with `old_root` to be a prefix of
    the tree of `new_size` with `new_root` (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size or not _well_formed(proof, old_root, new_root):
        return False
    if old_size == 0:  # every tree extends the empty one
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old tree is a subtree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def _well_formed(proof: Sequence[bytes], *roots: bytes) -> bool:
    return all(len(digest) == HASH_SIZE for digest in (*proof, *roots))
