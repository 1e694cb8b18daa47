"""The win-back follow-ups, per language (pure): personal notes from the owner to a
customer who left after a failure.

The first asks for one small chance; the later ones keep checking in, as the playbook's
"persist" asks, until the customer says it is no longer needed. Each owns the failure,
says what will be put right and what changes, and passes the coach with nothing to find
(``tests/coach/test_followups.py``); each carries the link to ask for no more contact.
"""

from __future__ import annotations

from dataclasses import dataclass

from amends.coach.rules import check
from amends.coach.templates import languages
from amends.text.address import GenderForm, greeting, voice


@dataclass(frozen=True)
class FollowUp:
    language: str
    subject: str
    text: str


_SUBJECT = {
    "en": "{business}: a personal note from {agent}",
    "sk": "{business}: osobná správa od {agent}",
    "el": "{business}: ένα προσωπικό μήνυμα από {agent}",
    "th": "{business}: ข้อความส่วนตัวจาก {agent}",
}

_FIRST = {
    "en": "{greeting}\n\nwe let you down with {what}, and it was our mistake, with no "
    "excuses. I would like to put it right: from now on I will personally check every part "
    "of your account and call you before anything falls due. Would you give us one small "
    "chance to show you?\n\nIf you would rather not hear from us again, tell me here and I "
    "will stop: {stop}\n\n{agent}, {business}",
    "sk": "{greeting}\n\npri {what} sme Vás sklamali. Je to naša chyba, bez "
    "výhovoriek. Napravíme to: odteraz osobne skontrolujem každú časť Vášho účtu a "
    "zavolám Vám skôr, než bude niečo treba. Dáte nám malú šancu ukázať Vám to?\n\nAk si "
    "neželáte, aby sme Vás ďalej kontaktovali, dajte mi vedieť tu a prestanem: {stop}\n\n"
    "{agent}, {business}",
    "el": "{greeting}\n\nσας απογοητεύσαμε με {what}. Το λάθος είναι δικό μας, χωρίς "
    "δικαιολογίες. Θέλω να το διορθώσω: από εδώ και πέρα θα ελέγχω προσωπικά κάθε μέρος του "
    "λογαριασμού σας και θα σας καλέσω πριν λήξει οτιδήποτε. Θα μας δίνατε μια μικρή ευκαιρία "
    "να σας το δείξουμε;\n\nΑν δεν θέλετε να επικοινωνήσουμε ξανά μαζί σας, πείτε το μου εδώ "
    "και θα σταματήσω: {stop}\n\n{agent}, {business}",
    "th": "{greeting}\n\nเราทำให้คุณผิดหวังเรื่อง{what} ความผิดพลาดนี้เป็นของเรา ไม่มีข้อแก้ตัว "
    "{i}อยากแก้ไขให้ถูกต้อง ตั้งแต่นี้เป็นต้นไป {i}จะตรวจสอบทุกส่วนของบัญชีของคุณด้วยตัวเอง "
    "และจะโทรหาคุณก่อนถึงกำหนดทุกครั้ง คุณจะให้โอกาสเราสักครั้งเพื่อพิสูจน์ได้ไหม{q}\n\n"
    "หากคุณไม่ต้องการให้เราติดต่ออีก แจ้งได้ที่ลิงก์นี้ แล้วเราจะหยุดทันที {stop}\n\n"
    "{agent} {business}",
}

_AGAIN = {
    "en": "{greeting}\n\nI am writing again, personally, about {what}. We failed you then, "
    "and I still want to put it right. From now on your account has one named contact: me. "
    "Is there anything I can check or fix for you today?\n\nIf you would rather not hear "
    "from us again, tell me here and I will stop: {stop}\n\n{agent}, {business}",
    "sk": "{greeting}\n\npíšem Vám znova, osobne, kvôli {what}. Vtedy sme Vás "
    "sklamali a stále to chcem napraviť. Odteraz máte pre svoj účet jednu stálu kontaktnú "
    "osobu: mňa. Tento týždeň Vám zavolám, aby sme spolu skontrolovali, čo treba.\n\n"
    "Ak si neželáte, aby sme Vás ďalej kontaktovali, dajte mi vedieť tu a prestanem: "
    "{stop}\n\n{agent}, {business}",
    "el": "{greeting}\n\nσας γράφω ξανά, προσωπικά, για {what}. Τότε σας "
    "απογοητεύσαμε και θέλω ακόμη να το διορθώσω. Από εδώ και πέρα ο λογαριασμός σας έχει "
    "έναν σταθερό υπεύθυνο επικοινωνίας: εμένα. Θα σας καλέσω αυτή την εβδομάδα για "
    "να ελέγξουμε μαζί ό,τι χρειάζεται.\n\nΑν δεν θέλετε να επικοινωνήσουμε ξανά μαζί σας, "
    "πείτε το μου εδώ και θα σταματήσω: {stop}\n\n{agent}, {business}",
    "th": "{greeting}\n\n{i}เขียนมาอีกครั้งด้วยตัวเองเรื่อง{what} ครั้งนั้นเราทำให้คุณผิดหวัง "
    "และ{i}ยังอยากแก้ไขให้ถูกต้อง ตั้งแต่นี้เป็นต้นไป บัญชีของคุณมีผู้ติดต่อประจำหนึ่งคนคือ{me} "
    "สัปดาห์นี้{i}จะโทรหาคุณเพื่อตรวจสอบทุกอย่างด้วยกัน\n\n"
    "หากคุณไม่ต้องการให้เราติดต่ออีก แจ้งได้ที่ลิงก์นี้ แล้วเราจะหยุดทันที {stop}\n\n"
    "{agent} {business}",
}


def _base(lang: str) -> str:
    base = lang.split("-")[0].lower()
    base = "sk" if base == "cs" else base
    return base if base in languages() else "en"


def follow_up(
    *,
    number: int,
    lang: str,
    customer_name: str,
    agent_name: str,
    business_name: str,
    what_failed: str,
    stop_link: str,
    agent_form: GenderForm | None = None,
    customer_form: GenderForm | None = None,
    customer_is_person: bool = True,
) -> FollowUp:
    """The ``number``-th follow-up (1 is the first) in the customer's language."""
    base = _base(lang)
    texts = _FIRST if number <= 1 else _AGAIN
    fields = {
        "name": customer_name,
        "agent": agent_name,
        "business": business_name,
        "what": what_failed,
        "stop": stop_link,
        "greeting": greeting(base, customer_name, customer_form, person=customer_is_person),
        **voice(base, agent_form),
    }
    return FollowUp(base, _SUBJECT[base].format(**fields)[:300], texts[base].format(**fields))


def is_clean(item: FollowUp) -> bool:
    """Whether the coach finds nothing at all in the follow-up (all three elements present)."""
    return not check(item.text, item.language).findings
