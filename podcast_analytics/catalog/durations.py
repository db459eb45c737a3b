"""`itunes:duration` as seconds.

Apple's podcast spec has allowed HH:MM:SS, H:MM:SS, MM:SS and M:SS
(http://www.feedforall.com/docs/html/duration.htm, quoting apple.com/itunes/podcasts/techspecs)
and now recommends plain seconds; hosts send all of them, some with a fraction. Anything
else is unreadable (None), never guessed.
"""

from __future__ import annotations

import re

_SECONDS = re.compile(r"\d+(\.\d+)?")
_CLOCK = re.compile(r"(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)")


def parse_itunes_duration(text: str | None) -> float | int | None:
    """Seconds (an int when whole), or None when `text` is no duration."""
    if text is None:
        return None
    value = text.strip()
    if _SECONDS.fullmatch(value):
        seconds = float(value)
    elif match := _CLOCK.fullmatch(value):
        hours, minutes, secs = match.group(1), int(match.group(2)), float(match.group(3))
        # In H:MM:SS both minutes and seconds are below 60; MM:SS may run past an hour
        # ("75:00"), which hosts do send, but its seconds still may not.
        if secs >= 60 or (hours is not None and minutes >= 60):
            return None
        seconds = int(hours or 0) * 3600 + minutes * 60 + secs
    else:
        return None
    return int(seconds) if seconds.is_integer() else seconds
