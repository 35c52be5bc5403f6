"""Benchmark: GET /api/v1/clients/ (a page of 50 of 200 clients, token auth, full DRF stack)
against a bare view running one indexed query over the same clients, in the same run.

    .venv/bin/python bench/bench_api_list.py            # SQLite (in memory)
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_api_list.py
"""

from harness import (
    count_queries,
    interleaved_medians,
    report,
    setup_django,
    throwaway_database,
)

CLIENTS = 200


def main() -> None:
    setup_django()
    with throwaway_database():
        from rest_framework.test import APIClient

        from accounts.services import api_token_create
        from bench.data import clients_of, owner_membership
        from core.tenancy import practice_scope

        owner = owner_membership()
        practice = owner.practice
        clients_of(owner, CLIENTS)
        with practice_scope(practice):
            _, secret = api_token_create(membership=owner, name="Benchmark")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

        def subject():
            response = api.get("/api/v1/clients/?status=all")
            assert response.status_code == 200 and response.json()["count"] == CLIENTS

        def peer():
            response = api.get(f"/bench/bare/clients/{practice.pk}/")
            assert response.status_code == 200

        ms, peer_ms = interleaved_medians(subject, peer)
        report(
            "api_list",
            ms=round(ms, 2),
            peer_ms=round(peer_ms, 2),
            ratio=round(ms / peer_ms, 2),
            queries=count_queries(subject),
            clients=CLIENTS,
            peer="bare view: one indexed query, JSON",
        )


if __name__ == "__main__":
    main()
