"""The first message of a proactive case: we tell the customer about a miss before they
have to ask (pure). A draft only; a person reads it and decides to send it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from amends.text.address import GenderForm, greeting, voice

# Each text names the promise and the date, takes the blame in the first person, says
# what happens next and that the owner will come back personally. Placeholders:
# {greeting} {what} {date} {owner}, and the owner's gendered words (text.address.voice)
_TEXTS = {
    "en": (
        "{greeting}\n\n"
        "we promised you {what} by {date}, and we did not deliver it. That is our mistake, "
        "and I am sorry. I am putting it right today and will write to you myself as soon "
        "as it is done, together with what we are changing so it does not happen again.\n\n"
        "{owner}"
    ),
    "th": (
        "{greeting}\n\n"
        "เราสัญญาว่าจะส่ง{what}ให้คุณภายในวันที่ {date} แต่เราไม่ได้ทำตามที่สัญญาไว้ "
        "นี่เป็นความผิดพลาดของเราเอง และเราขออภัยอย่างยิ่ง วันนี้เรากำลังแก้ไขให้เรียบร้อย "
        "และ{i}จะติดต่อกลับด้วยตัวเองทันทีที่เสร็จ พร้อมแจ้งสิ่งที่เราเปลี่ยนแปลงเพื่อไม่ให้เกิดขึ้นอีก\n\n"
        "{owner}"
    ),
    "sk": (
        "{greeting}\n\n"
        "sľúbili sme Vám {what} do {date} a nedodali sme to. Je to naša chyba a "
        "ospravedlňujem sa. Ešte dnes to napravíme a hneď ako to bude hotové, ozvem sa Vám "
        "osobne aj s tým, čo meníme, aby sa to už neopakovalo.\n\n"
        "{owner}"
    ),
    "el": (
        "{greeting}\n\n"
        "σας υποσχεθήκαμε {what} έως τις {date} και δεν το παραδώσαμε. Το λάθος είναι δικό "
        "μας και σας ζητώ συγγνώμη. Το διορθώνουμε σήμερα και θα σας γράψω προσωπικά μόλις "
        "ολοκληρωθεί, μαζί με ό,τι αλλάζουμε ώστε να μην ξανασυμβεί.\n\n"
        "{owner}"
    ),
}
_SUBJECTS = {
    "en": "We missed {what} — our apology",
    "th": "ขออภัยที่เราไม่ได้ส่ง{what}ตามที่สัญญา",
    "sk": "Nedodali sme {what} — ospravedlňujeme sa",
    "el": "Δεν παραδώσαμε {what} — η συγγνώμη μας",
}


def language_for(preferred: str) -> str:
    """The customer's language if we have the text, Slovak for Czech, else English."""
    base = preferred.split("-")[0].lower()
    if base == "cs":
        return "sk"
    return base if base in _TEXTS else "en"


def breach_draft(
    *,
    language: str,
    customer_name: str,
    what: str,
    due: datetime,
    timezone: str,
    owner: str,
    owner_form: GenderForm | None = None,
    customer_form: GenderForm | None = None,
    customer_is_person: bool = True,
) -> tuple[str, str, str]:
    """(language, subject, text) of the apology for a missed occurrence."""
    lang = language_for(language)
    date = format_date(due.astimezone(ZoneInfo(timezone)).date(), format="long", locale=lang)
    values = {
        "greeting": greeting(lang, customer_name, customer_form, person=customer_is_person),
        "what": what,
        "date": date,
        "owner": owner,
        **voice(lang, owner_form),
    }
    return lang, _SUBJECTS[lang].format(**values), _TEXTS[lang].format(**values)
