"""Search filters that combine with any query: a folder, and a range of dates taken (EXIF, else file time)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


class FilterError(ValueError):
    """A filter the user wrote that cannot be read (e.g. a date like 2019-13)."""


@dataclass(frozen=True)
class PhotoFilter:
    """Which photos a search may answer with; None means no limit on that side."""

    folder: str | None = None  # a folder (normalised path): photos at any depth below it
    after: dt.datetime | None = None  # taken at or after this local time
    before: dt.datetime | None = None  # taken before this local time

    @property
    def is_empty(self) -> bool:
        return self.folder is None and self.after is None and self.before is None

    def timestamps(self) -> tuple[float | None, float | None]:
        """The date range as the catalog stores dates taken (POSIX seconds of a naive local time)."""
        return (None if self.after is None else self.after.timestamp(),
                None if self.before is None else self.before.timestamp())


def parse_date(text: str, *, end: bool = False) -> dt.datetime:
    """'2019', '2019-06' or '2019-06-15' as the local time it starts at; with `end`, the time just after it ends.

    The CLI reads `--after 2019-06 --before 2019-09` as June, July and August 2019 (each at its start); a date
    range picked in the app includes its last day, so its end is read with `end`.
    """
    match = _DATE.match(text)
    if not match:
        raise FilterError(f"not a date: {text!r} (write 2019, 2019-06 or 2019-06-15)")
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if day is not None:
            start = dt.datetime(year, int(month), int(day))
            return start + dt.timedelta(days=1) if end else start
        if month is not None:
            start = dt.datetime(year, int(month), 1)
            if not end:
                return start
            return dt.datetime(year + (start.month == 12), start.month % 12 + 1, 1)
        return dt.datetime(year + 1, 1, 1) if end else dt.datetime(year, 1, 1)
    except ValueError as error:
        raise FilterError(f"not a date: {text!r} ({error})") from None
