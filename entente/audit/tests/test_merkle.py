"""The Merkle tree functions against the Certificate Transparency reference vectors, and
their properties over random trees.

The vectors are those of the transparency-dev/merkle Go module (testonly/constants.go,
proof/verify_test.go), which carry over the certificate-transparency reference suite:
eight leaves, the root of each prefix, and proofs whose leaf numbers are 1-based there
(leaf 6 of 8 is index 5 here).
"""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entente.audit import merkle

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [  # MTH of the first n leaves, n = 0..8
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (index, size, PATH)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, PROOF)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def root(n: int) -> bytes:
    return bytes.fromhex(ROOTS[n])


def hexes(digests: list[bytes]) -> list[str]:
    return [digest.hex() for digest in digests]


def flip(digest: bytes, at: int, mask: int) -> bytes:
    changed = bytearray(digest)
    changed[at] ^= mask
    return bytes(changed)


@pytest.mark.parametrize("n", range(9))
def test_mth_matches_reference_roots(n):
    assert merkle.mth(LEAVES[:n]).hex() == ROOTS[n]
    assert merkle.range_roots(LEAVES, [(0, n)]) == [root(n)]


@pytest.mark.parametrize("n", range(9))
def test_frontier_matches_reference_roots(n):
    frontier = merkle.Frontier()
    for leaf in LEAVES[:n]:
        frontier.append(leaf)
    assert (frontier.size, frontier.root().hex()) == (n, ROOTS[n])


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proof_matches_reference(index, size, path):
    assert hexes(merkle.inclusion_proof(index, LEAVES[:size])) == path
    proof = [bytes.fromhex(h) for h in path]
    assert merkle.verify_inclusion(LEAVES[index], index, size, proof, root(size)) is True


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proof_matches_reference(old, new, path):
    assert hexes(merkle.consistency_proof(old, LEAVES[:new])) == path
    proof = [bytes.fromhex(h) for h in path]
    assert merkle.verify_consistency(old, new, root(old), root(new), proof) is True


def test_inclusion_refuses_the_reference_corruptions():
    proof = [bytes.fromhex(h) for h in INCLUSION[2][2]]  # leaf 5 of 8
    leaf, good = LEAVES[5], root(8)
    assert merkle.verify_inclusion(leaf, 5, 8, proof, good) is True
    refused = {
        "index - 1": (leaf, 4, 8, proof, good),
        "index + 1": (leaf, 6, 8, proof, good),
        "index ^ 2": (leaf, 7, 8, proof, good),
        "size * 2": (leaf, 5, 16, proof, good),
        "size / 2": (leaf, 5, 4, proof, good),
        "index past the size": (leaf, 8, 8, proof, good),
        "wrong leaf": (b"WrongLeaf", 5, 8, proof, good),
        "empty root": (leaf, 5, 8, proof, root(0)),
        "short root": (leaf, 5, 8, proof, good[:31]),
        "trailing root": (leaf, 5, 8, [*proof, good], good),
        "preceding root": (leaf, 5, 8, [good, *proof], good),
        "trailing garbage": (leaf, 5, 8, [*proof, b""], good),
        "removed component": (leaf, 5, 8, proof[:-1], good),
        "inserted component": (leaf, 5, 8, [proof[0], root(3), *proof[1:]], good),
    }
    assert [name for name, args in refused.items() if merkle.verify_inclusion(*args)] == []


def test_consistency_refuses_the_reference_corruptions():
    proof = [bytes.fromhex(h) for h in CONSISTENCY[2][2]]  # 6 -> 8
    old, new = root(6), root(8)
    assert merkle.verify_consistency(6, 8, old, new, proof) is True
    refused = {
        "old size - 1": (5, 8, old, new, proof),
        "old size + 1": (7, 8, old, new, proof),
        "old size ^ 2": (4, 8, old, new, proof),
        "new size * 2": (6, 16, old, new, proof),
        "new size / 2": (6, 4, old, new, proof),
        "wrong old root": (6, 8, root(5), new, proof),
        "wrong new root": (6, 8, old, root(7), proof),
        "swapped roots": (6, 8, new, old, proof),
        "empty proof": (6, 8, old, new, []),
        "trailing old root": (6, 8, old, new, [*proof, old]),
        "preceding new root": (6, 8, old, new, [new, *proof]),
        "preceding proof[0]": (6, 8, old, new, [proof[0], *proof]),
        "truncated proof": (6, 8, old, new, proof[:-1]),
        "short element": (6, 8, old, new, [proof[0][:31], *proof[1:]]),
    }
    assert [name for name, args in refused.items() if merkle.verify_consistency(*args)] == []


def test_consistency_with_the_same_or_empty_tree():
    assert merkle.verify_consistency(3, 3, root(3), root(3), []) is True
    assert merkle.verify_consistency(3, 3, root(3), root(4), []) is False
    assert merkle.verify_consistency(3, 3, root(3), root(3), [root(3)]) is False
    assert merkle.verify_consistency(0, 5, root(0), root(5), []) is True
    assert merkle.verify_consistency(0, 5, root(1), root(5), []) is False
    assert merkle.verify_consistency(5, 3, root(5), root(3), []) is False


def test_proof_ranges_refuse_impossible_sizes():
    with pytest.raises(ValueError, match=r"^leaf index 3 is not in a tree of size 3$"):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError, match=r"^a tree of size 4 cannot be a prefix of one of size 3$"):
        merkle.consistency_ranges(4, 3)


