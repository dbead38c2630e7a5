"""The dashboard's server never fetches from a CDN, and its prose needs no browser renderer."""

from __future__ import annotations

import pytest
import requests
from solara.server import cdn_helper

from hikisim.dashboard.offline import OfflineError, forbid_cdn_fetches
from hikisim.dashboard.prose import markdown_html


def test_cdn_proxy_answers_from_bundled_files_only(tmp_path, monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError(f"the server tried the network: {args}")

    monkeypatch.setattr(requests, "get", no_network)
    monkeypatch.setattr(cdn_helper, "fetch_from_cdn", cdn_helper.fetch_from_cdn)
    forbid_cdn_fetches()
    with pytest.raises(OfflineError):
        cdn_helper.get_path(tmp_path, "katex@0.16.9/dist/katex.min.js")
    # A bundled file is still served from the cache.
    (tmp_path / "requirejs@2.3.6").mkdir()
    (tmp_path / "requirejs@2.3.6" / "require.js").write_text("// bundled")
    assert cdn_helper.get_path(tmp_path, "requirejs@2.3.6/require.js").read_text() == "// bundled"


def test_markdown_becomes_html_on_the_server() -> None:
    html = markdown_html("**bold** and *soft*\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html and "<em>soft</em>" in html and "<table>" in html
