"""docker-compose.yml scales out: `docker compose up --scale web=3 --scale worker=4` must be
valid and safe. Docker is not on every machine that runs the tests, so the file is read as
YAML and checked for what scaling needs (README, "Scaling out")."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCALED = ("web", "worker")


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _database_host(service) -> str:
    url = service["environment"]["DATABASE_URL"]
    return re.search(r"@([^:/]+):", url).group(1)


def test_every_service_the_stack_needs(services):
    assert set(services) >= {"db", "redis", "pgbouncer", "migrate", "web", "worker", "beat"}
    assert "proxy" in services


def test_scaled_services_claim_nothing_only_one_copy_could_have(services):
    for name in SCALED:
        service = services[name]
        assert "container_name" not in service, name
        assert "ports" not in service, f"{name}: a published port stops --scale {name}=2"
    assert "8000" in [str(port) for port in services["web"]["expose"]]


def test_only_the_proxy_is_published(services):
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}


def test_the_proxy_sends_to_every_web_replica_with_the_visitors_address(services):
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text()
    assert re.search(r"dynamic a \{\s*name web\s*port 8000", caddyfile)
    assert "proxy_protocol v1" in caddyfile
    # ...which gunicorn reads as REMOTE_ADDR, so per-address sign-in limits count visitors.
    command = services["web"]["command"]
    assert "--proxy-protocol" in command
    mount = "./docker/Caddyfile:/etc/caddy/Caddyfile:ro"
    assert mount in services["proxy"]["volumes"]


def test_a_worker_keeps_to_sign_in_emails(services):
    command = services["worker-interactive"]["command"]
    assert command[command.index("-Q") + 1] == "interactive"
    assert "-Q" not in services["worker"]["command"]  # the main workers read every queue


def test_beat_is_one_service_and_no_worker_runs_beat_too(services):
    beat = [name for name, s in services.items() if "beat" in " ".join(s.get("command") or [])]
    assert beat == ["beat"]
    assert "-B" not in services["worker"]["command"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_app_roles_go_through_pgbouncer_and_migrate_goes_direct(services):
    for name in ("web", "worker", "worker-interactive", "beat"):
        assert _database_host(services[name]) == "pgbouncer", name
        assert "bridgework_app:" in services[name]["environment"]["DATABASE_URL"]
    assert _database_host(services["migrate"]) == "db"
    assert _database_host(services["pgbouncer"]) == "db"


def _needs(services, name) -> set:
    """Every service ``name`` waits for, directly or through another."""
    found, todo = set(), [name]
    while todo:
        for dependency in services[todo.pop()].get("depends_on") or {}:
            if dependency not in found:
                found.add(dependency)
                todo.append(dependency)
    return found


def test_app_processes_start_after_pgbouncer_redis_and_the_migrations(services):
    for name in ("web", "worker", "worker-interactive", "beat"):
        assert {"pgbouncer", "redis", "migrate", "db"} <= _needs(services, name), name
    assert "web" in _needs(services, "proxy")


def test_pgbouncer_pools_sessions_not_transactions(services):
    """core.rls keeps the practice in a session setting (set_config(..., false)) and sets it
    again only when it changes: in transaction mode the next transaction could run on a server
    connection another client left set to its practice. Session mode wipes each connection
    (DISCARD ALL) before handing it on."""
    environment = services["pgbouncer"]["environment"]
    assert environment["POOL_MODE"] == "session"
    assert environment["SERVER_RESET_QUERY"] == "DISCARD ALL"
    rls = (ROOT / "core" / "rls.py").read_text()
    assert "set_config('bridgework.practice_id', %s, false)" in rls, (
        "the RLS setting changed scope: revisit the pool mode (README, Scaling out)"
    )


def test_the_web_tier_keeps_no_state_of_its_own(settings):
    assert settings.SESSION_ENGINE in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cache",
        "django.contrib.sessions.backends.cached_db",
    )
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "REDIS_URL: redis://redis:6379/0" in compose  # cache and counters shared
    assert "media:/data/media" in compose  # uploads on one shared volume
