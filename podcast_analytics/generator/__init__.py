"""Seeded, realistic podcast listening traffic (with faults), streamed in arrival order.

    from podcast_analytics.generator import GeneratorSettings, generate
    for record in generate(GeneratorSettings(events=100_000, days=14, seed=7)):
        send(record.data, partition_key=record.partition_key)

The same settings always give the same bytes in the same order; `events` sizes the
audience to produce about that many records.
"""

from podcast_analytics.generator.stream import (
    FaultRates,
    GeneratedRecord,
    GeneratorSettings,
    generate,
)

__all__ = ["FaultRates", "GeneratedRecord", "GeneratorSettings", "generate"]
