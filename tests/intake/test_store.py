"""The content-addressed store: each blob once, under its SHA-256, readable back."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from amends.intake import store


def test_blobs_are_stored_once_under_their_digest(tmp_path: Path) -> None:
    mails = ["Objednávka neprišla.", "Το δέμα δεν έφτασε.", "ยังไม่ได้รับของค่ะ"]
    data = [text.encode("utf-8") for text in mails]
    digests = store.put_many(tmp_path, [*data, data[0]])
    assert digests == [hashlib.sha256(d).hexdigest() for d in [*data, data[0]]]
    assert [store.get(tmp_path, d) for d in digests[:3]] == data
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(set(digests))


def test_the_folder_memo_starts_again_instead_of_growing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MADE_LIMIT", 4)
    monkeypatch.setattr(store, "_made", set())
    digests = [store.put(tmp_path, f"stížnost {i}".encode(), sync=False) for i in range(40)]
    assert len(store._made) <= 4
    assert all(store.get(tmp_path, d) == f"stížnost {i}".encode() for i, d in enumerate(digests))
