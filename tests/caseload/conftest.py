"""The pathway tests' fixtures, for the enrolments a discharge ends."""

from tests.pathways.conftest import build, enrol, library  # noqa: F401
