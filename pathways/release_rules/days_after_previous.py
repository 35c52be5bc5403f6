"""Some days after the previous required step is done (09:00 unless a time is given)."""

from pathways.release_rules import ReleaseRule, at_text, days


class DaysAfterPrevious(ReleaseRule):
    value = "days_after_previous"
    label = "Some days after the previous step is done"
    order = 40
    counts_from_previous = True
    has_days = True

    def describe(self, *, delay_days, time_of_day) -> str:
        return (
            f"{days(delay_days)} after the previous step is done"
            f"{at_text(time_of_day, ', at 09:00')}"
        )
