"""Some days after enrolment (09:00 unless a time of day is given)."""

from pathways.release_rules import ReleaseRule, at_text, days


class DaysAfterEnrolment(ReleaseRule):
    value = "days_after_enrolment"
    label = "Some days after enrolment"
    order = 20
    has_days = True

    def describe(self, *, delay_days, time_of_day) -> str:
        return f"{days(delay_days)} after enrolment{at_text(time_of_day, ', at 09:00')}"
