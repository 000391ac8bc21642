"""The static-image engine: kaleido driving the system Chromium, one warm export server for the whole process.

kaleido ≥ 1 renders PNG/SVG/PDF in a headless Chromium. Starting Chromium costs seconds, so the first export starts
kaleido's global sync server (``kaleido.start_sync_server``) and later exports reuse it. That server is not
thread-safe (Streamlit runs every session in its own thread), so every call goes through ``_LOCK``.

``status()`` says whether images can be made and, if not, why in words a person can act on; callers show that
reason instead of failing. Which browser: ``HSDASH_CHROMIUM`` (a path, or ``off`` to disable image export), else
kaleido's own search (``BROWSER_PATH``, then ``chromium``/``chrome`` on PATH, e.g. Debian's /usr/bin/chromium).
MathJax is switched off and plotly.js comes from the installed plotly package: an export never asks the network.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dashboard.figures.map import TOPOJSON_DIR

ENV = "HSDASH_CHROMIUM"
CALL_TIMEOUT = 120.0  # seconds for one render (kaleido's own per-figure timeout is 90 s)
TOPOJSON_URL = TOPOJSON_DIR.as_uri() + "/"  # plotly.js asks for <url>world_110m.json: a local file, never a CDN
FORMATS = ("png", "svg", "pdf")

HOW_TO_ENABLE = ("Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`; `make test` does it when run as "
                 "root) or point HSDASH_CHROMIUM at a Chrome/Chromium binary, then try again (restart the dashboard if it runs). "
                 "CSV, XLSX and HTML downloads work without it.")

_LOCK = threading.Lock()
_started_with: str | None = None  # the browser the warm server runs
_broken: str | None = None  # set when the server died or hung: later calls fail fast with the reason


class EngineUnavailable(RuntimeError):
    """Images cannot be made here; ``str(exc)`` says why and how to enable them."""


@dataclass(frozen=True)
class Status:
    available: bool
    reason: str = ""
    browser: str | None = None


def find_browser() -> tuple[str | None, str]:
    """(path, reason-if-none)."""
    configured = os.environ.get(ENV, "").strip()
    if configured.lower() in ("off", "none", "0", "false", "disabled"):
        return None, f"Image export is switched off ({ENV}={configured})."
    if configured:
        path = shutil.which(configured) or configured
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path, ""
        return None, f"{ENV}={configured} is not an executable Chrome/Chromium."
    try:
        from choreographer.browsers.chromium import Chromium

        path = Chromium.find_browser(skip_local=False)
    except Exception as exc:  # noqa: BLE001 — a broken finder means "no browser", with its reason
        return None, f"Looking for Chromium failed ({type(exc).__name__}: {exc})."
    if path and Path(path).is_file():
        return str(path), ""
    return None, "No Chrome or Chromium browser was found, and kaleido needs one to draw PNG, SVG and PDF images."


def status() -> Status:
    if _broken:
        return Status(False, f"The image engine stopped: {_broken} Restart the dashboard (or the command).")
    try:
        import kaleido  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        return Status(False, f"kaleido cannot be imported ({type(exc).__name__}: {exc}). {HOW_TO_ENABLE}")
    path, reason = find_browser()
    if path is None:
        return Status(False, f"{reason} {HOW_TO_ENABLE}")
    return Status(True, "", path)


def running() -> bool:
    import kaleido

    return kaleido._global_server.is_running()  # noqa: SLF001 — no public accessor


def _server_alive() -> bool:
    import kaleido

    thread = getattr(kaleido._global_server, "_thread", None)  # noqa: SLF001
    return thread is None or thread.is_alive()


def _ensure_server(browser: str) -> None:
    global _started_with
    import kaleido

    if running() and _started_with == browser and _server_alive():
        return
    if running():
        kaleido.stop_sync_server(silence_warnings=True)
    kaleido.start_sync_server(path=browser, mathjax=False, silence_warnings=True)
    _started_with = browser


def render(figure: dict, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
    """``figure`` (a plotly figure dict) as PNG/SVG/PDF bytes. Raises EngineUnavailable with the reason."""
    global _broken
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    state = status()
    if not state.available:
        raise EngineUnavailable(state.reason)
    import kaleido

    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    with _LOCK:
        _ensure_server(state.browser)
        box: dict = {}

        def work() -> None:
            try:
                box["bytes"] = kaleido.calc_fig_sync(figure, opts=opts, topojson=TOPOJSON_URL)
            except BaseException as exc:  # noqa: BLE001 — handed to the caller below
                box["error"] = exc

        worker = threading.Thread(target=work, name="hsdash-export", daemon=True)
        worker.start()
        deadline = time.monotonic() + CALL_TIMEOUT
        while worker.is_alive():
            worker.join(0.05)
            if worker.is_alive() and not _server_alive():
                _broken = "Chromium could not be started or exited (the kaleido server thread ended)."
                raise EngineUnavailable(status().reason)
            if worker.is_alive() and time.monotonic() > deadline:
                _broken = f"an export took longer than {CALL_TIMEOUT:.0f} s."
                raise EngineUnavailable(status().reason)
    if "error" in box:
        raise box["error"]
    return box["bytes"]


def warm() -> float:
    """Start the server and draw one tiny figure (seconds taken); the first real export is then fast."""
    start = time.perf_counter()
    render({"data": [{"type": "scatter", "x": [0, 1], "y": [0, 1]}], "layout": {}}, "png", 50, 50)
    return time.perf_counter() - start


def stop() -> None:
    """Stop the warm server (tests, benchmarks)."""
    global _started_with
    with _LOCK:
        import kaleido

        if running():
            kaleido.stop_sync_server(silence_warnings=True)
        _started_with = None
