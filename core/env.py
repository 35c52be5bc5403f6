"""Typed readers for environment variables.

Configuration comes only from the environment. Each reader fails loudly, naming the variable,
when a value is present but malformed, so a typo stops start-up instead of silently falling
back to a default.
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING, overload
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from dj_database_url import DBConfig

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


@overload
def env_str(name: str) -> str: ...
@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None) -> str | None: ...
def env_str(name: str, default: str | object | None = _UNSET) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default  # type: ignore[return-value]
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str, *, schemes: set[str]) -> str:
    value = env_str(name, default)
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(
            f"{name} must be a URL with one of the schemes {allowed}, got {value!r}."
        )
    return value


def database_from_url(name: str, default: str) -> "DBConfig":
    """Parse DATABASE_URL with dj-database-url, refusing what we do not run on."""
    import dj_database_url

    url = env_url(name, default, schemes={"sqlite", "postgres", "postgresql", "pgsql"})
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] not in ("", ":memory:"):
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        # WAL and IMMEDIATE transactions let the demo's web, worker and beat share one file
        # without "database is locked" errors.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # No JIT: its compile time (tens of milliseconds, seen on the dashboard's one
        # aggregate query) dwarfs what it saves on the short queries a web app runs.
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options"), "-c jit=off"]))
    return config


def email_from_url(name: str, default: str) -> dict:
    """EMAIL_URL: smtp://user:pass@host:587?tls=1, smtps://…, console://, locmem://, file:///dir."""
    url = env_url(name, default, schemes={"smtp", "smtps", "console", "locmem", "file", "dummy"})
    parsed = urlparse(url)
    backends = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    config: dict = {"EMAIL_BACKEND": backends[parsed.scheme]}
    if parsed.scheme in {"smtp", "smtps"}:
        if not parsed.hostname:
            raise ImproperlyConfigured(f"{name} needs a host, got {url!r}.")
        query = parse_qs(parsed.query)
        try:
            port = parsed.port or (465 if parsed.scheme == "smtps" else 587)
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port, got {url!r}.") from None
        config.update(
            EMAIL_HOST=parsed.hostname,
            EMAIL_PORT=port,
            EMAIL_HOST_USER=unquote(parsed.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
            EMAIL_USE_SSL=parsed.scheme == "smtps",
            EMAIL_USE_TLS=parsed.scheme == "smtp" and query.get("tls", ["1"])[0] in _TRUE,
            EMAIL_TIMEOUT=10,
        )
    elif parsed.scheme == "file":
        config["EMAIL_FILE_PATH"] = parsed.path or "var/mail"
    return config
