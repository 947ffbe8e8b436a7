"""Debian's chromium driven by Playwright (its own browser download does not work here), and
axe-core from the portal's npm packages."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "portal" / "node_modules" / "axe-core" / "axe.min.js"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def require_chromium() -> None:
    if CHROMIUM.is_file() and AXE.is_file():
        return
    message = f"browser tests need {CHROMIUM} and {AXE} (./dev test installs both)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium(viewport: dict[str, int] = LAPTOP) -> Iterator[BrowserContext]:
    """A fresh Chromium with a fresh, empty user-data dir."""
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport=viewport,  # type: ignore[arg-type]
        )
        try:
            yield context
        finally:
            context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot(page: Page, name: str, tmp: Path) -> None:
    """Under docs/ when PORTAL_SCREENSHOTS=docs (how the README's pictures are made)."""
    folder = ROOT / "docs" if os.environ.get("PORTAL_SCREENSHOTS") == "docs" else tmp
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
