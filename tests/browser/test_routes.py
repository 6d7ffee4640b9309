"""The pages and their assets are served with a strict content policy; nothing else is."""

from __future__ import annotations

import json

import pytest

import words
from tests.service.conftest import Api

PAGES = [
    "/",
    "/volunteer",
    "/coordinator",
    "/link-worker",
    "/person",
    "/plan",
    "/partner",
    "/deciding-for",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_html_with_a_content_security_policy(web_api: Api, path: str) -> None:
    response = web_api.client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert '<script type="module" src="/assets/' in response.text
    for word in ("client", "service user", "case"):
        assert word not in response.text.lower()


def test_assets_are_served_and_the_python_beside_them_is_not(web_api: Api) -> None:
    script = web_api.client.get("/assets/api.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert web_api.client.get("/assets/style.css").headers["content-type"].startswith("text/css")
    for name in ("routes.py", "__init__.py", "..%2Froutes.py", "missing.js"):
        assert web_api.client.get(f"/assets/{name}").status_code == 404


def test_the_pages_vocabulary_is_the_words_packages(web_api: Api) -> None:
    script = web_api.client.get("/assets/vocabulary.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    body = script.text
    prefix = "export const VOCABULARY = "
    table = json.loads(body[body.index(prefix) + len(prefix) : body.rindex(";")])
    assert table == json.loads(json.dumps(words.for_pages()))
    assert table["languages"]["gu"] == "Gujarati"
    assert table["checked"] == "DBS-checked"
