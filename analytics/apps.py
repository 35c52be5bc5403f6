from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """Adherence analytics and measurement-based care: the therapist's caseload dashboard, a
    client's progress page, the owner's practice insights, and CSV exports."""

    name = "analytics"
    verbose_name = "Analytics"
