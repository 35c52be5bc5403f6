"""At once on enrolment (or at a time of day on its first day)."""

from pathways.release_rules import ReleaseRule, at_text


class OnEnrolment(ReleaseRule):
    value = "on_enrolment"
    label = "At once on enrolment"
    order = 10

    def describe(self, *, delay_days, time_of_day) -> str:
        return f"On enrolment{at_text(time_of_day)}" if time_of_day else "At once on enrolment"
