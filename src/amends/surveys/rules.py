"""Survey links, answers and who becomes an advocate (pure: no database, no I/O).

A survey link carries its own proof: ``{id}.{language}.{nonce}.{signature}``, the
signature an HMAC-SHA256 of the rest with the workspace's secret key. A link that was
changed in any way fails the signature before anything is read from the database, so
guessing links costs the server one HMAC each and writes nothing; the language travels
in the link so that even a refused link is answered in the customer's language.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from amends.errors import N_, InvalidInput
from amends.text.digits import is_digits
from amends.text.languages import spoken

CSAT_SCALE = range(1, 6)
NPS_SCALE = range(11)
MAX_COMMENT = 2000
_PURPOSE = b"amends-survey-link-v1"
_TOKEN = re.compile(
    r"^([1-9][0-9]{0,9})\.([a-z]{2,3})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$"
)


class LinkProblem(StrEnum):
    """Why a link opens no form; each has its own page and HTTP status."""

    INVALID = "invalid"  # tampered, truncated or never issued: 404
    EXPIRED = "expired"  # past its date: 410
    ANSWERED = "answered"  # used once already: 409


LINK_STATUS = {LinkProblem.INVALID: 404, LinkProblem.EXPIRED: 410, LinkProblem.ANSWERED: 409}


@dataclass(frozen=True)
class Link:
    """What a well-signed link says: which survey, in which language, with which nonce."""

    survey_id: int
    language: str
    nonce: str


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def _signature(secret: str, survey_id: int, language: str, nonce: str) -> str:
    message = b"|".join([_PURPOSE, str(survey_id).encode(), language.encode(), nonce.encode()])
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign_link(secret: str, *, survey_id: int, language: str, nonce: str) -> str:
    """The token of a survey's link (the path segment after ``/survey/``)."""
    if not secret:
        raise ValueError("survey links need the workspace's secret key")
    return f"{survey_id}.{language}.{nonce}.{_signature(secret, survey_id, language, nonce)}"


def read_link(secret: str, token: str) -> Link | None:
    """The link's contents when its signature holds, else None (changed or made up)."""
    found = _TOKEN.match(token)
    if found is None or not secret:
        return None
    survey_id, language, nonce, signature = found.groups()
    expected = _signature(secret, int(survey_id), language, nonce)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
        return None
    return Link(int(survey_id), language, nonce)


def language_of_token(token: str, fallback: str) -> str:
    """The language a link names, for the page that refuses it; ``fallback`` when it
    names none we speak. Read without trusting the link: it only picks the words."""
    parts = token.split(".")
    named = spoken(parts[1]) if len(parts) > 1 and parts[1] else None
    return named or fallback


def survey_language(customer_language: str) -> str:
    """The language a survey is written in: the customer's, else English."""
    return spoken(customer_language or "") or "en"


@dataclass(frozen=True)
class Answer:
    csat: int
    nps: int | None
    comment: str


def answer(csat: object, nps: object, comment: str | None) -> Answer:
    """A checked answer: CSAT 1–5 required, NPS 0–10 optional, a comment of some length."""
    score = _whole(csat)
    if score is None or score not in CSAT_SCALE:
        raise InvalidInput.saying(
            N_("Choose how satisfied you are, from 1 to 5."), code="survey-csat"
        )
    recommend: int | None = None
    if nps not in (None, ""):
        recommend = _whole(nps)
        if recommend is None or recommend not in NPS_SCALE:
            raise InvalidInput.saying(
                N_("How likely you are to recommend us is a number from 0 to 10."),
                code="survey-nps",
            )
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput.saying(
            N_("Please keep the comment under %(limit)s characters."),
            code="survey-comment",
            limit=MAX_COMMENT,
        )
    return Answer(score, recommend, text)


def _whole(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_digits(value.strip()) and len(value.strip()) <= 3:
        return int(value.strip())
    return None


def proposes_advocate(*, csat: int, nps: int | None, recovered: bool) -> bool:
    """A customer whose failure was recovered and who would recommend us (NPS 9–10) is
    proposed as an advocate. NPS is the question about telling others, so it decides when
    answered; only without it does the top CSAT (5) stand in for it."""
    if not recovered:
        return False
    if nps is not None:
        return nps >= 9
    return csat == max(CSAT_SCALE)


def nps_score(scores: list[int]) -> int | None:
    """Net Promoter Score: promoters (9–10) minus detractors (0–6), as whole percent."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))
