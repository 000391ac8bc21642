"""A dashboard serving through consecutive refreshes: ``streamlit run dashboard/app.py`` on 127.0.0.1 (free port,
``HSDASH_DATA_DIR`` set) while ``hsdash import`` publishes a changed SYNTHETIC Trust Fund register N times. After
each publish Chromium (Playwright) reloads the page: the sidebar must name the newly published version, with no
exception on the page; a second tab opened at the start and never reloaded must, on a rerun at the end, also show
the newest version (its session outlived the pruning of the version it first read). The server must stay up with
no traceback in its log, and every request the browser made stayed on 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from click.testing import CliRunner

from etl import config, publish
from etl.cli import main

from streamlit_app import ARGS, CHROMIUM, AppDidNotStart, running_app

from . import synth



@dataclass
class Outcome:
    ok: bool
    detail: str
    skipped: str = ""


def unavailable() -> str | None:
    """Why the browser scenario cannot run here (None when it can)."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not installed"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    return None


def _version_shown(page, timeout_ms: int = 60_000) -> str:
    """The version the sidebar's "Data as of …" names in its tooltip (staff see the date; analysts hover).

    Hovers until the tooltip shows: a hover while the script is still running can land on an element that the run
    then replaces, and the tooltip never opens (seen once in a CI run at full load)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + timeout_ms / 1000
    target = page.locator('[data-testid="stSidebar"] [data-testid="stTooltipHoverTarget"]').first
    tip = page.locator('[data-testid="stTooltipContent"]').filter(has_text=re.compile(r"Warehouse version \S+")).first
    while True:
        target.wait_for(timeout=max(1, deadline - time.monotonic()) * 1000)
        _settled(page, timeout_s=max(1.0, deadline - time.monotonic()))
        target.hover()
        try:
            tip.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:  # move away and hover again
            page.mouse.move(0, 0)
            if time.monotonic() > deadline:
                raise
    text = tip.inner_text()
    page.mouse.move(0, 0)
    return re.search(r"Warehouse version (\S+)", text).group(1)


def _settled(page, timeout_s: float = 60) -> None:
    """Wait until the script run finished (Streamlit's running indicator gone)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if page.locator('[data-testid="stStatusWidget"]').count() == 0:
            return
        time.sleep(0.1)


def _errors(page) -> list[str]:
    found = []
    if page.locator('[data-testid="stException"]').count():
        found.append("exception: " + page.locator('[data-testid="stException"]').first.inner_text()[:200])
    body = page.locator("body").inner_text()
    if "Traceback" in body:
        found.append("traceback text on the page")
    return found


def run(base: config.Paths, workdir: Path, refreshes: int = 20, log=lambda msg: None) -> Outcome:
    why = unavailable()
    if why:
        return Outcome(True, "", skipped=why)
    from playwright.sync_api import sync_playwright

    data = workdir / "data"
    shutil.copytree(base.data, data, symlinks=True)
    paths = config.paths(data)
    server_log = workdir / "streamlit.log"
    problems: list[str] = []
    requests: list[str] = []
    shown: list[str] = []
    try:
        with running_app(data, server_log, ("--server.fileWatcherType", "none"), wait_s=60) as (url, proc):
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1300, "height": 1000})
                    page.on("request", lambda r: requests.append(r.url))
                    page.goto(url + "/")
                    first = _version_shown(page)
                    if first != publish.published_meta(paths)["version"]:
                        problems.append(f"first page shows {first}, published is {publish.published_meta(paths)['version']}")
                    idle = browser.new_page(viewport={"width": 1300, "height": 1000})
                    idle.on("request", lambda r: requests.append(r.url))
                    idle.goto(url + "/")
                    _version_shown(idle)
                    previous = first
                    for i in range(1, refreshes + 1):
                        register = workdir / f"register-{i:03d}.csv"
                        register.write_bytes(synth.register(5000 + i))
                        t0 = time.monotonic()
                        res = CliRunner().invoke(main, ["--data-dir", str(data), "import", str(register), "--format", "tfhs"])
                        t1 = time.monotonic()
                        version = publish.published_meta(paths)["version"]
                        if res.exit_code != 0 or version == previous:
                            problems.append(f"refresh {i}: exit {res.exit_code}, version {version} (not new)")
                            break
                        page.reload()
                        got = _version_shown(page)
                        _settled(page)
                        if got != version:
                            problems.append(f"refresh {i}: page shows {got}, published {version}")
                        problems += [f"refresh {i}: {e}" for e in _errors(page)]
                        if proc.poll() is not None:
                            problems.append(f"refresh {i}: the dashboard process exited ({proc.returncode})")
                        shown.append(got)
                        previous = version
                        log(f"dashboard: refresh {i} published {version} ({t1 - t0:.1f}s), page shows {got} "
                            f"({time.monotonic() - t1:.1f}s after)")
                        if problems:
                            break
                    if not problems:  # the tab left open since the first version (long pruned) reruns
                        idle.keyboard.press("r")
                        time.sleep(1.0)
                        deadline = time.monotonic() + 60
                        while time.monotonic() < deadline and _version_shown(idle) != previous:
                            time.sleep(0.2)
                        _settled(idle)
                        if _version_shown(idle) != previous:
                            problems.append(f"the tab open since {first} shows {_version_shown(idle)} after a rerun, not {previous}")
                        problems += [f"long-open tab: {e}" for e in _errors(idle)]
                finally:
                    browser.close()
    except AppDidNotStart as exc:
        return Outcome(False, str(exc)[-500:])
    text = server_log.read_text(errors="replace")
    if "Traceback" in text:
        problems.append("traceback in the dashboard log: " + text[text.index("Traceback"):][:300])
    hosts = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    if not hosts <= {"127.0.0.1"}:
        problems.append(f"the browser asked other hosts: {sorted(hosts - {'127.0.0.1'})}")
    pruned = len(list(paths.warehouses.glob("warehouse-*.duckdb")))
    detail = (f"{len(shown)} refreshes, each new version shown after reload, no error; {pruned} versions on disk"
              + (" (older ones pruned while served)" if len(shown) + 1 > pruned else "")
              + "; a tab open since the first version reran onto the newest")
    if not problems:
        shutil.rmtree(workdir, ignore_errors=True)
    return Outcome(not problems, "; ".join(problems) if problems else detail)
