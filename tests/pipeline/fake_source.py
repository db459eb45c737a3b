"""A tiny stand-in for the event generator, for these tests only: seeded records in
arrival order over a few days, with every kind of fault the pipeline must account for."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from podcast_analytics.pipeline.sources import SourceRecord

START = datetime(2026, 11, 1, tzinfo=UTC)


def fake_records(events: int | None, days: int, seed: int) -> Iterator[SourceRecord]:
    rng = random.Random(seed)
    total = events or 2_000
    per_day = max(total // days, 1)
    sent: list[bytes] = []
    for n in range(total):
        day = min(n // per_day, days - 1)
        arrival = START + timedelta(days=day, seconds=int((n % per_day) / per_day * 86_000))
        user = f"u{rng.randrange(50)}"
        roll = rng.random()
        if roll < 0.02:
            data = b"{not json"
        elif roll < 0.03:
            data = b"[1, 2]"
        elif roll < 0.06 and sent:
            data = rng.choice(sent)  # a resend: same event id
        else:
            event = {
                "event_id": f"e{seed}-{n}",
                "event_type": rng.choice(["play", "pause", "progress", "complete"]),
                "event_ts": (arrival - timedelta(seconds=rng.randrange(600))).isoformat(),
                "user_id": user,
                "podcast_id": f"p{rng.randrange(5)}",
                "episode_id": f"ep{rng.randrange(20)}",
                "position_s": rng.randrange(3000),
            }
            if roll < 0.09:
                event["position_s"] = -5  # breaks the contract: quarantined
            elif roll < 0.1:
                event["event_ts"] = (arrival + timedelta(days=3)).isoformat()  # future
            data = json.dumps(event).encode()
            if len(sent) < 200:
                sent.append(data)
        yield SourceRecord(data, user, arrival)
