"""The API docs page renders Swagger UI from our own static files, under our CSP."""

import shutil

import pytest

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.browser
def test_api_docs_render_without_csp_violations_or_outside_requests(live_server):
    problems, outside = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url)
            ),
        )
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=15_000)
        operations = page.locator(".opblock-summary-path").all_inner_texts()
        browser.close()
    assert problems == []
    assert outside == []
    assert operations == [
        "/api/v1/me",
        "/api/v1/tokens",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/api/v1/parties",
        "/api/v1/units",
    ]
