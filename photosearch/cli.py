"""The `photosearch` command: the photo library from a terminal (index, search, watch, status, remove), or the app."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any, TextIO

from photosearch.model.device_probe import DEVICES
from photosearch.version import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photosearch", description="Find photos on your own disk by what they show, in any language. "
        "Without a command, the desktop app opens.")
    parser.add_argument("--version", action="version", version=f"PhotoSearch {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where the catalog and index live "
                        "(default: $PHOTOSEARCH_DATA_DIR, else the user data folder)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def device_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--device", choices=DEVICES, default=None,
                         help="where the model runs (default: auto, a GPU when there is one)")

    index = commands.add_parser("index", help="add folders and bring the index up to date")
    index.add_argument("paths", nargs="*", metavar="PATH", help="folders to add (none: update the library)")
    device_option(index)
    index.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    search = commands.add_parser("search", help="find photos by text, by example photo, or both combined")
    search.add_argument("query", nargs="?", help='e.g. "ein Hund im Schnee" or "beach + dog - people"')
    search.add_argument("--image", metavar="PATH", help="find photos like this one")
    search.add_argument("--batch", metavar="FILE", help="run one query per line of FILE ('-': stdin); "
                        "with --json, one JSON object per line")
    search.add_argument("-k", type=int, default=20, help="how many results (default 20)")
    search.add_argument("--rerank", type=int, default=0, metavar="N",
                        help="re-order the best N results of a text query with ADAPT (each is read and analysed "
                             "again, about 0.1 s a photo on a CPU; needs the ADAPT weights)")
    search.add_argument("--folder", metavar="PATH", help="only photos in this folder (at any depth)")
    search.add_argument("--after", metavar="DATE", help="only photos taken on or after DATE (2019, 2019-06 or "
                        "2019-06-15; the EXIF date, else the file's time)")
    search.add_argument("--before", metavar="DATE", help="only photos taken before DATE (as --after)")
    device_option(search)
    search.add_argument("--json", action="store_true", help="print JSON on stdout")

    watch = commands.add_parser("watch", help="keep the library in sync with the disk until interrupted")
    device_option(watch)
    watch.add_argument("--json", action="store_true", help="print one JSON object per line for each change")
    watch.add_argument("--polling", action="store_true", help="poll for changes instead of using file events")

    status = commands.add_parser("status", help="folders, photo count, skipped files, device, model")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")

    remove = commands.add_parser("remove", help="forget a folder and its photos (the files stay on disk)")
    remove.add_argument("path", metavar="PATH")
    remove.add_argument("--json", action="store_true", help="print JSON on stdout")
    return parser


class ProgressBar:
    """A one-line bar on stderr (count, rate, time left), drawn only when stderr is a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self._last = 0.0
        self._drawn = False

    def update(self, event: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and event.phase != "done":
            return  # redrawing more than 10 times a second only costs time
        self._last = now
        if event.phase == "scanning":
            line = f"scanning... {event.done} files"
        elif event.phase == "waiting":
            line = f"waiting for {event.path}..."
        else:
            total = max(event.total, 1)
            filled = int(30 * event.done / total)
            line = f"[{'#' * filled}{'.' * (30 - filled)}] {event.done}/{event.total}"
            if event.rate:
                line += f"  {event.rate:.1f} photos/s"
            if event.eta_seconds is not None and event.phase != "done":
                minutes, seconds = divmod(int(event.eta_seconds + 0.5), 60)
                line += f"  {minutes}:{seconds:02d} left"
            if event.skipped:
                line += f"  ({event.skipped} skipped)"
        self.stream.write("\r" + line[:120].ljust(80))
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


# C0 and C1 controls, DEL, and the bidirectional overrides and isolates: in a file name printed to a terminal
# they move the cursor, recolour or rewrite the screen, split one result over two lines, or reorder the text.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROLS.update({c: f"\\u{c:04x}" for c in (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})


def terminal_safe(text: str) -> str:
    """Text for a terminal with control characters written as escapes (\\x1b, \\r, \\n); --json is exact."""
    return text.translate(_CONTROLS)


def _print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A file name that is not valid UTF-8 (its bytes are in the str as lone surrogates): \udcXX escapes keep
        # the JSON valid, and json.loads + os.fsencode give the exact name back.
        text = json.dumps(data, ensure_ascii=True)
    print(text, flush=True)


class _Notices:
    """Prints each of the library's notices (a replaced catalog, a folder being polled) once, on stderr."""

    def __init__(self, library: Any) -> None:
        self.library = library
        self.shown = 0

    def show(self) -> None:
        notices = self.library.notices
        for message in notices[self.shown:]:
            print(f"photosearch: {terminal_safe(message)}", file=sys.stderr, flush=True)
        self.shown = len(notices)


def _run_index(library: Any, cancel: threading.Event | None = None) -> dict[str, Any]:
    bar = ProgressBar()
    waiting = False
    try:
        for event in library.index(cancel):
            if event.phase == "waiting" and not waiting:
                waiting = True
                print(f"photosearch: another PhotoSearch ({event.path}) is updating this library; waiting for it "
                      "to finish (Ctrl+C to give up)", file=sys.stderr, flush=True)
            bar.update(event)
    finally:
        bar.finish()
    return library.last_index_summary


def _print_summary(summary: dict[str, Any]) -> None:
    parts = [f"{summary[key]} {key}" for key in ("added", "updated", "moved", "removed", "unchanged")]
    print(f"{summary['photos']} photos in the library ({', '.join(parts)}; {summary['seconds']:.1f} s on "
          f"{summary['device']})")
    if summary["skipped"]:
        print(f"{len(summary['skipped'])} files skipped:")
        for item in summary["skipped"]:
            print(f"  {terminal_safe(item['path'])}: {terminal_safe(item['reason'])}")


def cmd_index(library: Any, args: argparse.Namespace) -> int:
    for path in args.paths:
        library.add_folder(path)
    if not library.folders():
        print("photosearch: the library has no folders yet; try `photosearch index ~/Pictures`", file=sys.stderr)
        return EXIT_USAGE
    summary = _run_index(library)
    _print_json(summary) if args.json else _print_summary(summary)
    return EXIT_OK


def cmd_search(library: Any, args: argparse.Namespace) -> int:
    if sum(x is not None for x in (args.query, args.image, args.batch)) != 1:
        print("photosearch search: give a QUERY, --image PATH or --batch FILE (one of them)", file=sys.stderr)
        return EXIT_USAGE
    if args.k < 1:
        print("photosearch search: -k must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        where = _search_filter(args)
    except ValueError as error:
        print(f"photosearch search: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.batch is not None:
        return _search_batch(library, args, where)
    if args.image is not None:
        results, query = library.search_image(args.image, k=args.k, where=where), os.path.abspath(args.image)
    else:
        rerank = {"rerank": args.rerank} if args.rerank > 0 else {}
        results, query = library.search(args.query, k=args.k, where=where, **rerank), args.query
    if args.json:
        _print_json({"query": query, "results": [
            {"path": r.path, "score": round(r.score, 6), "weak": r.weak} for r in results]})
    elif not results and where is not None and library.photo_count():
        print("no photo matches the --folder/--after/--before filters", file=sys.stderr)
    elif not results:
        print("no photos in the library yet; add a folder with `photosearch index PATH`", file=sys.stderr)
    else:
        for r in results:
            print(f"{r.score:6.3f}{'?' if r.weak else ' '} {terminal_safe(r.path)}")
        if any(r.weak for r in results):
            print("(? = weak match, below the relevance floor)", file=sys.stderr)
    return EXIT_OK


def _search_filter(args: argparse.Namespace) -> Any:
    """The PhotoFilter of --folder/--after/--before, or None; ValueError with a message for a bad one."""
    if args.folder is None and args.after is None and args.before is None:
        return None
    from photosearch.core.filters import PhotoFilter, parse_date
    from photosearch.core.paths import normalise

    where = PhotoFilter(folder=normalise(args.folder) if args.folder is not None else None,
                        after=parse_date(args.after) if args.after is not None else None,
                        before=parse_date(args.before) if args.before is not None else None)
    if where.after is not None and where.before is not None and where.after >= where.before:
        raise ValueError(f"--after {args.after} is not before --before {args.before}: no photo could match")
    return where


def _search_batch(library: Any, args: argparse.Namespace, where: Any = None) -> int:
    """Many queries for one model load (evaluation scripts); a bad query reports an error and the rest go on."""
    from photosearch.core.errors import QueryError

    # A line that is not valid UTF-8 keeps its bytes as lone surrogates (as file names do, so a photo path with
    # such a name still works as a query) instead of stopping the whole batch with a traceback.
    try:
        if args.batch == "-":
            source = sys.stdin
            with contextlib.suppress(AttributeError, ValueError):
                source.reconfigure(errors="surrogateescape")
        else:
            source = open(args.batch, encoding="utf-8", errors="surrogateescape")
    except OSError as error:
        print(f"photosearch search: cannot read {args.batch}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    with source:
        for line in source:
            query = line.rstrip("\r\n")
            if not query.strip():
                continue
            try:
                results = library.search(query, k=args.k, where=where)
            except QueryError as error:
                if args.json:
                    _print_json({"query": query, "error": str(error)})
                else:
                    print(f"# {terminal_safe(query)}\n  error: {terminal_safe(str(error))}")
                continue
            if args.json:
                _print_json({"query": query, "results": [
                    {"path": r.path, "score": round(r.score, 6), "weak": r.weak} for r in results]})
            else:
                print(f"# {terminal_safe(query)}")
                for r in results:
                    print(f"{r.score:6.3f}{'?' if r.weak else ' '} {terminal_safe(r.path)}")
    return EXIT_OK


def cmd_watch(library: Any, args: argparse.Namespace) -> int:
    if not library.folders():
        print("photosearch: the library has no folders yet; try `photosearch index ~/Pictures`", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def changed() -> None:
        if args.json:
            _print_json({"event": "changed", "photos": library.photo_count()})

    notices = _Notices(library)
    notices.shown = len(library.notices)  # those of opening the library were shown already
    try:
        # Load the model now, not at the first new photo: that keeps the first change within seconds too.
        library.ensure_model()
        # Follow first, then catch up: changes made during the catch-up are queued, not lost.
        library.watch(changed, force_polling=args.polling)
        notices.show()
        summary = _run_index(library, stop)
        if args.json:
            _print_json({"event": "indexed", **summary})
        else:
            _print_summary(summary)
            print("watching for changes; press Ctrl+C to stop", file=sys.stderr)
        while not stop.wait(0.5):
            notices.show()
    finally:
        library.stop_watching()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if args.json:
        _print_json({"event": "stopped", "photos": library.photo_count()})
    return EXIT_OK


def cmd_status(library: Any, args: argparse.Namespace) -> int:
    status = library.status()
    if args.json:
        _print_json(status)
        return EXIT_OK
    print(f"data dir: {status['data_dir']}")
    print(f"model: {status['model']}  device: {status['device']}")
    print(f"photos: {status['photos']}")
    for folder in status["folders"]:
        state = "" if folder["online"] else "  (offline)"
        print(f"  {folder['photos']:7d}  {terminal_safe(folder['path'])}{state}")
    if status["skipped"]:
        print(f"skipped files: {len(status['skipped'])}")
        for item in status["skipped"]:
            print(f"  {terminal_safe(item['path'])}: {terminal_safe(item['reason'])}")
    return EXIT_OK


def cmd_remove(library: Any, args: argparse.Namespace) -> int:
    library.remove_folder(args.path)
    if args.json:
        _print_json({"removed": os.path.abspath(args.path), "photos": library.photo_count()})
    else:
        print(f"forgot {terminal_safe(args.path)}; {library.photo_count()} photos remain in the library")
    return EXIT_OK


COMMANDS = {"index": cmd_index, "search": cmd_search, "watch": cmd_watch, "status": cmd_status,
            "remove": cmd_remove}


def _no_display() -> bool:
    """Linux without X11 or Wayland: Qt would abort the process (not raise), so say so before trying."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_app(data_dir: str | None) -> int:
    if _no_display():
        print("PhotoSearch: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop app "
              "cannot open.\nThe command line works without one: photosearch --help", file=sys.stderr)
        return EXIT_ERROR
    try:
        from photosearch.gui.app import run
    except (ImportError, OSError) as error:
        print(f"PhotoSearch: the desktop app cannot start here ({error}).\n"
              "It needs Qt (PySide6) and a display; the command line works without them: photosearch --help",
              file=sys.stderr)
        return EXIT_ERROR
    return int(run(data_dir) or 0)


def main(argv: Iterable[str] | None = None) -> int:
    args = build_parser().parse_args(None if argv is None else list(argv))
    if args.command is None:
        return open_app(args.data_dir)
    for stream in (sys.stdout, sys.stderr):
        # File names that are not valid UTF-8 are printed as the bytes they are, as `ls` does, not a traceback.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="surrogateescape")

    from photosearch.core.errors import LibraryError, PhotoSearchError, QueryError
    from photosearch.core.library import Library

    try:
        library = Library(data_dir=args.data_dir, device=getattr(args, "device", None))
    except (PhotoSearchError, OSError) as error:
        print(f"photosearch: cannot open the library in {args.data_dir or 'the default data dir'}: {error}",
              file=sys.stderr)
        return EXIT_ERROR
    _Notices(library).show()
    try:
        return COMMANDS[args.command](library, args)
    except (LibraryError, QueryError) as error:
        print(f"photosearch {args.command}: {error}", file=sys.stderr)
        return EXIT_ERROR
    except (PhotoSearchError, OSError) as error:  # the catalog or the disk failed: say which kind of failure
        print(f"photosearch {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\ninterrupted; the work done so far is kept", file=sys.stderr)
        return 130
    finally:
        library.close()


if __name__ == "__main__":
    raise SystemExit(main())
