"""Who may do what: roles and the object-level access policy."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from amends.errors import N_, InvalidInput
from amends.text.fold import fold, span


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    AGENT = "agent"
    EMPLOYEE = "employee"
    VIEWER = "viewer"


class Action(StrEnum):
    READ = "read"  # see customers, commitments, cases across the workspace
    WRITE = "write"  # create and change customers, commitments, cases, messages
    MANAGE = "manage"  # users, tokens of others, workspace settings


_GRANTS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.MANAGER: frozenset(Action),
    Role.AGENT: frozenset({Action.READ, Action.WRITE}),
    Role.VIEWER: frozenset({Action.READ}),
    # An employee is in the system to give their side of a complaint that names them,
    # not to browse the customer base: they see only cases they take part in.
    Role.EMPLOYEE: frozenset(),
}


def allows(role: Role, action: Action) -> bool:
    return action in _GRANTS[role]


def can_see_case(role: Role, user_id: int, *, owner_id: int, participant_ids: set[int]) -> bool:
    """Workspace-wide readers see every case; an employee only the ones they are part of."""
    if allows(role, Action.READ):
        return True
    return user_id == owner_id or user_id in participant_ids


def can_own_cases(role: Role) -> bool:
    """Only people who act on cases may be their single owner."""
    return role in {Role.OWNER, Role.MANAGER, Role.AGENT}


class Actor:
    """Who is acting: a signed-in user, or the local operator at the command line."""

    __slots__ = ("name", "role", "user_id")

    def __init__(self, user_id: int | None, role: Role, name: str = "") -> None:
        self.user_id = user_id
        self.role = role
        self.name = name

    def allows(self, action: Action) -> bool:
        return allows(self.role, action)

    def __repr__(self) -> str:
        return f"Actor(user_id={self.user_id!r}, role={self.role.value!r})"


# Whoever can run commands on the server can already read the database file, so the CLI
# acts with the owner's rights and records no user as the actor.
OPERATOR = Actor(None, Role.OWNER, "operator")

# Background jobs act as the system itself; timeline events show no person.
SYSTEM = Actor(None, Role.OWNER, "amends")


# Sign-in throttling: a sliding window of failed attempts, per address and per client.
SIGN_IN_WINDOW = timedelta(minutes=15)
FAILURES_PER_ADDRESS = 5
# Higher: several people may share one address (an office behind NAT).
FAILURES_PER_CLIENT = 30


def blocked_until(
    failures: list[datetime], *, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When another attempt is allowed, if ``limit`` failures already fall in the window."""
    recent = sorted(at for at in failures if now - at < window)
    if len(recent) < limit:
        return None
    # Allowed again once the oldest failure that keeps the count at the limit leaves.
    return recent[-limit] + window


_RANK = {Role.VIEWER: 0, Role.EMPLOYEE: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.OWNER: 3}


def access_change_refusal(
    actor: Actor, *, target_id: int, target_role: Role, new_role: Role | None, owners_left: int
) -> str:
    """Why ``actor`` may not change another person's access (role, password, being
    active), or "" when they may. ``new_role`` None means deactivating; ``owners_left``
    counts the active owners other than the target."""
    if not actor.allows(Action.MANAGE):
        return N_("your role may not change people's access")
    touches_owner = Role.OWNER in (target_role, new_role)
    if touches_owner and actor.role is not Role.OWNER:
        return N_("only an owner may change an owner's access or make someone an owner")
    if actor.user_id == target_id and new_role is not None and _RANK[new_role] > _RANK[target_role]:
        return N_("nobody may raise their own role")
    losing_owner = target_role is Role.OWNER and new_role is not Role.OWNER
    if losing_owner and owners_left == 0:
        return N_("this is the last active owner; make someone else an owner first")
    return ""


# -- employees named in a complaint ----------------------------------------------------------
#
# A complaint names a person by their full name, their first name or a nickname, often
# inflected (Slovak "Zuzany", "Zuzanou"; Greek "Ελένης"), in Thai without spaces around it
# ("น้องนกพูดจาไม่ดี"). Latin and Greek words are compared in one key space: folded (no
# accents, no case) and Greek transliterated, so "Ελένη" in a complaint finds a colleague
# whose name is written "Eleni", and either script finds the other. Thai names are found
# by their own characters where a Thai word can start and end.

NICKNAMES_MAX = 10
NICKNAME_LENGTH = 60

