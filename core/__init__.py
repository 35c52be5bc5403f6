"""The shared base every app builds on: tenant models and scopes, access decorators, the DRF
base class, the Celery task base, environment parsing, row-level security, form helpers and
email sending. It imports no app of the project."""