def test_range_roots_refuses_overlapping_ranges_and_ranges_past_the_end():
    assert merkle.range_roots(LEAVES, [(4, 8), (0, 4), (4, 4)]) == [
        merkle.mth(LEAVES[4:8]),
        root(4),
        root(0),
    ]
    with pytest.raises(ValueError, match=r"^ranges \(0, 4\) and \(2, 3\) overlap$"):
        merkle.range_roots(LEAVES, [(2, 3), (0, 4)])
    with pytest.raises(ValueError, match=r"^range \(6, 9\) ends past the 8 leaves$"):
        merkle.range_roots(LEAVES, [(0, 2), (6, 9)])


def make_leaves(n: int, salt: int) -> list[bytes]:
    """Distinct 32-byte leaves, like the audit chain's hashes."""
    return [hashlib.sha256(f"{salt}:{i}".encode()).digest() for i in range(n)]


@st.composite
def tree_and_index(draw, min_size=1):
    n = draw(st.integers(min_value=min_size, max_value=150))
    return make_leaves(n, draw(st.integers(0, 1000))), draw(st.integers(0, n - 1))


@given(st.integers(0, 600), st.integers(0, 1000))
def test_streamed_root_equals_mth(n, salt):
    leaves = make_leaves(n, salt)
    frontier = merkle.Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    assert frontier.root() == merkle.mth(leaves)
    assert merkle.range_roots(iter(leaves), [(0, n)]) == [merkle.mth(leaves)]


@pytest.mark.parametrize("n", [1023, 1024, 1025, 3000])
def test_streamed_root_equals_mth_around_powers_of_two(n):
    leaves = make_leaves(n, 7)
    assert merkle.range_roots(iter(leaves), [(0, n)]) == [merkle.mth(leaves)]


@given(tree_and_index())
def test_streamed_proofs_equal_the_rfc_definitions(case):
    leaves, m = case
    n = len(leaves)
    assert merkle.range_roots(iter(leaves), merkle.inclusion_ranges(m, n)) == (
        merkle.inclusion_proof(m, leaves)
    )
    assert merkle.range_roots(iter(leaves), merkle.consistency_ranges(m, n)) == (
        merkle.consistency_proof(m, leaves)
    )


@settings(max_examples=200)
@given(tree_and_index(), st.data())
def test_inclusion_proof_verifies_and_any_change_fails(case, data):
    leaves, m = case
    n, good = len(leaves), merkle.mth(leaves)
    proof = merkle.inclusion_proof(m, leaves)
    assert merkle.verify_inclusion(leaves[m], m, n, proof, good) is True
    mask = data.draw(st.integers(1, 255))
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        at = data.draw(st.integers(0, 31))
        changed = [*proof[:i], flip(proof[i], at, mask), *proof[i + 1 :]]
        assert merkle.verify_inclusion(leaves[m], m, n, changed, good) is False
    at = data.draw(st.integers(0, 31))
    assert merkle.verify_inclusion(leaves[m], m, n, proof, flip(good, at, mask)) is False
    other = data.draw(st.integers(0, n).filter(lambda i: i != m))
    assert merkle.verify_inclusion(leaves[m], other, n, proof, good) is False
    # Another size comes with its own root (a signed tree head binds the two).
    size = data.draw(st.integers(m + 1, n + 20).filter(lambda s: s != n))
    longer = leaves + make_leaves(20, -1)
    assert merkle.verify_inclusion(leaves[m], m, size, proof, merkle.mth(longer[:size])) is False


@settings(max_examples=200)
@given(tree_and_index(min_size=2), st.data())
def test_consistency_proof_verifies_and_any_change_fails(case, data):
    leaves, m = case
    m = m or 1  # 0 < m: the empty tree needs no proof
    n = len(leaves)
    old, new = merkle.mth(leaves[:m]), merkle.mth(leaves)
    proof = merkle.consistency_proof(m, leaves)
    assert merkle.verify_consistency(m, n, old, new, proof) is True
    mask = data.draw(st.integers(1, 255))
    i, at = data.draw(st.integers(0, len(proof) - 1)), data.draw(st.integers(0, 31))
    changed = [*proof[:i], flip(proof[i], at, mask), *proof[i + 1 :]]
    assert merkle.verify_consistency(m, n, old, new, changed) is False
    at = data.draw(st.integers(0, 31))
    assert merkle.verify_consistency(m, n, flip(old, at, mask), new, proof) is False
    assert merkle.verify_consistency(m, n, old, flip(new, at, mask), proof) is False
    longer = leaves + make_leaves(20, -1)
    other_old = data.draw(st.integers(1, n).filter(lambda s: s != m))
    assert (
        merkle.verify_consistency(other_old, n, merkle.mth(leaves[:other_old]), new, proof) is False
    )
    other_new = data.draw(st.integers(m, n + 20).filter(lambda s: s != n))
    assert (
        merkle.verify_consistency(m, other_new, old, merkle.mth(longer[:other_new]), proof) is False
    )


@given(tree_and_index(min_size=2))
def test_consistency_fails_when_an_old_leaf_changed(case):
    leaves, m = case
    m = m or 1
    rewritten = [*leaves[: m - 1], b"rewritten", *leaves[m:]]
    proof = merkle.consistency_proof(m, rewritten)
    old = merkle.mth(leaves[:m])
    assert merkle.verify_consistency(m, len(leaves), old, merkle.mth(rewritten), proof) is False
