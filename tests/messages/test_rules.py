"""Which open case a new message from a customer continues (pure rules)."""

from __future__ import annotations

from amends.messages.rules import SAME_MATTER_LIKENESS, OpenMatter, same_matter


def test_the_same_matter_is_a_reference_a_subject_a_promise_or_close_words() -> None:
    report = OpenMatter(1, "Monthly marketing report", ("Report for May",), True, 0.2)
    billing = OpenMatter(2, None, ("Charged twice",), False, 0.55)
    courier = OpenMatter(3, None, ("Courier",), False, 0.8)
    both = [report, billing, courier]
    assert same_matter("Question", "About [C-2] again", both) == 2
    assert same_matter("RE: Charged twice", "Any news?", both) == 2
    assert same_matter("Where is it", "We still have no marketing report", both) == 1
    # No reference, subject or promise: the most alike case above the bar.
    assert same_matter("Again", "The courier left it in the rain", both) == 3
    alike_below = [OpenMatter(4, None, (), False, SAME_MATTER_LIKENESS - 0.01)]
    assert same_matter("New", "Something else entirely", alike_below) is None
