"""Benchmark: PDF rendering with WeasyPrint, warm and in-process.

- one page: a completed thought record (the response PDF), median of many renders;
- ten pages: a homework packet (cover, contents, eight entries), as a ratio to one page;
- memory: RSS growth over 500 one-page renders (VmRSS from /proc/self/status).

The documents are built by the same selectors and templates as in the app, from in-memory
(unsaved) records: no database is touched, so it runs anywhere the app's dependencies are.

    .venv/bin/python bench/bench_pdf.py
"""

import gc
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from harness import ROOT, report, setup_django

ANSWERS = {
    "situation": "Tuesday 3pm at my desk. My manager walked past without saying hello.",
    "emotions": [{"emotion": "Anxious", "intensity": 80}, {"emotion": "Sad", "intensity": 40}],
    "thoughts": [
        {"thought": "She thinks I'm useless.", "hot": ["hot"], "belief": 85},
        {"thought": "I'll lose my job.", "hot": [], "belief": 50},
    ],
    "thinking_traps": ["mind_reading", "catastrophising"],
    "evidence_for": "She didn't say hello.",
    "evidence_against": "She was on the phone and looked busy. She praised my report on Monday.",
    "balanced_thought": "She was probably busy; one missed hello says little about my work.",
    "balanced_belief": 70,
    "emotions_after": [
        {"emotion": "Anxious", "intensity": 40},
        {"emotion": "Sad", "intensity": 20},
    ],
}
MEMORY_RENDERS = 500
PACKET_ENTRIES = 8


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("No VmRSS in /proc/self/status")


def sources():
    """(one-page response source, ten-page packet source), through the app's selectors."""
    import json

    from accounts.models import Practice
    from assignments.models import Response, ResponseRevision
    from clients.models import Client
    from library.models import ActivityVersion
    from reports.selectors import entry_source, packet_source

    seed = json.loads(
        (ROOT / "library" / "seed" / "activities" / "thought-record.json").read_text()
    )
    practice = Practice(name="Lind Therapy", slug="lind-therapy")
    client = Client(practice=practice, full_name="Zoë Łódź", timezone="Europe/London")
    version = ActivityVersion(
        practice=practice,
        number=1,
        title=seed["title"],
        summary=seed["summary"],
        rationale=seed["rationale"],
        instructions=seed["instructions"],
        kind=seed["tags"]["kind"],
        definition=seed["definition"],
    )
    branding = {
        "practice_name": practice.name,
        "logo": None,
        "confidentiality": "Confidential: this document contains personal health information.",
    }
    start = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)

    def response(day: int) -> Response:
        when = start + timedelta(days=day)
        revision = ResponseRevision(number=1, answers=ANSWERS, created_at=when)
        return Response(
            practice=practice,
            client=client,
            activity_version=version,
            current_revision=revision,
            entry_number=day + 1,
            submitted_at=when,
        )

    one = {**entry_source(response(0)), "client_name": client.full_name, "branding": branding}
    packet = packet_source(
        client_name=client.full_name,
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        entries=[entry_source(response(day)) for day in range(PACKET_ENTRIES)],
        branding=branding,
    )
    return one, packet


def main() -> None:
    setup_django()
    from reports.pdf import render_pdf

    one, packet = sources()
    one_page = render_pdf("response", one)
    ten_pages = render_pdf("packet", packet)
    assert one_page.page_count == 1, f"the response takes {one_page.page_count} pages"
    assert ten_pages.page_count == 10, f"the packet takes {ten_pages.page_count} pages"

    def timed(kind, source) -> tuple[float, float]:
        """Wall-clock and CPU milliseconds of one render."""
        wall, cpu = time.perf_counter(), time.process_time()
        render_pdf(kind, source)
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000

    # Interleave the two so drifts in machine load hit both alike.
    one_ms, one_cpu_ms, ten_ms = [], [], []
    for _ in range(5):
        for _ in range(8):
            wall, cpu = timed("response", one)
            one_ms.append(wall)
            one_cpu_ms.append(cpu)
        ten_ms += [timed("packet", packet)[0] for _ in range(2)]
    one_median, ten_median = statistics.median(one_ms), statistics.median(ten_ms)

    gc.collect()
    before = rss_mb()
    for _ in range(MEMORY_RENDERS):
        render_pdf("response", one)
    gc.collect()
    growth = rss_mb() - before

    report(
        "pdf",
        one_page_ms=round(one_median, 1),
        # The CPU time of the same renders: what the wall clock shows on an idle machine.
        one_page_cpu_ms=round(statistics.median(one_cpu_ms), 1),
        ten_page_ms=round(ten_median, 1),
        ten_page_ratio=round(ten_median / one_median, 2),
        memory_growth_mb=round(growth, 1),
        memory_renders=MEMORY_RENDERS,
        one_page_samples=len(one_ms),
        peer="one-page render",
        ratio=round(ten_median / one_median, 2),
    )


if __name__ == "__main__":
    main()
