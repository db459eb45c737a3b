"""`python -m podcast_analytics.local.emulator.moto_launch -H HOST -p PORT`: moto's server, with its
Kinesis shard made linear-time.

moto 5.x finds a shard's last sequence number with `list(self.records.keys())[-1]` on every
put, and scans a shard from its first record on every GetRecords, so both slow down with the
number of records in the stream (measured here: PutRecords fell from ~7,000 to ~600
records/s by 60,000 records). Sequence numbers in a moto shard are consecutive integers, so
both can index directly. The patch only replaces those three methods, keeps their results
identical, and is skipped if moto's internals no longer look as expected.
"""

from __future__ import annotations

import sys
from typing import Any


def _patch_kinesis_shard() -> bool:
    try:
        from moto.kinesis.models import Shard
    except ImportError:
        return False
    if not all(hasattr(Shard, name) for name in ("get_records", "get_max_sequence_number")):
        return False

    def get_min_sequence_number(self: Any) -> int:
        return next(iter(self.records)) if self.records else 0

    def get_max_sequence_number(self: Any) -> int:
        return next(reversed(self.records)) if self.records else 0

    def get_records(self: Any, last_sequence_id: str, limit: int | None) -> tuple[list, int, int]:
        last = int(last_sequence_id)
        if not self.records:
            return [], last, 0
        first, top = get_min_sequence_number(self), get_max_sequence_number(self)
        start = max(last + 1, first)
        stop = top if limit is None else min(top, start + limit - 1)
        results = [self.records[n] for n in range(start, stop + 1) if n in self.records]
        if not results:
            return [], last, 0
        behind = self.records[top].created_at - results[-1].created_at
        return results, results[-1].sequence_number, int(behind * 1000)

    Shard.get_min_sequence_number = get_min_sequence_number
    Shard.get_max_sequence_number = get_max_sequence_number
    Shard.get_records = get_records
    return True


def main(argv: list[str] | None = None) -> None:
    _patch_kinesis_shard()
    from moto.server import main as moto_main

    moto_main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
