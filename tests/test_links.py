"""Links and images in the référentiel's Markdown texts: https:// and mailto: links only, no image.

The build must fetch nothing and publish nothing of the machine that builds (issue 11, part 2);
the check sees what Markdown sees, so every way of writing a link is tried.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from support import MINIMAL_REFERENTIEL

from guide_cqp.errors import ReferentielInvalide
from guide_cqp.links import allowed, links_in
from guide_cqp.render import markdown_filter
from guide_cqp.validate import parse_referentiel

BASE = MINIMAL_REFERENTIEL


def with_presentation(markdown: str) -> str:
    body = "".join(f"  {line}\n" if line else "\n" for line in markdown.split("\n"))
    return BASE.replace("presentation: |\n  Première ligne.\n", f"presentation: |\n  Première ligne.\n{body}")


def refusal(markdown: str) -> str:
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(with_presentation(markdown), "liens.yaml")
    (probleme,) = caught.value.problemes
    assert probleme.chemin == ("presentation",) and probleme.ligne == 9, str(probleme)
    return probleme.message


KEPT = [
    "[le site de la branche](https://www.exemple.fr/cqp?a=1&b=2#haut)",
    "<https://www.exemple.fr/>",
    "[écrire](mailto:cpnefp@exemple.fr)",
    "<cpnefp@exemple.fr>",
    "[lien][ref]\n\n[ref]: https://www.exemple.fr/page",
    "Adresse écrite en clair : https://www.exemple.fr/page (elle reste du texte).",
    "[HTTPS en capitales](HTTPS://WWW.EXEMPLE.FR)",
    "[espaces autour]( https://www.exemple.fr/ )",
]


@pytest.mark.parametrize("markdown", KEPT)
def test_https_and_mailto_links_are_kept(markdown: str) -> None:
    ref = parse_referentiel(with_presentation(markdown), "liens.yaml")
    rendered = BeautifulSoup(str(markdown_filter(ref.presentation)), "html.parser")
    for a in rendered.find_all("a"):
        assert allowed(a["href"]), a
    assert not rendered.find_all("img")


@pytest.mark.parametrize(
    ("markdown", "shown"),
    [
        ("![photo](http://hote.invalide/a.png)", "image « http://hote.invalide/a.png »"),
        ("![photo](https://www.exemple.fr/a.png)", "image « https://www.exemple.fr/a.png »"),
        ("![photo](/un/fichier/local.png)", "image « /un/fichier/local.png »"),
        ("![photo](images/a.png)", "image « images/a.png »"),
        ("![photo][img]\n\n[img]: https://www.exemple.fr/a.png", "image « https://www.exemple.fr/a.png »"),
        ("![](data:image/png;base64,iVBORw0KGgo=)", "image « data:image/png;base64,iVBORw0KGgo= »"),
    ],
)
def test_images_are_refused_with_their_address(markdown: str, shown: str) -> None:
    message = refusal(markdown)
    assert shown in message and "images ne sont pas acceptées" in message


@pytest.mark.parametrize(
    ("markdown", "url"),
    [
        ("[a](http://www.exemple.fr)", "http://www.exemple.fr"),
        ("[a](autre-page.html)", "autre-page.html"),
        ("[b](/etc/passwd)", "/etc/passwd"),
        ("[c](../livret/)", "../livret/"),
        ("[d](#ancre)", "#ancre"),
        ("[e](file:///etc/passwd)", "file:///etc/passwd"),
        ("[f](javascript:alert(1))", "javascript:alert(1)"),
        ("[f](java&#09;script:alert(1))", "javascript:alert(1)"),
        ("[f](&#x6A;avascript&#x3A;alert(1))", "javascript:alert(1)"),
        ("[g](data:text/html,x)", "data:text/html,x"),
        ("[h](//hote.exemple.fr/x)", "//hote.exemple.fr/x"),
        ("[i](ftp://ftp.exemple.fr/)", "ftp://ftp.exemple.fr/"),
        ("[j](mailto:pas-une-adresse)", "mailto:pas-une-adresse"),
        ("[k][ref]\n\n[ref]: /etc/passwd", "/etc/passwd"),
        ("[l]\n\n[l]: http://www.exemple.fr", "http://www.exemple.fr"),
        ("<http://www.exemple.fr>", "http://www.exemple.fr"),
        ("<file:///etc/passwd>", "file:///etc/passwd"),
        ("[m](https\\://www.exemple.fr)", "https\\://www.exemple.fr"),
    ],
)
def test_other_links_are_refused_naming_the_link(markdown: str, url: str) -> None:
    assert any(not allowed(link.url) for link in links_in(markdown))
    message = refusal(markdown)
    assert f"« {url} »" in message and ("https://" in message or "mailto:nom@domaine.fr" in message)


def test_raw_addresses_other_than_https_are_refused() -> None:
    message = refusal("Voir http://www.exemple.fr pour en savoir plus.")
    assert "adresse « http://www.exemple.fr »" in message


def test_the_line_of_the_link_in_the_text_is_given() -> None:
    message = refusal("Deuxième ligne.\n\nVoir [le site](http://www.exemple.fr).")
    assert "ligne 4 du texte" in message


@pytest.mark.parametrize("field", ["objet", "parcours_texte", "note_heures"])
def test_every_markdown_field_is_checked(field: str) -> None:
    text = BASE + f"livret:\n  {field}: '[a](http://www.exemple.fr)'\n"
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(text, "liens.yaml")
    assert [p.chemin for p in caught.value.problemes] == [("livret", field)]


def test_a_link_written_in_the_cqp_title_stays_text_where_a_livret_text_repeats_it() -> None:
    """{intitule} puts the title into a livret text, which is Markdown (the default one has it): the title
    is inserted as text, so its brackets make no link there, in the page or in the PDF."""
    title = "[CQP](http://www.exemple.fr) *vite* <http://www.exemple.fr>"
    text = BASE.replace("intitule: CQP d'essai", f"intitule: '{title}'")
    ref = parse_referentiel(text, "liens.yaml")
    assert "{intitule}" in ref.livret.objet
    rendered = BeautifulSoup(str(markdown_filter(ref.livret.objet, ref)), "html.parser")
    assert not rendered.find_all(["a", "em", "img"]), rendered
    assert title in rendered.get_text()


def test_a_link_made_by_a_placeholder_is_told_at_the_markdown_text() -> None:
    text = BASE.replace("instance: CPNEFP", "instance: http") + "livret:\n  objet: '[a]({instance}://www.exemple.fr)'\n"
    with pytest.raises(ReferentielInvalide) as caught:
        parse_referentiel(text, "liens.yaml")
    (probleme,) = caught.value.problemes
    assert probleme.chemin == ("livret", "objet") and "{instance}" in probleme.message


def test_text_with_link_signs_but_no_link_is_accepted() -> None:
    markdown = "Les crochets [ et ] seuls, un chevron < et un > ; `[code](http://x)` en code ; 3 < 4."
    ref = parse_referentiel(with_presentation(markdown), "liens.yaml")
    assert "[code](http://x)" in ref.presentation


_pieces = st.sampled_from(
    [
        "[a](", "](", "![", "[", "]", "(", ")", "<", ">", ":", "//", "/", "#", " ", "\n", "\n\n", "&#58;", "&#x3A;",
        "\\", "`", '"', "http", "https", "mailto", "javascript", "file", "data", "x@y.fr", "www.exemple.fr", "..",
        "[r]: ", "[r]", "a",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=30).map("".join))
def test_whatever_is_accepted_renders_only_allowed_links_and_no_image(markdown: str) -> None:
    """Links and images built from pieces of link syntax: the check and the pages agree.

    The pages drop a refused target but keep its « a » element (render._SafeLinks): an « a »
    without href in an accepted text would be a link the check missed.
    """
    try:
        ref = parse_referentiel(with_presentation(markdown), "liens.yaml")
    except ReferentielInvalide:
        return
    rendered = BeautifulSoup(str(markdown_filter(ref.presentation, ref)), "html.parser")
    assert not rendered.find_all("img"), markdown
    for element in rendered.find_all("a"):
        assert element.has_attr("href") and allowed(element["href"]), (markdown, str(element))
