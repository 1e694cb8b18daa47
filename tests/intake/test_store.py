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


def test_blobs_stored_under_the_first_two_level_layout_are_still_read(tmp_path: Path) -> None:
    data = "Reklamácia: kávovar prišiel rozbitý.".encode()
    digest = hashlib.sha256(data).hexdigest()
    old = tmp_path / digest[:2] / digest[2:4] / digest
    old.parent.mkdir(parents=True)
    old.write_bytes(data)
    assert store.get(tmp_path, digest) == data
    assert store.put(tmp_path, data) == digest  # written again, under the current layout
    assert store.blob_path(tmp_path, digest).read_bytes() == data
    assert store.get(tmp_path, digest) == data


def test_a_thousand_blobs_need_at_most_256_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_made", set())
    digests = store.put_many(tmp_path, [f"stížnost {i}".encode() for i in range(1000)])
    folders = [p for p in tmp_path.rglob("*") if p.is_dir()]
    assert len(folders) <= 256 and len(store._made) == len(folders)
    assert {store.blob_path(tmp_path, d).parent for d in digests} == set(folders)
