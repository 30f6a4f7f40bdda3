"""The portfolio and a pilot page as a user sees them: the real app, Debian's headless Chromium.

``chromium_pages(workdir)`` starts ``livinglab app`` on a bench store (the environment
``bench_evaluate._environment`` gives every step of the benchmark), signs in as the team
in headless Chromium driven by Playwright, and times, in the browser:

- ``portfolio_cold``: from the click on « Se connecter » (the sign-in page shown, the app
  just started, its caches empty) until the portfolio is **visible**: every pilot card
  (``.st-key-card_<pilot>``) is displayed, the bench pilot's card shows its verdict in
  French (« ✅ Généraliser », « ⛔ Abandonner » or « ⏳ Prolonger ») and the script run has
  ended (``[data-testid=stApp]`` has ``data-test-script-state="notRunning"``, no stale
  element is left);
- ``pilot_cold``: from the click on the card's link (« Voir les preuves de … ») until the
  pilot page is **visible**: its verdict alert (« Verdict : … ») is shown, the run has
  ended as above, and every Vega-Lite chart of the open tab (``stVegaLiteChart``: the
  forest plot and each metric's figures) has drawn its canvas or SVG;
- ``portfolio_warm`` / ``pilot_warm``: the page shown, rerun (its link in the top menu
  clicked again: the script runs with the app's caches warm, the elements already drawn
  are updated in place; what AppTest's ``run()`` measures), medians of ``repeat``;
- ``portfolio_revisit`` / ``pilot_revisit``: each page left and opened again (the menu's
  « Portefeuille », then the card's link): its elements drawn anew, caches warm;
- ``portfolio_reload``: the portfolio's address loaded again (a new session: sign in
  again), from the click on « Se connecter » until the portfolio is visible, caches warm;
  it includes the password's check (argon2), which the same-session figures do not.

A timed run is told apart from the previous one by the ``running`` state it goes through
(a MutationObserver installed before the click). For the warm and revisited pilot page,
the CPU seconds of the app's process and of the browser (Chromium and Playwright's
driver) are given beside the wall time (from ``/proc``).

Times are seconds of wall time in the benchmark's process (Playwright's round trips
included, a few milliseconds). Run alone on a work directory of ``bench_scale.py``::

    python benchmarks/bench_scale.py --scales 1000000 --workdir W --repeat 1
    python benchmarks/bench_pages.py W/r1000000 --repeat 3 --screenshots /tmp/shots

Needs Debian's Chromium (``apt-get install chromium``) and Playwright (the ``test`` extra);
without either, ``chromium_pages`` returns ``None`` and :func:`missing` says why.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_evaluate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PILOT_ID = bench_evaluate.PILOT_ID
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The bench store's team account (created through the services when missing).
ACCOUNT = ("banc-equipe", "banc-d-essai-2026", "team")
STARTUP_TIMEOUT_S = 120

# Installed just before each timed click: notes when a script run starts, so that a rerun
# of the page already shown (same elements) is told apart from the previous run's end.
WATCH_RUN = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__benchRan = false;
    if (window.__benchWatch) window.__benchWatch.disconnect();
    window.__benchWatch = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__benchRan = true;
    });
    window.__benchWatch.observe(app, {attributes: true,
                                      attributeFilter: ['data-test-script-state']});
}"""
RUN_ENDED = """
    const app = document.querySelector('[data-testid="stApp"]');
    if (!window.__benchRan) return false;
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-stale="true"]')) return false;
"""
# Every card displayed, the bench pilot's card with one of the verdicts' texts.
PORTFOLIO_SHOWN = "([card, verdicts]) => {" + RUN_ENDED + """
    const cards = [...document.querySelectorAll('[class*="st-key-card_"]')];
    const mine = document.querySelector('.st-key-' + card);
    return cards.length > 0 && cards.every(c => c.offsetParent !== null)
        && mine !== null && verdicts.some(v => mine.innerText.includes(v));
}"""
# The verdict alert shown, every chart of the open tab drawn.
PILOT_SHOWN = "(heading) => {" + RUN_ENDED + """
    const alerts = [...document.querySelectorAll('[data-testid="stAlert"]')];
    if (!alerts.some(a => a.innerText.includes(heading))) return false;
    const panel = document.querySelector('[role="tabpanel"]:not([hidden])');
    if (panel === null) return false;
    const charts = [...panel.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return charts.length > 0 && charts.every(c => {
        const drawn = c.querySelector('canvas, svg.marks');
        return drawn !== null && drawn.getBoundingClientRect().width > 0;
    });
}"""


