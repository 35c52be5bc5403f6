from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    """The caseload page and the client page. No models: it reads the domain apps."""

    name = "caseload"
    verbose_name = "Caseload"
