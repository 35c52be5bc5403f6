"""Configuration comes from the environment, and a bad value stops start-up by name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import env

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3Jx9-qL2vN8#pR5tW1zY7uB4mE6hA0cF_dG+sI3oP9lK2jH5gD8fS1aQ4wE7rT0"


def run_manage(*args, **environ):
    skip = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the e2e harness sets it
    base = {k: v for k, v in os.environ.items() if k not in skip}
    base.update(
        {"DJANGO_SETTINGS_MODULE": "homework_platform.settings", "PYTHONPATH": str(ROOT)},
        **environ,
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("DJANGO_DEBUG", "maybe", lambda: env.env_bool("DJANGO_DEBUG", False)),
        ("SESSION_IDLE_TIMEOUT", "ten", lambda: env.env_int("SESSION_IDLE_TIMEOUT", 5)),
        ("SESSION_IDLE_TIMEOUT", "5", lambda: env.env_int("SESSION_IDLE_TIMEOUT", 5, minimum=60)),
        ("DATABASE_URL", "mysql://x/y", lambda: env.database_from_url("DATABASE_URL", "")),
        ("EMAIL_URL", "smtp://", lambda: env.email_from_url("EMAIL_URL", "console://")),
        ("REDIS_URL", "http://x", lambda: env.env_url("REDIS_URL", "", schemes={"redis"})),
    ],
)
def test_bad_value_names_the_variable(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def test_email_url_smtp_is_parsed(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp://mailer:p%40ss@mail.example.org:2525?tls=1")
    config = env.email_from_url("EMAIL_URL", "console://")
    assert config["EMAIL_HOST"] == "mail.example.org"
    assert config["EMAIL_PORT"] == 2525
    assert config["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert config["EMAIL_USE_TLS"] is True


def test_postgres_connections_run_without_jit_keeping_options_from_the_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db:5432/bridgework")
    assert env.database_from_url("DATABASE_URL", "")["OPTIONS"]["options"] == "-c jit=off"
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://app@db:5432/bridgework?options=-c%20statement_timeout%3D5000"
    )
    options = env.database_from_url("DATABASE_URL", "")["OPTIONS"]["options"]
    assert options == "-c statement_timeout=5000 -c jit=off"


def test_start_up_stops_on_a_bad_value_and_names_it():
    result = run_manage("check", DJANGO_DEBUG="1", DATABASE_URL="mysql://nope/db")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_manage_py_needs_no_configuration_in_a_fresh_checkout(monkeypatch, tmp_path):
    for name in ("DJANGO_DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    result = run_manage("makemigrations", "--check", "--dry-run", BRIDGEWORK_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_production_requires_a_real_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="x.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="bridgework.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
