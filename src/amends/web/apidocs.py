"""The API's reference page, drawn by Swagger UI from files this server serves itself.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script;
neither works here: servers often have no way out, and the pages' Content-Security-Policy
allows scripts only from this origin. Swagger UI's files come from the ``swagger-ui-dist``
npm package (version 5, which reads the OpenAPI 3.1 that FastAPI writes), copied into
``static/swagger/``; ``static/apidocs.js`` starts them.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

DOCS_PATH = "/api/v1/docs"
ASSETS_PATH = "/static/swagger"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/apidocs.js"></script>
</body>
</html>
"""

_HEADERS = {
    # Swagger UI sets styles from script (allowed) and shows its logo as a data: image.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_api_docs(app: FastAPI, *, openapi_url: str) -> None:
    """Serve the reference page at ``/api/v1/docs``; its files are among the static ones."""
    page = _PAGE.format(
        title=escape(f"{app.title} API"), assets=ASSETS_PATH, openapi=escape(openapi_url)
    )

    @app.get(DOCS_PATH, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(page, headers=_HEADERS)
