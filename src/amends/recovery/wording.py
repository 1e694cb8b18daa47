"""What the case page says in words: labels for the coach's findings and drafts, the
outbox, the result of each form and the reason of each refusal (by its stable code), all
marked for translation; and the coach's findings cut into pieces the page can mark."""

from __future__ import annotations

import unicodedata
from typing import Any

from amends.cases.rules import Step
from amends.coach.rules import CheckResult, check
from amends.web.vocabulary import N_

# The coach template that suits the next step of the playbook.
DRAFT_FOR_STEP = {
    Step.ACKNOWLEDGE: "acknowledgment",
    Step.OWN: "apology",
    Step.REMEDY: "remedy_offer",
    Step.COMPENSATE: "remedy_offer",
    Step.EXPLAIN_CHANGE: "change_explained",
    Step.FOLLOW_UP: "follow_up",
    Step.CLOSE: "follow_up",
}
DRAFT_LABELS = {
    "acknowledgment": N_("Acknowledgment"),
    "apology": N_("Apology"),
    "remedy_offer": N_("How we fix it"),
    "change_explained": N_("What we changed"),
    "follow_up": N_("Follow-up"),
    "win_back": N_("Win the customer back"),
    "parting_ways": N_("Parting ways"),
}
FINDING_LABELS = {
    "blame-customer": N_("Blames the customer"),
    "blame-staff": N_("Blames a colleague"),
    "blame-third-party": N_("Blames a courier, supplier or partner"),
    "excuse": N_("Makes an excuse"),
    "conditional-apology": N_("Conditional apology"),
    "minimizing": N_("Plays the failure down"),
    "no-ownership": N_("No one takes responsibility"),
    "no-remedy": N_("Says nothing about the fix"),
    "no-prevention": N_("Says nothing about what changed"),
}
OUTBOX_LABELS = {
    "pending": N_("in the outbox"),
    "claimed": N_("being sent"),
    "sending": N_("being sent"),
    "sent": N_("sent"),
    "failed": N_("could not be sent"),
    "uncertain": N_("perhaps sent"),
    "held": N_("held until a manager approves the compensation"),
    "cancelled": N_("not sent: its compensation was declined"),
}
# After a form succeeds the page says what happened; keys, not text, travel in the URL.
RESULTS = {
    "steps": N_("Done."),
    "sent": N_("Your reply is in the outbox."),
    "held": N_("Your reply waits until a manager approves the compensation it announces."),
    "granted": N_("Compensation granted."),
    "requested": N_("Above your limit: a manager has been asked to approve it."),
    "approved": N_("Compensation approved."),
    "declined": N_("Compensation declined."),
    "handoff": N_("The case has a new owner."),
    "closed": N_("The case is closed."),
    "merged": N_("The case was merged into this one. It can be undone for 24 hours."),
    "split": N_("The chosen messages are in this new case now."),
    "unmerged": N_("The merge is undone: both cases are as they were."),
    "category": N_("The category is set; the change is on the timeline."),
    "statement": N_("Your statement is recorded."),
    "waived": N_("The statement is waived; the reason is on the timeline."),
}
# What a change to many cases in the inbox refused as a whole, by its code.
BULK_REFUSALS = {
    "bulk-empty": N_("Choose at least one case."),
    "bulk-too-many": N_("Too many cases at once: choose fewer."),
    "bulk-value-missing": N_("Choose the new value."),
    "owner-not-found": N_("Choose an active colleague."),
    "handoff-reason-missing": N_("A hand-off needs a reason: why the new owner is better placed."),
    "case-ref-invalid": N_("That is not a case reference (like C-12)."),
    "case-not-found": N_("That case does not exist."),
    "invalid-input": N_("Some of what you entered is not valid."),
}
# Refusals by their stable code, said in the user's language; the English detail from
# the engine is kept beside it for anything the code alone does not say.
REFUSALS = {
    "reply-stale": N_(
        "Someone wrote on this case since you opened it. Read what is new below; if your "
        "reply still fits, send it again."
    ),
    "coach-findings": N_(
        "The coach stopped this message: it shifts the blame or makes excuses. Rewrite "
        "it, or send it anyway and say why."
    ),
    "message-required": N_(
        "This step tells the customer something: send it as a reply, or record the call "
        "with a note of what was said."
    ),
    "compensation-missing": N_(
        "The compensate step needs what is given: use the compensation panel."
    ),
    "compensation-without-step": N_(
        "A compensation is given with the compensate step: tick that step, or leave the "
        "compensation out."
    ),
    "subject-invalid": N_(
        "The subject must be one line, without line breaks or control characters."
    ),
    "compensation-pending": N_(
        "A compensation request waits for a manager's decision; the case can close once "
        "it is approved or declined."
    ),
    "compensation-amount": N_("A refund or credit needs an amount."),
    "compensation-reason": N_("Giving nothing needs the reason why."),
    "compensation-kind": N_("Choose what is given."),
    "compensation-not-found": N_("That compensation is not on this case."),
    "already-decided": N_("This compensation has already been decided."),
    "handoff-reason-missing": N_("A hand-off needs a reason: why the new owner is better placed."),
    "handoff-to-owner": N_("That person already owns this case."),
    "owner-not-allowed": N_("That person cannot own cases."),
    "owner-not-found": N_("Choose an active colleague."),
    "case-closed": N_("The case is closed."),
    "corrective-action-missing": N_(
        "Record the change the team made (a corrective action) before explaining it."
    ),
    "no-email-contact": N_("The customer has no email address to write to."),
    "forbidden": N_("Your role does not allow this."),
    "invalid-transition": N_("This step is not allowed now."),
    "invalid-input": N_("Some of what you entered is not valid."),
    "amount-invalid": N_("The amount is not a number."),
    "reply-empty": N_("Write the reply first."),
    "statement-pending": N_(
        "An employee named in the complaint has not given a statement yet: the case can "
        "close once it is recorded, or once a manager waives it with the reason."
    ),
    "statement-empty": N_("Write your statement first: what happened, as you saw it."),
    "waiver-reason-missing": N_("Waiving a statement needs the reason why it is not needed."),
    "waiver-forbidden": N_("Only a manager may waive a named employee's statement."),
    "statement-recorded": N_("This employee has already given their statement."),
    "statement-waived": N_("This statement is already waived."),
    "not-named": N_("This case does not name that person."),
}


def coach_view(text: str, language: str | None) -> dict[str, Any]:
    """The coach's findings on ``text`` with the text cut into plain and marked pieces, so
    the page can highlight exactly the offending words."""
    text = unicodedata.normalize("NFC", text)  # the offsets refer to the NFC text
    result: CheckResult = check(
        text, language if language not in (None, "und") else None, required=("ownership",)
    )
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for f in sorted(
        (f for f in result.findings if f.start is not None and f.end is not None),
        key=lambda f: f.start or 0,
    ):
        assert f.start is not None
        assert f.end is not None
        if f.start < at:
            continue  # overlapping findings: the first one marks the words
        pieces += [(text[at : f.start], None), (text[f.start : f.end], f.code.value)]
        at = f.end
    pieces.append((text[at:], None))
    return {
        "language": result.language,
        "pieces": [p for p in pieces if p[0]],
        "findings": [dict(f.as_dict(), blocking=f.blocks) for f in result.findings],
        "blocking": bool(result.blocking),
    }
