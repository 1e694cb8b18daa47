"""Every stored vocabulary value the interface translates at run time.

Templates show enum values through ``_(case.state)``, ``_(e.kind)`` and the like. An
extractor only sees string literals, so without this module those values would never
reach the catalogs and every language would show the raw value ("following_up").
Listing them here through the no-op ``N_`` marker puts each value in ``amends.pot``;
even English gets a label this way. ``tests/web/test_i18n.py`` checks the list
against the enums (timeline kinds included: cases.rules.EventKind), so a new value
cannot be forgotten.
"""

from __future__ import annotations

from amends.errors import N_ as N_  # the one marker, also used by pure rules

# One line per value keeps the enums easy to compare; a value shared by two enums
# ("active", "lost", ...) is one catalog entry, so its label must suit both.
VOCABULARY: tuple[str, ...] = (
    # TRANSLATORS: case states (cases.rules.CaseState): the playbook step a case has reached.
    N_("new"),
    N_("acknowledged"),
    N_("owned"),
    N_("remedied"),
    N_("compensated"),
    N_("change_explained"),
    N_("following_up"),
    N_("closed"),
    # TRANSLATORS: case severities (cases.rules.Severity).
    N_("low"),
    N_("medium"),
    N_("high"),
    N_("critical"),
    # TRANSLATORS: case categories (cases.rules.Category): what went wrong.
    N_("missed_commitment"),
    N_("wrong_item"),
    N_("late_delivery"),
    N_("billing"),
    N_("quality"),
    N_("staff_behaviour"),
    N_("communication"),
    N_("other"),
    # TRANSLATORS: case origins (cases.rules.Origin): how the case came to us.
    N_("complaint"),
    N_("breach"),
    N_("manual"),
    # TRANSLATORS: case outcomes (cases.rules.Outcome), also customer statuses.
    N_("retained"),
    N_("won_back"),
    N_("lost"),
    N_("parted_ways"),
    # TRANSLATORS: playbook steps (cases.rules.Step): what the team does on a case.
    N_("acknowledge"),
    N_("own"),
    N_("remedy"),
    N_("compensate"),
    N_("explain-change"),
    N_("follow-up"),
    N_("close"),
    # TRANSLATORS: who a case is waiting on (cases.rules.WaitingOn).
    N_("us"),
    N_("customer"),
    N_("nobody"),
    # TRANSLATORS: customer statuses (customers.rules.CustomerStatus).
    N_("active"),
    N_("at_risk"),
    N_("lost"),
    N_("won_back"),
    N_("parted_ways"),
    # TRANSLATORS: customer tiers (customers.rules.Tier).
    N_("standard"),
    N_("gold"),
    N_("platinum"),
    # TRANSLATORS: what a customer's evidence recommends (customers.rules.Fit): keep them,
    # watch them, or part ways with them; a manager decides.
    N_("keep"),
    N_("watch"),
    N_("part_ways"),
    # TRANSLATORS: kinds of abusive words flagged on a customer's message (messages.abuse).
    N_("insult"),
    N_("threat"),
    # TRANSLATORS: kinds of promise made to a customer (commitments.rules.CommitmentKind).
    N_("deliverable"),
    N_("recurring_service"),
    N_("service_level"),
    N_("callback"),
    N_("refund"),
    # TRANSLATORS: commitment statuses (commitments.rules.CommitmentStatus).
    N_("active"),
    N_("paused"),
    N_("ended"),
    # TRANSLATORS: kinds of compensation (compensation.rules.CompensationKind).
    N_("refund"),
    N_("credit"),
    N_("free_period"),
    N_("replacement"),
    N_("gift"),
    N_("upgrade"),
    N_("none"),
    # TRANSLATORS: compensation statuses (compensation.rules.CompensationStatus).
    N_("granted"),
    N_("requested"),
    N_("approved"),
    N_("declined"),
    # TRANSLATORS: message directions (messages.rules.Direction), shown above a message.
    N_("inbound"),
    N_("outbound"),
    N_("internal"),
    # TRANSLATORS: message channels (messages.rules.Channel).
    N_("email"),
    N_("web"),
    N_("api"),
    N_("phone"),
    N_("chat"),
    # TRANSLATORS: case timeline events (cases.rules.EventKind).
    N_("opened"),
    N_("updated"),
    N_("participant_added"),
    N_("step"),
    N_("handoff"),
    N_("escalated"),
    N_("draft_prepared"),
    N_("repeat_detected"),
    N_("coach_override"),
    N_("validity_overridden"),
    N_("compensation_requested"),
    N_("compensation_granted"),
    N_("compensation_approved"),
    N_("compensation_declined"),
    N_("reply_held"),
    N_("reply_released"),
    N_("reply_returned"),
    N_("reply_resent"),
    N_("reply_marked_sent"),
    N_("customer_status"),
    N_("validity_judged"),
    N_("message_inbound"),
    N_("message_outbound"),
    N_("message_internal"),
    N_("pattern_joined"),
    N_("corrective_action_linked"),
    N_("corrective_action_status"),
    N_("merged_in"),
    N_("merged_into"),
    N_("merge_undone"),
    N_("split"),
    N_("split_from"),
    N_("statement_recorded"),
    N_("statement_waived"),
    N_("winback"),
    N_("watch_missed"),
    # TRANSLATORS: pattern statuses (patterns.rules.PatternStatus): a systemic failure
    # with no corrective action yet, with one, or one whose fix was verified.
    N_("open"),
    N_("addressed"),
    N_("resolved"),
    # TRANSLATORS: corrective action statuses (patterns.rules.ActionStatus).
    N_("planned"),
    N_("in_progress"),
    N_("done"),
    N_("verified"),
    # TRANSLATORS: kinds of corrective action (patterns.rules.ChangeKind): what was changed.
    N_("quality_check"),
    N_("staffing"),
    N_("stock"),
    N_("tooling"),
    N_("named_contact"),
    N_("customer_notification"),
    # TRANSLATORS: did the failures stop after a corrective action (patterns.rules.Verdict)?
    N_("not_done"),
    N_("watching"),
    N_("repeats_stopped"),
    N_("repeats_continue"),
    # No longer written, but timelines stored by earlier versions still hold it.
    N_("state_changed"),
    # TRANSLATORS: why a person is notified (cases.rules.NotificationKind), a badge on the
    # notifications page; "handoff" is above.
    N_("sla_breached"),
    N_("approval_needed"),
    N_("compensation_approved"),
    N_("compensation_declined"),
    N_("repeat_failure"),
    N_("pattern_detected"),
    N_("named_in_complaint"),
    N_("winback_sent"),
    N_("winback_replied"),
    N_("watch_due"),
    # TRANSLATORS: where a win-back sequence stands (winback.rules.WinbackStatus) and why
    # it stopped (winback.rules.StopReason); "active", "won_back" and "parted_ways" are above.
    N_("stopped"),
    N_("not_won_back"),
    N_("replied"),
    N_("no_contact"),
    N_("by_owner"),
    N_("finished"),
    # TRANSLATORS: a watched delivery after a recovery (winback.rules.WatchStatus).
    N_("kept"),
    N_("missed"),
    # TRANSLATORS: roles of people (people.rules.Role), named when a role refuses a task.
    N_("owner"),
    N_("manager"),
    N_("agent"),
    N_("employee"),
    N_("viewer"),
)
