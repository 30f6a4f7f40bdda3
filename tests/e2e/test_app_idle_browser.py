"""``livinglab app`` as a city serves it: with a browser connected and nobody clicking, the
server rests. (Streamlit's source watcher used to walk the checkout, ``.venv`` included,
over and over once a session was open: a core kept busy.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, NO_CHROMIUM, ROOT, free_port, wait_healthy
from ui_factories import using_store

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM),
]

IDLE_S = 5.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_the_served_app_rests_while_a_sign_in_page_stays_open(
    page: Any, e2e_store: Path
) -> None:
    with using_store(e2e_store, demo=False) as store:
        env = {**os.environ, **store}
    port = free_port()
    log = (e2e_store.parent / "idle_app.log").open("wb")
    app = subprocess.Popen(
        [sys.executable, "-m", "livinglab", "app", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, app)
        page.goto(url)
        page.get_by_label("Identifiant").wait_for()  # a session is open
        page.wait_for_timeout(1000)  # the first run's work done
        before = cpu_seconds(app.pid)
        time.sleep(IDLE_S)
        busy = cpu_seconds(app.pid) - before
    finally:
        os.killpg(app.pid, signal.SIGTERM)
        app.wait(timeout=10)
        log.close()
    # nobody clicks: well under a tenth of a core (it was a whole core: ~5 s of 5 s)
    assert busy < 0.1 * IDLE_S, f"the idle server used {busy:.2f} s of CPU in {IDLE_S} s"