def missing() -> str | None:
    """Why the browser measurement cannot run here (``None`` when it can)."""
    if not Path(CHROMIUM).exists():
        return f"Debian's chromium is not installed ({CHROMIUM}): apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[bench]'"
    return None


def chromium_pages(
    workdir: Path | str,
    url: str | None = None,
    *,
    repeat: int = 3,
    port: int | None = None,
    screenshots: Path | str | None = None,
    timeout_s: float = 600.0,
) -> dict[str, Any] | None:
    """The portfolio and the bench pilot's page, cold and warm, in headless Chromium.

    ``workdir`` holds the bench store's pilots (``pilots/``) and, unless ``url`` names
    another store, its SQLite file ``store.db``. The app (``livinglab app --port``, a
    free port by default) runs in its own process group with the bench's ``LIVINGLAB_*``
    environment and is stopped at the end, whatever happens. ``screenshots``: a folder
    where ``portfolio.png`` and ``pilot.png`` (whole pages, 1280 px wide) are saved at
    the end of the measurement.

    Returns seconds (floats; what "visible" means: the module's docstring):
    ``app_start`` (until ``/_stcore/health`` answers), ``portfolio_cold``,
    ``portfolio_warm``, ``portfolio_revisit``, ``portfolio_reload``, ``pilot_cold``,
    ``pilot_warm``, ``pilot_revisit``; ``pilot_warm_server_cpu``,
    ``pilot_warm_browser_cpu``, ``pilot_revisit_server_cpu``, ``pilot_revisit_browser_cpu``
    (CPU seconds of one such page: the app's process, Chromium's and Playwright's;
    medians; ``None`` without ``/proc``); and
    ``verdict_shown`` (the bench pilot card's verdict text, e.g. « ✅ Généraliser »),
    ``charts`` (the charts drawn in the pilot page's open tab), ``charts_in_page`` (in
    all its tabs: Streamlit sends every tab's), ``repeat``. ``None``
    when Chromium or Playwright is missing (the reason on stderr and from
    :func:`missing`). Raises ``RuntimeError`` when the app does not start (its log's
    tail in the message) and Playwright's ``TimeoutError`` when a page is not visible
    within ``timeout_s``.
    """
    reason = missing()
    if reason is not None:
        print(f"chromium pages skipped: {reason}", file=sys.stderr)
        return None
    work = Path(workdir)
    url = url or f"sqlite:///{work / 'store.db'}"
    env = {**os.environ, **bench_evaluate._environment(work, url)}
    ensure_account(env)
    port = port or free_port()
    log_path = work / "bench_pages_app.log"
    # A SIGTERM (a timeout's) unwinds through ``finally``: the app is stopped, no orphan.
    terminated = signal.getsignal(signal.SIGTERM) if _main_thread() else None
    if terminated is not None:
        signal.signal(signal.SIGTERM, _exit_on_term)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        app = subprocess.Popen(
            [sys.executable, "-m", "livinglab", "app", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}", app, log_path)
            result: dict[str, Any] = {"app_start": time.perf_counter() - started}
            result |= browse(f"http://127.0.0.1:{port}", repeat=repeat, timeout_s=timeout_s,
                             screenshots=None if screenshots is None else Path(screenshots),
                             server=app.pid)
            return result
        finally:
            stop(app)
            if terminated is not None:
                signal.signal(signal.SIGTERM, terminated)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def browse(
    base: str, *, repeat: int, timeout_s: float, screenshots: Path | None, server: int
) -> dict[str, Any]:
    """Sign in as the bench's team account at ``base`` and time the pages (seconds);
    ``server``: the app's process id, whose CPU time is told apart from the browser's."""
    from playwright.sync_api import sync_playwright

    from livinglab.i18n import Translator

    t = Translator("fr")
    verdicts = [t.verdict(v) for v in ("go", "no_go", "extend")]
    heading = t("verdict_heading", verdict="")
    username, password, _ = ACCOUNT
    card = f"card_{PILOT_ID}"
    timeout_ms = timeout_s * 1000

    def portfolio_shown(page: Any) -> None:
        page.wait_for_function(PORTFOLIO_SHOWN, arg=[card, verdicts], timeout=timeout_ms)

    def pilot_shown(page: Any) -> None:
        page.wait_for_function(PILOT_SHOWN, arg=heading, timeout=timeout_ms)

    def timed(click: Any, shown: Any, page: Any, cpu: list[tuple[float, float]] | None = None
              ) -> float:
        """Seconds from ``click()`` until ``shown(page)``; with ``cpu``, the app's and the
        browser's CPU seconds meanwhile are appended to it."""
        page.evaluate(WATCH_RUN)
        before = cpu_seconds(server) if cpu is not None else None
        started = time.perf_counter()
        click()
        shown(page)
        seconds = time.perf_counter() - started
        after = cpu_seconds(server) if cpu is not None else None
        if cpu is not None and before is not None and after is not None:
            cpu.append((after[0] - before[0], after[1] - before[1]))
        return seconds

    def signed_in(page: Any) -> float:
        """Fill the sign-in form; seconds from the click until the portfolio is shown."""
        page.get_by_label("Identifiant").fill(username)
        page.get_by_label("Mot de passe").fill(password)
        return timed(page.get_by_role("button", name="Se connecter").click, portfolio_shown,
                     page)

    def menu_link(page: Any, title: str) -> Any:
        """The top menu's link to the page ``title``, its section « Décideurs » opened
        (not timed: the menu opens in the browser alone)."""
        link = page.locator('[data-testid="stTopNavDropdownLink"]').filter(
            has=page.get_by_text(title, exact=True)).first
        if not link.is_visible():
            page.locator('[data-testid="stTopNavSection"]',
                         has_text=t("section_decision")).first.click()
        return link

    def median(times: list[float]) -> float:
        return statistics.median(times)

    def cpu_median(cpu: list[tuple[float, float]], which: int) -> float | None:
        return round(statistics.median(c[which] for c in cpu), 2) if cpu else None

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          locale="fr-FR")
            page = context.new_page()
            page.set_default_timeout(timeout_ms)
            try:
                page.goto(base)
                portfolio_cold = signed_in(page)
                verdict_shown = next(v for v in verdicts
                                     if v in page.locator(f".st-key-{card}").inner_text())
                # the page shown, rerun: its menu link clicked again (as AppTest's run())
                portfolio_warm = [timed(menu_link(page, t("page_portfolio")).click,
                                        portfolio_shown, page) for _ in range(repeat)]
                to_pilot = page.locator(
                    f'.st-key-{card} [data-testid="stPageLink-NavLink"]').first.click
                pilot_cold = timed(to_pilot, pilot_shown, page)
                rerun_cpu: list[tuple[float, float]] = []
                pilot_warm = [timed(menu_link(page, t("page_pilot")).click, pilot_shown, page,
                                    rerun_cpu) for _ in range(repeat)]
                # each page left and opened again: its elements drawn anew, caches warm
                portfolio_revisit, pilot_revisit = [], []
                revisit_cpu: list[tuple[float, float]] = []
                for _ in range(repeat):
                    portfolio_revisit.append(timed(menu_link(page, t("page_portfolio")).click,
                                                   portfolio_shown, page))
                    pilot_revisit.append(timed(to_pilot, pilot_shown, page, revisit_cpu))
                charts = page.locator(
                    '[role="tabpanel"]:not([hidden]) [data-testid="stVegaLiteChart"]').count()
                charts_in_page = page.locator('[data-testid="stVegaLiteChart"]').count()
                if screenshots is not None:
                    whole_page(page, screenshots / "pilot.png")
                reloads = []
                for _ in range(repeat):
                    page.goto(base)  # the portfolio's address again: a new session
                    reloads.append(signed_in(page))
                if screenshots is not None:
                    whole_page(page, screenshots / "portfolio.png")
            except Exception:
                if screenshots is not None:  # what the page showed when it failed
                    whole_page(page, screenshots / "failure.png")
                raise
        finally:
            browser.close()
    return {
        "portfolio_cold": portfolio_cold,
        "portfolio_warm": median(portfolio_warm),
        "portfolio_revisit": median(portfolio_revisit),
        "portfolio_reload": median(reloads),
        "pilot_cold": pilot_cold,
        "pilot_warm": median(pilot_warm),
        "pilot_warm_server_cpu": cpu_median(rerun_cpu, 0),
        "pilot_warm_browser_cpu": cpu_median(rerun_cpu, 1),
        "pilot_revisit": median(pilot_revisit),
        "pilot_revisit_server_cpu": cpu_median(revisit_cpu, 0),
        "pilot_revisit_browser_cpu": cpu_median(revisit_cpu, 1),
        "verdict_shown": verdict_shown,
        "charts": charts,
        "charts_in_page": charts_in_page,
        "repeat": repeat,
    }