_GREEK_LATIN = str.maketrans(
    {
        "α": "a",
        "β": "v",
        "γ": "g",
        "δ": "d",
        "ε": "e",
        "ζ": "z",
        "η": "i",
        "θ": "th",
        "ι": "i",
        "κ": "k",
        "λ": "l",
        "μ": "m",
        "ν": "n",
        "ξ": "x",
        "ο": "o",
        "π": "p",
        "ρ": "r",
        "σ": "s",
        "τ": "t",
        "υ": "y",
        "φ": "f",
        "χ": "ch",
        "ψ": "ps",
        "ω": "o",
    }
)
_WORD = re.compile(r"[^\W_]+")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Marks written above, below or after a Thai consonant: a name never ends before one.
_THAI_TRAILING = frozenset("\u0e30\u0e31\u0e32\u0e33\u0e45") | frozenset(
    chr(c) for c in [*range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)]
)
# Vowels written before the consonant they follow in speech: a name never starts after one.
_THAI_LEADING = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
# Words Thai puts straight before a person's name: nong, phi, khun, "named", "technician"...
THAI_TITLES = (
    "น้อง",
    "พี่",
    "คุณ",
    "คุน",
    "เจ้",
    "ป้า",
    "ลุง",
    "น้า",
    "ท่าน",
    "นาย",
    "นาง",
    "นางสาว",
    "ช่าง",
    "พนักงาน",
    "ชื่อ",
)
# Case endings, by how a name ends (in the folded, transliterated key).
_SLAVIC_A: tuple[str, ...] = ("a", "y", "e", "u", "ou", "ej", "i", "ovi", "om")
# ... and the possessive of a name in -a: Zuzanin, Zuzanina, Zuzaninej, Zuzaniným.
_SLAVIC_A += ("in", "ina", "ine", "inej", "inu", "inom", "inho", "inym")
_SLAVIC_IA: tuple[str, ...] = ("ia", "ie", "ii", "iu", "iou")
_SLAVIC_O: tuple[str, ...] = ("o", "a", "u", "ovi", "om")
# Hard-ending (mostly male) names and their possessives: Tomáš, Tomáša, Tomášovi, Tomášov.
_SLAVIC_HARD: tuple[str, ...] = ("", "a", "u", "e", "i", "ovi", "om")
_SLAVIC_HARD += ("ov", "ova", "ovej", "ovu", "ovho", "ovom", "ovia")
# Greek declension classes by the name's ending: Αλέξης/Αλέξη, Γιώργος/Γιώργου/Γιώργο,
# Νικόλας/Νικόλα, Ελένη/Ελένης, Μαρία/Μαρίας.
_GREEK_CLASSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("is", ("is", "i")),
    ("os", ("os", "ou", "o", "e")),
    ("as", ("as", "a")),
    ("i", ("i", "is")),
    ("a", ("a", "as")),
)
_SLAVIC_LANGUAGES = frozenset({"sk", "cs"})
_UNKNOWN = frozenset({"", "und"})


