"""The system Chromium (Debian package `chromium`), as the browser tests and the screenshots launch it.

Playwright never downloads a browser for this project: it is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import os

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The clinic's default language is Japanese; a Japanese browser asks for it.
CONTEXT_ARGS = {
    "locale": "ja-JP",
    "timezone_id": "Asia/Tokyo",
    "viewport": {"width": 1280, "height": 900},
    "accept_downloads": True,
}


def missing_chromium() -> str | None:
    """Why the system Chromium cannot be used, or None."""
    if os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK):
        return None
    return (
        f"the browser tests need the system Chromium at {CHROMIUM} (Debian package `chromium`; "
        "`make install` installs it). Playwright must not download its own browser."
    )


def launch_args() -> dict:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
