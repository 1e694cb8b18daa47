"""Mail passwords at rest: encrypted with a key derived from the workspace secret.

The standard library has no block cipher, so this is HMAC-SHA256 twice over: as a
pseudo-random function in counter mode for the keystream (a fresh random nonce per
password), then as a MAC over nonce and ciphertext (encrypt-then-MAC), checked in
constant time before anything is decrypted. Encryption and MAC keys are derived
separately from the secret that signs survey links (``Settings.secret``), so someone
holding a copy of the database alone cannot read the passwords.

Every process that reads the mail settings must share that secret: on several machines,
set AMENDS_SECRET_KEY to the same value on each (the generated key file is per machine).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from amends.errors import N_, ConfigError

VERSION = "v1"
_NONCE = 16
_TAG = 32
_BLOCK = 32  # one HMAC-SHA256 output


def _keys(secret: str) -> tuple[bytes, bytes]:
    root = secret.encode()
    encrypt = hmac.new(root, b"amends mail password encryption v1", hashlib.sha256).digest()
    sign = hmac.new(root, b"amends mail password authentication v1", hashlib.sha256).digest()
    return encrypt, sign


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + _BLOCK - 1) // _BLOCK
    return b"".join(
        hmac.new(key, nonce + n.to_bytes(8, "big"), hashlib.sha256).digest() for n in range(blocks)
    )[:length]


def _xor(data: bytes, key: bytes, nonce: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, _keystream(key, nonce, len(data)), strict=True))


def seal(secret: str, password: str) -> str:
    """``password`` encrypted and authenticated, as text for one column."""
    encrypt, sign = _keys(secret)
    nonce = secrets.token_bytes(_NONCE)
    cipher = _xor(password.encode(), encrypt, nonce)
    tag = hmac.new(sign, VERSION.encode() + nonce + cipher, hashlib.sha256).digest()
    return VERSION + ":" + base64.urlsafe_b64encode(nonce + cipher + tag).decode()


def unseal(secret: str, sealed: str) -> str:
    """The password ``seal`` encrypted; ConfigError when this secret did not seal it (or
    the stored text was changed): the message names neither secret nor password."""
    version, _, body = sealed.partition(":")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
    except ValueError:
        raw = b""
    encrypt, sign = _keys(secret)
    nonce, cipher, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    expected = hmac.new(sign, version.encode() + nonce + cipher, hashlib.sha256).digest()
    if version != VERSION or len(raw) < _NONCE + _TAG or not hmac.compare_digest(tag, expected):
        raise ConfigError.saying(
            N_(
                "The stored mail password cannot be read with this server's secret key: "
                "give every server the same AMENDS_SECRET_KEY, or save the password again."
            ),
            code="mail-password-unreadable",
        )
    return _xor(cipher, encrypt, nonce).decode()