@dataclass(frozen=True)
class Staff:
    """A person a complaint may name: their name and the nicknames colleagues use."""

    user_id: int
    name: str
    nicknames: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A person found in a complaint, with the words that named them."""

    user_id: int
    words: str


def clean_nicknames(values: list[str] | tuple[str, ...]) -> list[str]:
    """Nicknames as kept: single-spaced, NFC, without repeats; refused when too many or long."""
    kept: list[str] = []
    for value in values:
        nick = " ".join(unicodedata.normalize("NFC", value).split())
        if not nick or nick.casefold() in {k.casefold() for k in kept}:
            continue
        if any(unicodedata.category(ch).startswith("C") for ch in nick):
            raise InvalidInput.saying(
                N_("a nickname is letters and spaces, without control characters"),
                code="nickname-invalid",
            )
        if len(nick) > NICKNAME_LENGTH:
            raise InvalidInput.saying(
                N_("a nickname has at most %(most)s characters"),
                code="nickname-too-long",
                most=NICKNAME_LENGTH,
            )
        kept.append(nick)
    if len(kept) > NICKNAMES_MAX:
        raise InvalidInput.saying(
            N_("a person has at most %(most)s nicknames"),
            code="nicknames-too-many",
            most=NICKNAMES_MAX,
        )
    return kept


def name_key(word: str) -> str:
    """A Latin or Greek word as names are compared: folded, Greek in Latin letters."""
    return fold(word)[0].translate(_GREEK_LATIN)


def _slavic(key: str) -> set[str]:
    if key.endswith("ia") and len(key) >= 5:
        return {key[:-2] + end for end in _SLAVIC_IA}
    if key[-1] in "ao":
        stem = key[:-1]
        endings = _SLAVIC_A if key[-1] == "a" else _SLAVIC_O
        return {stem + end for end in endings} if len(stem) >= 3 else set()
    if key[-1] in "eiuy":
        return set()
    forms = {key + end for end in _SLAVIC_HARD}
    # A fleeting e: Marek -> Marka, Peter -> Petrovi.
    if len(key) >= 5 and key[-2] == "e" and key[-3] not in "aeiouy":
        forms |= {key[:-2] + key[-1] + end for end in _SLAVIC_HARD if end}
    return forms


def _greek(key: str) -> set[str]:
    for ending, endings in _GREEK_CLASSES:
        stem = key[: -len(ending)]
        if key.endswith(ending) and len(stem) >= 3:
            return {stem + end for end in endings}
    return set()


def _variants(key: str, language: str) -> set[str]:
    """The forms of one name word a complaint in ``language`` may use."""
    forms = {key}
    if len(key) < 3:
        return forms
    unknown = language in _UNKNOWN
    if unknown or language in _SLAVIC_LANGUAGES:
        forms |= _slavic(key)
    if unknown or language == "el":
        forms |= _greek(key)
    return forms


def _forms(person: Staff) -> list[str]:
    """Ways to name ``person``: full name, first name, each nickname."""
    words = person.name.split()
    found = [" ".join(words)] if len(words) > 1 else []
    found += [words[0]] if words else []
    found += list(person.nicknames)
    return [f for f in dict.fromkeys(" ".join(f.split()) for f in found) if f]


def _thai_hits(text: str, form: str) -> list[tuple[int, int]]:
    pattern = re.compile(r"\s*".join(re.escape(part) for part in form.split()))
    hits = []
    for found in pattern.finditer(text):
        start, end = found.span()
        after = text[end] if end < len(text) else ""
        before = text[start - 1] if start else ""
        if after in _THAI_TRAILING or before in _THAI_LEADING:
            continue
        if _THAI.match(before) and not text[:start].endswith(THAI_TITLES):
            continue  # in the middle of unspaced Thai with no title: a word, not a name
        hits.append((start, end))
    return hits


def named_in(
    text: str, *, staff: list[Staff], language: str | None = None, customer_names: list[str]
) -> list[Mention]:
    """The people of ``staff`` that ``text`` names, in the order it first names them.

    A name shared by two colleagues names neither (unless the full name is used), and a
    name the customer shares (their own, a contact's, the sender's) names nobody: the
    customer signing "Eleni" is not complaining about our Eleni. Latin and Greek names
    count only when capitalised, unless the writer used no capitals at all, so "rose"
    and "bill" stay words.
    """
    text = unicodedata.normalize("NFC", text)
    lang = (language or "").strip().lower().split("-")[0]
    folded, origin = fold(text)
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
    keys = [name_key(w) if not _THAI.search(w) else "" for _, _, w in words]
    any_capital = any(ch.isupper() for ch in text)
    theirs = {name_key(w) for n in customer_names for w in n.split() if w}
    their_names = {" ".join(name_key(w) for w in n.split()) for n in customer_names}
    their_thai = {w for n in customer_names for w in n.split() if _THAI.search(w)}

    # Which colleagues each way of naming points at; shared ones point at nobody.
    owners: dict[str, set[int]] = {}
    for person in staff:
        for form in _forms(person):
            thai = bool(_THAI.search(form))
            key = form if thai else " ".join(name_key(w) for w in form.split())
            owners.setdefault(key, set()).add(person.user_id)

    first_at: dict[int, tuple[int, str]] = {}

    def found(user_id: int, start: int, end: int) -> None:
        if user_id not in first_at or start < first_at[user_id][0]:
            first_at[user_id] = (start, text[start:end])

    for key, ids in owners.items():
        if len(ids) != 1:
            continue
        (user_id,) = ids
        if _THAI.search(key):
            if key in their_thai or key.replace(" ", "") in their_thai:
                continue
            for start, end in _thai_hits(text, key):
                found(user_id, start, end)
            continue
        parts = key.split()
        if key in their_names:
            continue
        allowed = [_variants(p, lang) - (theirs if len(parts) == 1 else set()) for p in parts]
        for i in range(len(words) - len(parts) + 1):
            window = words[i : i + len(parts)]
            if any(keys[i + j] not in allowed[j] for j in range(len(parts))):
                continue
            gaps = [folded[window[j][1] : window[j + 1][0]] for j in range(len(parts) - 1)]
            if any(gap.strip() for gap in gaps):
                continue
            start, end = span(origin, window[0][0], window[-1][1], len(text))
            if any_capital and not text[start].isupper():
                continue
            found(user_id, start, end)
    ordered = sorted(first_at.items(), key=lambda item: item[1][0])
    return [Mention(user_id, words) for user_id, (_, words) in ordered]
