"""Password hashing with scrypt: the parameters travel with each hash, so they can rise."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ScryptCost:
    n: int
    r: int
    p: int

    @property
    def memory(self) -> int:
        return 128 * self.n * self.r * self.p


# OWASP's current minimum for scrypt: N=2^17, r=8, p=1 (128 MiB, about 0.3 s on one core).
RECOMMENDED = ScryptCost(n=2**17, r=8, p=1)
COST = RECOMMENDED
# Hashes written before the parameters travelled in full (scrypt$N$salt$digest).
_LEGACY_R, _LEGACY_P = 8, 1
_DKLEN = 32
# At most this many derivations at once: each takes COST.memory, and a burst of sign-ins
# on the thread pool (40 threads) must not ask for gigabytes or starve other requests.
_AT_ONCE = threading.BoundedSemaphore(2)


def _derive(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    with _AT_ONCE:
        return hashlib.scrypt(
            password.encode(),
            salt=salt,
            n=cost.n,
            r=cost.r,
            p=cost.p,
            dklen=_DKLEN,
            # hashlib refuses above 32 MiB by default; allow what the parameters need.
            maxmem=cost.memory + 2**20,
        )


def hash_password(password: str, cost: ScryptCost | None = None) -> str:
    """scrypt$N$r$p$salt$digest, with a random 16-byte salt."""
    cost = cost or COST
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, cost)
    return f"scrypt${cost.n}${cost.r}${cost.p}${salt.hex()}${digest.hex()}"


def _parse(stored: str) -> tuple[ScryptCost, bytes, str] | None:
    parts = stored.split("$")
    try:
        if len(parts) == 4 and parts[0] == "scrypt":
            cost = ScryptCost(int(parts[1]), _LEGACY_R, _LEGACY_P)
            return cost, bytes.fromhex(parts[2]), parts[3]
        if len(parts) == 6 and parts[0] == "scrypt":
            cost = ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
            return cost, bytes.fromhex(parts[4]), parts[5]
    except ValueError:
        return None
    return None


_dummy: dict[ScryptCost, str] = {}


def dummy_hash() -> str:
    """A hash of no one's password at today's cost, checked when there is no real one,
    so an unknown email takes as long as a known one."""
    if COST not in _dummy:
        _dummy[COST] = hash_password(secrets.token_urlsafe(16))
    return _dummy[COST]


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; always spends one derivation."""
    parsed = _parse(stored) if stored else None
    if parsed is None:
        # Still pay for a derivation: how long this takes must not tell what was stored.
        parsed = _parse(dummy_hash())
        assert parsed is not None
        _derive(password, parsed[1], parsed[0])
        return False
    cost, salt, digest = parsed
    try:
        candidate = _derive(password, salt, cost)
    except ValueError:  # parameters scrypt refuses (a damaged row)
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def needs_rehash(stored: str | None) -> bool:
    """The stored hash was made with other parameters than today's."""
    parsed = _parse(stored) if stored else None
    return parsed is not None and parsed[0] != COST
