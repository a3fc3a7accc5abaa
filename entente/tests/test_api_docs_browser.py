"""The API docs page renders Swagger UI from our own static files, under our CSP."""

import pytest


@pytest.mark.browser
def test_api_docs_render_without_csp_violations_or_outside_requests(live_server, page, client):
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((live_server.url, "data:")) else outside.append(r.url),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    shown = page.locator(".opblock-summary-path").all_inner_texts()
    document = client.get("/api/v1/openapi.json").json()
    operations = sum(len(methods) for methods in document["paths"].values())
    assert outside == []
    assert len(shown) == operations
    assert {"/api/v1/me", "/api/v1/tokens"} <= set(shown)
