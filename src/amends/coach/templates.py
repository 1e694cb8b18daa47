"""Message templates per step and language, filled from a case (pure).

Every template owns the failure in the first person and never blames or excuses; a test
runs each one through the checker with the elements its step must contain. Dates and
money are formatted for the customer's locale with Babel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from amends.text.address import GenderForm, greeting, voice

STEPS = (
    "acknowledgment",
    "apology",
    "remedy_offer",
    "change_explained",
    "follow_up",
    "win_back",
    "parting_ways",
)

# What each step's message must contain (the rest is checked for blame and excuses only).
REQUIRED: dict[str, tuple[str, ...]] = {
    "acknowledgment": ("ownership",),
    "apology": ("ownership",),
    "remedy_offer": ("ownership", "remedy"),
    "change_explained": ("ownership", "prevention"),
    "follow_up": (),
    "win_back": ("ownership", "prevention"),
    "parting_ways": (),
}


@dataclass(frozen=True)
class TemplateContext:
    customer_name: str
    agent_name: str
    business_name: str
    case_ref: str
    what_failed: str
    remedy: str = ""
    compensation_amount: Decimal | None = None
    currency: str = "EUR"
    due_date: date | None = None
    change_description: str = ""
    # Parting ways: whom the customer may turn to instead (optional); the refund of unused
    # prepaid service is ``compensation_amount``.
    referral: str = ""
    # The grammatical gender the agent writes in (Thai pronoun and particle, Slovak verb)
    # and the one the customer's contact is greeted in (Greek); None: not said.
    agent_form: GenderForm | None = None
    customer_form: GenderForm | None = None
    # False when the customer has no contact person and the company is greeted.
    customer_is_person: bool = True


_T: dict[str, dict[str, str]] = {
    "en": {
        "acknowledgment": "{greeting}\n\nthank you for telling us about {what}. We got this "
        "wrong, and I am now personally responsible for putting it right. I will come back to "
        "you by {due} at the latest.\n\n{agent}, {business} ({ref})",
        "apology": "{greeting}\n\nwe let you down with {what}. That is our mistake, with no "
        "excuses, and I am sorry.\n\n{agent}, {business} ({ref})",
        "remedy_offer": "{greeting}\n\nwe made a mistake with {what}, and here is how we are "
        "fixing it for you: {remedy}{remedy_end}{credit}\n\n"
        "{agent}, {business} ({ref})",
        "change_explained": "{greeting}\n\nwe let you down with {what}, and a promise alone is "
        "not enough. This is what we have changed: {change}{change_end} From now on, if "
        "anything goes wrong, we will tell you before you have to ask.\n\n"
        "{agent}, {business} ({ref})",
        "follow_up": "{greeting}\n\nI wanted to check personally that everything is now as "
        "it should be after {what}. Is there anything else I can do?\n\n{agent}, "
        "{business} ({ref})",
        "win_back": "{greeting}\n\nwe failed you with {what}, and I understand why you left. "
        "We have changed how we work since then: {change}{change_end} Would you give us one "
        "small chance to show you?\n\n{agent}, {business} ({ref})",
        "parting_ways": "{greeting}\n\nthank you for the time we worked together and for "
        "your trust. We have come to the view that we are not the right partner to give you the "
        "service you expect, so our agreement ends on {due}. The decision is ours, and we take "
        "full responsibility for a smooth ending: we will send you everything you need to carry "
        "on. {unused}{referral}\n\nFrom now on you will receive no further messages from us "
        "about the service. We wish you every success.\n\n{agent}, {business} ({ref})",
    },
    "sk": {
        "acknowledgment": "{greeting}\n\nďakujeme, že ste nám dali vedieť o {what}. "
        "Pomýlili sme sa a za nápravu teraz osobne zodpovedám ja. Ozvem sa Vám najneskôr "
        "{due}.\n\n{agent}, {business} ({ref})",
        "apology": "{greeting}\n\npri {what} sme Vás sklamali. Je to naša chyba, bez "
        "výhovoriek, a ospravedlňujem sa.\n\n{agent}, {business} ({ref})",
        "remedy_offer": "{greeting}\n\npri {what} sme urobili chybu a napravíme ju "
        "takto: {remedy}{remedy_end}{credit}\n\n{agent}, {business} ({ref})",
        "change_explained": "{greeting}\n\npri {what} sme Vás sklamali a sľub nestačí. "
        "Toto sme zmenili: {change}{change_end} Odteraz, ak by sa niečo pokazilo, ozveme sa "
        "Vám skôr, než sa budete musieť pýtať.\n\n{agent}, {business} ({ref})",
        "follow_up": "{greeting}\n\n{want} sa osobne uistiť, že po {what} "
        "je už všetko v poriadku. Môžem ešte niečo urobiť?\n\n{agent}, {business} ({ref})",
        "win_back": "{greeting}\n\npri {what} sme zlyhali a rozumiem, prečo ste "
        "odišli. Odvtedy sme zmenili spôsob práce: {change}{change_end} Dáte nám malú šancu ukázať "
        "Vám to?\n\n{agent}, {business} ({ref})",
        "parting_ways": "{greeting}\n\nďakujeme za čas, keď sme spolupracovali, a "
        "za Vašu dôveru. Dospeli sme k názoru, že nie sme tým správnym partnerom, ktorý Vám "
        "poskytne službu, akú očakávate, a preto naša spolupráca končí k {due}. Rozhodnutie je "
        "naše a berieme na seba plnú zodpovednosť za pokojné ukončenie: pošleme Vám všetko, čo "
        "potrebujete, aby ste mohli pokračovať. {unused}{referral}\n\nOdteraz Vám už nebudeme "
        "posielať žiadne správy o službe. Prajeme Vám veľa úspechov.\n\n"
        "{agent}, {business} ({ref})",
    },
    "el": {
        "acknowledgment": "{greeting}\n\nσας ευχαριστούμε που μας ενημερώσατε για "
        "{what}. Κάναμε λάθος και αναλαμβάνω προσωπικά να το διορθώσω. Θα σας απαντήσω το "
        "αργότερο έως {due}.\n\n{agent}, {business} ({ref})",
        "apology": "{greeting}\n\nσας απογοητεύσαμε με {what}. Το λάθος είναι δικό μας, "
        "χωρίς δικαιολογίες, και σας ζητώ συγγνώμη.\n\n{agent}, {business} ({ref})",
        "remedy_offer": "{greeting}\n\nκάναμε λάθος με {what} και το διορθώνουμε ως "
        "εξής: {remedy}{remedy_end}{credit}\n\n{agent}, {business} ({ref})",
        "change_explained": "{greeting}\n\nσας απογοητεύσαμε με {what} και μια υπόσχεση "
        "δεν αρκεί. Να τι αλλάξαμε: {change}{change_end} Από εδώ και πέρα, αν κάτι πάει "
        "στραβά, θα σας ενημερώνουμε πριν χρειαστεί να ρωτήσετε.\n\n{agent}, {business} ({ref})",
        "follow_up": "{greeting}\n\nήθελα να βεβαιωθώ προσωπικά ότι όλα είναι πλέον "
        "εντάξει μετά από {what}. Μπορώ να κάνω κάτι ακόμη;\n\n{agent}, {business} ({ref})",
        "win_back": "{greeting}\n\nαποτύχαμε με {what} και καταλαβαίνω γιατί φύγατε. "
        "Από τότε αλλάξαμε τον τρόπο που δουλεύουμε: {change}{change_end} Θα μας δίνατε μια μικρή "
        "ευκαιρία να σας το δείξουμε;\n\n{agent}, {business} ({ref})",
        "parting_ways": "{greeting}\n\nσας ευχαριστούμε για τον χρόνο που "
        "συνεργαστήκαμε και για την εμπιστοσύνη σας. Καταλήξαμε ότι δεν είμαστε ο κατάλληλος "
        "συνεργάτης για να σας προσφέρουμε την εξυπηρέτηση που περιμένετε, γι' αυτό η "
        "συνεργασία μας ολοκληρώνεται στις {due}. Η απόφαση είναι δική μας και αναλαμβάνουμε "
        "πλήρως την ευθύνη για ένα ομαλό τέλος: θα σας στείλουμε ό,τι χρειάζεστε για να "
        "συνεχίσετε. {unused}{referral}\n\nΑπό εδώ και πέρα δεν θα λαμβάνετε άλλα μηνύματα "
        "από εμάς για την υπηρεσία. Σας ευχόμαστε κάθε επιτυχία.\n\n"
        "{agent}, {business} ({ref})",
    },
    "th": {
        "acknowledgment": "{greeting}\n\nขอบคุณที่แจ้งเราเรื่อง{what} เราทำผิดพลาดเอง "
        "และตอนนี้{i}รับผิดชอบการแก้ไขด้วยตัวเอง จะติดต่อกลับภายใน {due}\n\n"
        "{agent} {business} ({ref})",
        "apology": "{greeting}\n\nเราทำให้คุณผิดหวังเรื่อง{what} ความผิดพลาดนี้เป็นของเรา "
        "ไม่มีข้อแก้ตัว และเราขอโทษอย่างจริงใจ\n\n{agent} {business} ({ref})",
        "remedy_offer": "{greeting}\n\nเราทำผิดพลาดเรื่อง{what} และเราจะแก้ไขให้ดังนี้ "
        "{remedy}{credit}\n\n"
        "{agent} {business} ({ref})",
        "change_explained": "{greeting}\n\nเราทำให้คุณผิดหวังเรื่อง{what} "
        "และคำสัญญาอย่างเดียวไม่พอ สิ่งที่เราเปลี่ยนคือ {change} "
        "ตั้งแต่นี้เป็นต้นไป หากมีสิ่งใดผิดพลาด เราจะแจ้งคุณก่อนที่คุณจะต้องถาม\n\n"
        "{agent} {business} ({ref})",
        "follow_up": "{greeting}\n\n{i}อยากตรวจสอบด้วยตัวเองว่าหลังจากเรื่อง{what} "
        "ทุกอย่างเรียบร้อยดีแล้ว มีอะไรที่เราช่วยเพิ่มเติมได้อีกไหม{q}\n\n"
        "{agent} {business} ({ref})",
        "win_back": "{greeting}\n\nเราทำผิดพลาดเรื่อง{what} และเราเข้าใจว่าทำไมคุณจึงเลิกใช้บริการ "
        "ตั้งแต่นั้นเราได้เปลี่ยนวิธีการทำงาน {change} "
        "คุณจะให้โอกาสเราสักครั้งเพื่อพิสูจน์ได้ไหม{q}\n\n{agent} {business} ({ref})",
        "parting_ways": "{greeting}\n\nขอบคุณสำหรับช่วงเวลาที่เราได้ร่วมงานกัน"
        "และความไว้วางใจที่คุณมอบให้ เราเห็นว่าเราไม่ใช่พันธมิตรที่เหมาะสมที่จะให้บริการ"
        "ตามที่คุณคาดหวังได้ ข้อตกลงของเราจึงสิ้นสุดในวันที่ {due} "
        "การตัดสินใจนี้เป็นของเรา และเราขอรับผิดชอบให้การสิ้นสุดเป็นไปอย่างราบรื่น "
        "เราจะส่งทุกอย่างที่คุณต้องการเพื่อดำเนินการต่อให้ครบถ้วน {unused}{referral}\n\n"
        "ตั้งแต่นี้เป็นต้นไป คุณจะไม่ได้รับข้อความเกี่ยวกับบริการจากเราอีก "
        "ขออวยพรให้คุณประสบความสำเร็จในทุกสิ่ง\n\n{agent} {business} ({ref})",
    },
}


# The parting message's middle: what happens to prepaid service not yet used (refunded,
# or nothing is left open), and a referral when one is given.
PARTING_PARTS: dict[str, dict[str, str]] = {
    "en": {
        "refund": "The unused part of your prepaid service, {amount}, is refunded to you in full.",
        "kept": "Everything we have delivered to you stays yours.",
        "referral": " If it helps, we can recommend {referral}.",
    },
    "sk": {
        "refund": "Nevyčerpanú časť Vašej predplatenej služby, {amount}, Vám vrátime v plnej "
        "výške.",
        "kept": "Všetko, čo sme Vám dodali, zostáva Vaše.",
        "referral": " Ak by Vám to pomohlo, môžeme Vám odporučiť {referral}.",
    },
    "el": {
        "refund": "Το αχρησιμοποίητο μέρος της προπληρωμένης υπηρεσίας σας, {amount}, σας "
        "επιστρέφεται στο ακέραιο.",
        "kept": "Ό,τι σας έχουμε παραδώσει παραμένει δικό σας.",
        "referral": " Αν σας βοηθά, μπορούμε να σας προτείνουμε {referral}.",
    },
    "th": {
        "refund": "ส่วนของบริการที่ชำระล่วงหน้าแล้วแต่ยังไม่ได้ใช้ จำนวน {amount} เราจะคืนเงินให้คุณเต็มจำนวน",
        "kept": "ทุกสิ่งที่เราส่งมอบให้คุณแล้วยังคงเป็นของคุณ",
        "referral": " หากเป็นประโยชน์ เราขอแนะนำ {referral}",
    },
}


# The remedy offer's credit, said only when one was granted or approved: a draft saying
# "we have credited — to your account" would promise what nobody has decided.
CREDIT_PARTS: dict[str, str] = {
    "en": " We have also credited {amount} to your account.",
    "sk": " Na Váš účet sme tiež pripísali {amount}.",
    "el": " Επιπλέον πιστώνουμε τον λογαριασμό σας με {amount}.",
    "th": " นอกจากนี้เราได้เพิ่มเครดิต {amount} ให้ในบัญชีของคุณแล้ว",
}


# How each kind of corrective action is named to the customer, before its description.
CHANGE_KINDS: dict[str, dict[str, str]] = {
    "en": {
        "quality_check": "a new quality check",
        "staffing": "more people on this work",
        "stock": "more stock kept in reserve",
        "tooling": "a new tool in how we work",
        "named_contact": "one named contact for your account",
        "customer_notification": "a new way of telling you about any problem",
    },
    "sk": {
        "quality_check": "nová kontrola kvality",
        "staffing": "viac ľudí na tejto práci",
        "stock": "väčšia zásoba v rezerve",
        "tooling": "nový nástroj v našej práci",
        "named_contact": "jedna stála kontaktná osoba pre Váš účet",
        "customer_notification": "nový spôsob, ako Vám dáme vedieť o akomkoľvek probléme",
    },
    "el": {
        "quality_check": "ένας νέος ποιοτικός έλεγχος",
        "staffing": "περισσότεροι άνθρωποι σε αυτή τη δουλειά",
        "stock": "μεγαλύτερο απόθεμα σε ετοιμότητα",
        "tooling": "ένα νέο εργαλείο στον τρόπο που δουλεύουμε",
        "named_contact": "ένας σταθερός υπεύθυνος επικοινωνίας για τον λογαριασμό σας",
        "customer_notification": "ένας νέος τρόπος να σας ενημερώνουμε για κάθε πρόβλημα",
    },
    "th": {
        "quality_check": "การตรวจสอบคุณภาพขั้นตอนใหม่",
        "staffing": "เพิ่มทีมงานที่ดูแลงานนี้",
        "stock": "สำรองสินค้าไว้มากขึ้น",
        "tooling": "เครื่องมือใหม่ในการทำงานของเรา",
        "named_contact": "ผู้ติดต่อประจำบัญชีของคุณหนึ่งคน",
        "customer_notification": "วิธีใหม่ในการแจ้งให้คุณทราบเมื่อมีปัญหาใด ๆ",
    },
}


def _base(lang: str) -> str:
    base = "sk" if lang.split("-")[0].lower() == "cs" else lang.split("-")[0].lower()
    return base if base in _T else "en"


def describe_change(lang: str, kind: str, description: str) -> str:
    """A corrective action as the customer reads it: what kind of change, then what it is
    (the kind alone when there is no sentence in their language)."""
    label = CHANGE_KINDS[_base(lang)].get(kind, "")
    description = description.strip().rstrip(".")
    if label and description:
        return f"{label} — {description}"
    return label or description


def languages() -> tuple[str, ...]:
    return tuple(_T)


def render(step: str, lang: str, ctx: TemplateContext) -> str:
    """The step's message in ``lang`` (en, th, sk, el; cs gets sk), filled from ``ctx``."""
    base = _base(lang)
    if step not in REQUIRED:
        raise ValueError(f"unknown step {step!r}; use {', '.join(STEPS)}")
    due = format_date(ctx.due_date, format="long", locale=base) if ctx.due_date else "—"
    # Money is named only when some was granted: the refund of a parting, the credit of
    # a remedy offer.
    granted = ctx.compensation_amount
    amount = (
        format_currency(granted, ctx.currency, locale=base)
        if granted is not None and granted > 0
        else None
    )
    parts = PARTING_PARTS[base]
    unused = parts["refund"].format(amount=amount) if amount is not None else parts["kept"]
    referral = (
        parts["referral"].format(referral=ctx.referral.strip()) if ctx.referral.strip() else ""
    )
    credit = CREDIT_PARTS[base].format(amount=amount) if amount is not None else ""
    remedy = ctx.remedy.strip().rstrip(".")
    change = ctx.change_description.strip().rstrip(".")
    return _T[base][step].format(
        greeting=greeting(
            base, ctx.customer_name, ctx.customer_form, person=ctx.customer_is_person
        ),
        **voice(base, ctx.agent_form),
        unused=unused,
        referral=referral,
        credit=credit,
        name=ctx.customer_name,
        agent=ctx.agent_name,
        business=ctx.business_name,
        ref=ctx.case_ref,
        what=ctx.what_failed,
        remedy=remedy,
        remedy_end=_sentence_end(remedy),
        due=due,
        change=change,
        change_end=_sentence_end(change),
    )


def _sentence_end(inserted: str) -> str:
    # The period after an inserted phrase, unless it already ends the sentence: "…" left
    # for the agent to fill in, a question or an exclamation ("…." reads as a typo).
    return "" if inserted.endswith(("…", "!", "?")) else "."
