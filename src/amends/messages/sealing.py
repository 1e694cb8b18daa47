"""Mail passwords at rest: encrypted with a key derived from the workspace secret.

Fernet (``cryptography``): AES-128-CBC with a random IV, authenticated with HMAC-SHA256
(encrypt-then-MAC) and checked before anything is decrypted, in a versioned token. Its key
is derived from the secret that signs survey links (``Settings.secret``) with HKDF-SHA256
and an ``info`` of its own, so no other use of that secret shares this key, and someone
holding a copy of the database alone cannot read the passwords.

Every process that reads the mail settings must share that secret: on several machines,
set AMENDS_SECRET_KEY to the same value on each (the generated key file is per machine).

Tokens carry no expiry (no ``ttl``): a saved password stays readable however long ago it
was saved, and however far apart the servers' clocks are.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from amends.errors import N_, ConfigError

# Fixed: changing it makes every saved password unreadable (refused, then saved again).
_PURPOSE = b"amends mail channel passwords"


def _fernet(secret: str) -> Fernet:
    # 32 bytes: Fernet splits them into its HMAC key and its AES key. No salt: the input
    # is already a random secret, and the purpose (``info``) keeps this key apart.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, password: str) -> str:
    """``password`` encrypted and authenticated, as text for one column (a fresh random
    IV each time, so sealing the same password twice gives different text)."""
    return _fernet(secret).encrypt(password.encode()).decode("ascii")


def unseal(secret: str, sealed: str) -> str:
    """The password ``seal`` encrypted; ConfigError when this secret did not seal it (or
    the stored text was changed): the message names neither secret nor password."""
    try:
        token = sealed.encode("ascii")
        # Fernet's decoding skips characters outside base64; any stored text but the exact
        # token is refused too, so what was changed is never taken for what was sealed.
        if base64.urlsafe_b64encode(base64.b64decode(token, b"-_", validate=True)) != token:
            raise InvalidToken
        # ValueError: not ASCII or not base64, or (never from ``seal``) not UTF-8 inside.
        return _fernet(secret).decrypt(token).decode()
    except (InvalidToken, ValueError):
        raise ConfigError.saying(
            N_(
                "The stored mail password cannot be read with this server's secret key: "
                "give every server the same AMENDS_SECRET_KEY, or save the password again."
            ),
            code="mail-password-unreadable",
        ) from None
