"""The generator: deterministic, realistic enough to trust, faulty exactly as configured."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.contract import invalid_reason, parse_event_ts
from podcast_analytics.generator import FaultRates, GeneratedRecord, GeneratorSettings, generate
from podcast_analytics.generator.stream import event_payload, serialise
from podcast_analytics.record_processor.handler import process_record

TOLERANCE = load_settings("local").events.future_tolerance_s
SETTINGS = GeneratorSettings(events=20_000, days=7, seed=3, start=date(2026, 11, 2))


@pytest.fixture(scope="module")
def records() -> list[GeneratedRecord]:
    return list(generate(SETTINGS))


def test_same_seed_same_bytes_other_seed_other_bytes(records: list[GeneratedRecord]) -> None:
    again = [r.data for r in generate(SETTINGS)]
    assert again == [r.data for r in records]
    other = [r.data for r in generate(GeneratorSettings(events=2_000, days=7, seed=4))]
    assert other[:100] != again[:100]


def test_size_near_target_and_arrival_order_within_the_window(
    records: list[GeneratedRecord],
) -> None:
    # A few hundred listeners with heavy-tailed habits: 'about' means within tens of percent.
    assert 0.6 * SETTINGS.events < len(records) < 1.5 * SETTINGS.events
    arrivals = [r.arrival_ms for r in records]
    assert arrivals == sorted(arrivals)
    first, last = records[0].arrival.date(), records[-1].arrival.date()
    assert first == SETTINGS.start
    assert last == SETTINGS.start + timedelta(days=SETTINGS.days - 1)


def test_clean_records_keep_the_contract(records: list[GeneratedRecord]) -> None:
    clean = [r for r in records if r.fault is None]
    for record in clean:
        event = json.loads(record.data)
        assert (
            invalid_reason(event, received_at=record.arrival, future_tolerance_s=TOLERANCE) is None
        )
        assert event["user_id"] == record.partition_key
    ids = [json.loads(r.data)["event_id"] for r in clean]
    assert len(set(ids)) == len(ids)


def test_faults_are_what_they_claim(records: list[GeneratedRecord]) -> None:
    seen: dict[bytes, GeneratedRecord] = {}
    for record in records:
        if record.fault == "not_json":
            assert process_record(record.data).result == "ProcessingFailed"
        elif record.fault == "contract_violation":
            assert process_record(record.data).result == "Ok"
            reason = invalid_reason(
                json.loads(record.data), received_at=record.arrival, future_tolerance_s=TOLERANCE
            )
            assert reason is not None
        elif record.fault == "duplicate":
            assert record.data in seen  # a resend of something already sent
        seen.setdefault(record.data, record)


def test_fault_rates_are_close_to_the_configured_ones(records: list[GeneratedRecord]) -> None:
    counts = Counter(r.fault for r in records)
    rates = SETTINGS.faults
    n = len(records)
    for fault, rate in (
        ("not_json", rates.not_json),
        ("duplicate", rates.duplicate),
        ("contract_violation", rates.contract_violation),
    ):
        assert rate * n * 0.6 < counts[fault] < rate * n * 1.4, (fault, counts[fault])


def test_late_and_out_of_order_arrivals_happen(records: list[GeneratedRecord]) -> None:
    lags = []
    for record in records:
        if record.fault is None:
            event_ts = parse_event_ts(json.loads(record.data)["event_ts"])
            lags.append((record.arrival - event_ts).total_seconds())
    assert min(lags) > 0
    late = sum(1 for lag in lags if lag > 86_400)
    assert 0.005 * len(lags) < late < 0.04 * len(lags)
    assert sum(1 for lag in lags if 60 <= lag < 3_600) > 0.02 * len(lags)


def test_listening_looks_like_listening(records: list[GeneratedRecord]) -> None:
    events = [json.loads(r.data) for r in records if r.fault is None]
    types = Counter(e["event_type"] for e in events)
    assert types["progress"] > types["play"] > types["complete"] > 0
    assert types["seek"] and types["pause"] and types["resume"] and types["skip"]
    assert types["download"] > 0
    for e in events:
        if "position_s" in e:
            assert 0 <= e["position_s"] <= e["episode_duration_s"]
    platforms = Counter(e["client"]["platform"] for e in events)
    assert len(platforms) >= 4 and len({e["country"] for e in events}) >= 5
    assert any(not e["event_ts"].endswith("Z") for e in events)  # local offsets occur


def test_a_listener_plays_one_episode_at_a_time() -> None:
    # Without faults or a size cap the stream is complete, so every play has its end.
    no_faults = FaultRates(0, 0, 0, 0, 0)
    complete = generate(GeneratorSettings(listeners=300, days=6, seed=5, faults=no_faults))
    by_user: dict[str, list[dict]] = {}
    for record in complete:
        event = json.loads(record.data)
        by_user.setdefault(event["user_id"], []).append(event)
    for events in by_user.values():
        events.sort(key=lambda e: parse_event_ts(e["event_ts"]))
        playing = None  # the episode whose playhead is moving
        for event in events:
            kind = event["event_type"]
            if kind in ("play", "resume", "progress", "seek"):
                assert playing in (None, event["episode_id"]), event
                playing = event["episode_id"]
            elif kind in ("pause", "complete", "skip"):
                assert playing == event["episode_id"], event
                playing = None


def test_fast_serialiser_equals_json_dumps() -> None:
    import random

    from podcast_analytics.generator.catalog import build_world
    from podcast_analytics.generator.listening import ListenerState, listener_day

    rng = random.Random(1)
    world = build_world(rng, listeners=50, start=date(2026, 11, 2), days=2)
    available = {p.podcast_id: list(p.episodes[:3]) for p in world.podcasts}
    checked = 0
    for listener in world.listeners:
        for event in listener_day(rng, listener, ListenerState(), 1_793_000_000_000, 2, available):
            expected = json.dumps(event_payload(event), separators=(",", ":")).encode()
            assert serialise(event) == expected
            checked += 1
    assert checked > 100


def test_bad_settings_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="events=0 must be a positive number"):
        GeneratorSettings(events=0)
    with pytest.raises(ValueError, match="days=0 must be at least 1"):
        GeneratorSettings(days=0)
    with pytest.raises(ValueError, match="fault rate duplicate=2"):
        FaultRates(duplicate=2)


def test_it_streams_rather_than_builds_a_list() -> None:
    stream = generate(GeneratorSettings(events=1_000_000, days=30, seed=1))
    first = next(stream)  # would take minutes and gigabytes if the whole run were built
    assert isinstance(first, GeneratedRecord)
