"""How numbers reach the user in the window: counts, rates, time left, file sizes and dates in words."""

from __future__ import annotations

import datetime as dt


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """'1 photo', '1,234 photos'."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def time_left(seconds: float | None) -> str:
    """A rounded, human estimate: 'a few seconds', 'about 2 min', 'about 1 h 10 min'."""
    if seconds is None or seconds != seconds or seconds < 0:
        return ""
    if seconds < 10:
        return "a few seconds"
    if seconds < 60:
        return f"about {round(seconds / 5.0) * 5} s"
    minutes = round(seconds / 60.0)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"


def index_progress(done: int, total: int, rate: float | None, eta_seconds: float | None, phase: str = "") -> str:
    """'1,234 of 5,000 photos · 42 photos/s · about 2 min left', or '… · estimating…' until the pace is known."""
    if phase == "scanning":
        return f"Looking for photos… {done:,} found" if done else "Looking for photos…"
    parts = [f"{done:,} of {count_noun(total, 'photo')}"]
    left = time_left(eta_seconds)
    if done < total and not (rate and rate > 0 and left):
        parts.append("estimating…")  # a guess from the model's start-up would be minutes off
        return " · ".join(parts)
    if rate and rate > 0:
        parts.append(f"{rate:,.0f} photos/s" if rate >= 10 else f"{rate:,.1f} photos/s")
    if left and done < total:
        parts.append(f"{left} left")
    return " · ".join(parts)


def index_waiting(holder: str) -> str:
    """While another program updates the same library, the run waits its turn: say so, not '0 of 0 photos'."""
    return f"Waiting for another program to finish updating this library ({holder or 'another process'})…"


def index_paused(done: int, total: int, phase: str = "") -> str:
    """'Paused · 96 of 448 photos': no rate and no time left, which mean nothing while nothing moves."""
    if phase == "scanning" or total <= 0:
        return f"Paused · looking for photos, {done:,} found" if done else "Paused · looking for photos"
    return f"Paused · {done:,} of {count_noun(total, 'photo')}"


def file_size(n_bytes: int | None) -> str:
    """'532 bytes', '1.4 MB' (decimal units, as file managers show them)."""
    if n_bytes is None:
        return ""
    if n_bytes < 1000:
        return count_noun(n_bytes, "byte")
    value = float(n_bytes)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000.0
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{n_bytes} bytes"


def timestamp(value: float | dt.datetime | str | None) -> str:
    """A local date and time from a POSIX timestamp, a datetime or an ISO string; '' when unknown."""
    if value is None or value == "":
        return ""
    try:
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, str):
            moment = dt.datetime.fromisoformat(value)
        else:
            moment = dt.datetime.fromtimestamp(float(value))
    except (ValueError, OverflowError, OSError, TypeError):
        return str(value)
    return moment.strftime("%-d %b %Y, %H:%M")


def duration_ms(seconds: float) -> str:
    """'35 ms' or '1.2 s'."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def library_status(photos: int | None, model_state: str, device: str) -> str:
    """The status bar's line: photo count (None: no library yet), device, and the model's state."""
    parts = [count_noun(photos, "photo")] if photos is not None else []
    if model_state == "ready":
        parts += [device, "Model ready"] if device else ["Model ready"]
    else:
        parts.append({"failed": "Model failed to load", "unavailable": "Library unavailable"}.get(
            model_state, "Loading model…"))
    return "  ·  ".join(parts)


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month(year: int, month_number: int) -> str:
    """'Jun 2019' (English abbreviations, like the rest of the window, whatever the locale)."""
    return f"{MONTHS[month_number - 1]} {year}"


def month_range(first: tuple[int, int] | None, last: tuple[int, int] | None) -> str:
    """A range of months taken, both ends included: 'Jun 2019 – Sep 2019', 'Jun 2019', 'since …', 'until …'."""
    if first and last:
        return month(*first) if first == last else f"{month(*first)} – {month(*last)}"
    if first:
        return f"taken since {month(*first)}"
    if last:
        return f"taken until {month(*last)}"
    return ""
