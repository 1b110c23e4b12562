"""The PDF build fetches nothing and shows nothing of the build machine, whatever the référentiel's Markdown says.

Images pointing at the network or at files of the machine, and links to relative pages or to local
files, are written in a Markdown field. The PDF is built in-process while a local HTTP server
records every request and every outgoing connection is refused and logged: none may happen. The
PDF, read whole (object streams expanded by qpdf), holds no ``file:`` and no path of the build,
while an ``https://`` link is kept.
"""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from support import OTHER_REFERENTIEL, ROOT, SEED_REFERENTIEL
from test_livret_pdf import page_texts

from guide_cqp import pdf as pdf_module
from guide_cqp.pdf import build_pdf
from guide_cqp.pdf_sources import RessourceRefusee, asset_fetcher, keeps_link
from guide_cqp.validate import load_referentiel

KEPT = "https://www.example.org/guide-cqp"


class Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's API)
        Recorder.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every outgoing connection attempted by the build, refused before it leaves the machine."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(f"test: no connection allowed ({address})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def hostile_markdown(base: str) -> str:
    """Images and links of every shape that could fetch or reveal something, around a kept https link."""
    return "\n\n".join(
        [
            "Présentation avec des images : ![x](http://192.0.2.1/a.png) ![quai de chargement](/etc/hostname)",
            f"![image locale]({base}/image.png) ![fichier](file:///etc/hostname) ![relative](images/photo.png)",
            "Des liens : [autre page](autre-page.html), [mot de passe](/etc/passwd), [remonter](../../secret.txt),",
            f"[fichier direct](file:///etc/passwd), [serveur local]({base}/page), [ancre vide](#) et [le site]({KEPT}).",
            f"Un lien automatique : <{base}/auto>.",
        ]
    )


@pytest.mark.parametrize("source", [SEED_REFERENTIEL, OTHER_REFERENTIEL], ids=["seed", "other"])
def test_hostile_markdown_builds_without_fetching_and_leaks_no_path(
    source: Path, recorder: str, connections: list[object], tmp_path: Path
) -> None:
    ref = load_referentiel(source)
    # model_copy skips validation on purpose: the PDF holds even if a text the validator would refuse gets here.
    ref = ref.model_copy(update={"presentation": hostile_markdown(recorder)})
    data = build_pdf(ref)
    assert Recorder.requests == []
    assert connections == []
    path = tmp_path / "livret.pdf"
    path.write_bytes(data)
    expanded = tmp_path / "livret-qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(path), str(expanded)], check=True)
    whole = data + expanded.read_bytes()
    assert b"file:" not in whole.lower()
    for secret in {str(ROOT), str(pdf_module.ASSETS), os.getcwd(), str(Path.home()), "/etc/passwd", "192.0.2.1"}:
        assert secret.encode() not in whole, secret
    hostname = Path("/etc/hostname").read_text(encoding="utf-8").strip() if Path("/etc/hostname").exists() else ""
    if len(hostname) >= 8:
        assert hostname.encode() not in whole
    uris = [
        str(annotation.get_object()["/A"]["/URI"])
        for page in PdfReader(path).pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link" and "/URI" in annotation.get_object().get("/A", {})
    ]
    # Web links stay links (the site's own rule); every other one became plain text.
    assert uris == [f"{recorder}/page", KEPT, f"{recorder}/auto"]
    text = " ".join(page_texts(path))
    for words in ("quai de chargement", "autre page", "mot de passe", "remonter", "serveur local", "le site"):
        assert words in text, words  # the text alternative and the link texts are still there to read


def test_the_fetcher_serves_package_assets_only(tmp_path: Path) -> None:
    weasyprint = pdf_module._import_weasyprint()
    fetcher = asset_fetcher(weasyprint, pdf_module.ASSETS)
    css = pdf_module.ASSETS / "cqp.css"
    response = fetcher.fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    escape = tmp_path / "lien.css"
    escape.symlink_to(outside)
    for url in (
        outside.as_uri(),
        escape.as_uri(),
        (pdf_module.ASSETS / ".." / "pdf.py").as_uri(),
        "file:///etc/hostname",
        "http://127.0.0.1:9/a.png",
        "https://www.example.org/a.png",
        "data:image/png;base64,AAAA",
        "ftp://127.0.0.1/a",
    ):
        with pytest.raises(RessourceRefusee):
            fetcher.fetch(url)


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("https://www.example.org/", True),
        ("HTTP://example.org/a", True),
        ("mailto:cpnefp@example.org", True),
        ("#competence-2", True),
        ("autre-page.html", False),
        ("/etc/passwd", False),
        ("../secret", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,x", False),
        ("//example.org/a", False),
        ("#", False),
        ("", False),
    ],
)
def test_which_links_the_pdf_keeps(href: str, kept: bool) -> None:
    assert keeps_link(href) is kept
