"""When the previous required step is done (from enrolment when there is none)."""

from pathways.release_rules import ReleaseRule, at_text


class AfterPrevious(ReleaseRule):
    value = "after_previous"
    label = "When the previous step is done"
    order = 30
    counts_from_previous = True

    def describe(self, *, delay_days, time_of_day) -> str:
        return f"When the previous step is done{at_text(time_of_day)}"