def cpu_seconds(server: int) -> tuple[float, float] | None:
    """CPU seconds (user + system) used so far by the app's process ``server`` and by
    this process's other descendants (Playwright's driver and Chromium's processes),
    from ``/proc``; ``None`` where there is no ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    if not used:
        return None

    def under(pid: int, root: int) -> bool:
        while pid > 1:
            if pid == root:
                return True
            pid = parents.get(pid, 0)
        return False

    me = os.getpid()
    browser = sum(cpu for pid, cpu in used.items()
                  if pid != me and under(pid, me) and not under(pid, server))
    return used.get(server, 0.0), browser


def whole_page(page: Any, path: Path) -> None:
    """A PNG of the whole page: Streamlit scrolls its main area, not the document, so
    the window is made as tall as that area for the shot, then set back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
        "[data-testid=\"stMainBlockContainer\"]')].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height + 120)})
    page.wait_for_timeout(500)  # the charts redrawn at the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


ENSURE_ACCOUNT = f"""
from livinglab import services
username, password, role = {ACCOUNT!r}
if username not in {{a.username for a in services.accounts()}}:
    services.add_account(username, password, role, actor="bench_pages")
"""


def ensure_account(env: dict[str, str]) -> None:
    """The bench's team account in the store ``env`` names (added through the services,
    in a process of its own: the settings are read once a process)."""
    subprocess.run([sys.executable, "-c", ENSURE_ACCOUNT], env=env, check=True,
                   capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, app: subprocess.Popen[bytes], log: Path) -> None:
    """Until Streamlit's health endpoint answers; RuntimeError (the log's tail) when the
    app exits or does not answer within ``STARTUP_TIMEOUT_S``."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if app.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"livinglab app did not start (exit code {app.poll()}):\n{tail}")


def stop(app: subprocess.Popen[bytes]) -> None:
    """Stop the app's process group: SIGTERM, then SIGKILL after 10 s."""
    try:
        os.killpg(app.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        app.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(app.pid, signal.SIGKILL)
        app.wait()


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir",
                        help="a bench scale's folder (pilots/, store.db), e.g. W/r1000000")
    parser.add_argument("--url", default=None, help="the store (default: WORKDIR/store.db)")
    parser.add_argument("--repeat", type=int, default=3, help="warm round trips (median)")
    parser.add_argument("--port", type=int, default=None, help="the app's port (a free one)")
    parser.add_argument("--screenshots", default=None, help="save portfolio.png, pilot.png here")
    args = parser.parse_args(argv)
    result = chromium_pages(args.workdir, args.url, repeat=args.repeat, port=args.port,
                            screenshots=args.screenshots)
    print(json.dumps({**(result or {"skipped": missing()}), "load_average": os.getloadavg()}))
    return result


if __name__ == "__main__":
    main()
