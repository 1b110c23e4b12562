"""The livret PDF is tagged for screen readers: structure tree, language, title, bookmarks, and every form
field in the structure, in reading order, with a tooltip that says what it is and where.

Expected values come from the référentiel (the cover's fields, the competences and their modules).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from support import OTHER_REFERENTIEL, SEED_REFERENTIEL
from test_livret_pdf import label, norm

from guide_cqp.model import Referentiel
from guide_cqp.pdf import build_pdf
from guide_cqp.validate import load_referentiel


@pytest.fixture(scope="module", params=[SEED_REFERENTIEL, OTHER_REFERENTIEL], ids=["seed", "other"])
def tagged(request: pytest.FixtureRequest) -> tuple[Referentiel, PdfReader]:
    ref = load_referentiel(request.param)
    return ref, PdfReader(io.BytesIO(build_pdf(ref)))


def structure(node: object, depth: int = 0) -> Iterator[tuple[str, int, DictionaryObject]]:
    """(structure type or « OBJR », depth, element) for every element under node, in document order."""
    node = node.get_object() if isinstance(node, IndirectObject) else node
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from structure(kid, depth)
    elif isinstance(node, DictionaryObject):
        if node.get("/Type") == "/OBJR":
            yield "OBJR", depth, node
        elif "/S" in node:
            yield str(node["/S"]), depth, node
            if "/K" in node:
                yield from structure(node["/K"], depth + 1)


def expected_reading_order(ref: Referentiel) -> list[str]:
    """Cover fields, then the synthesis sheet row by row (modules, organisation, dates, hours), then each sheet."""
    order = [f"couverture_{i}" for i in range(1, len(ref.livret.champs_couverture) + 1)]
    competences = ref.competences_triees()
    for c in competences:
        order += [f"c{c.numero}_module_{j}" for j in range(1, len(c.modules) + 1)]
        order += [f"c{c.numero}_{name}" for name in ("organisme", "dates", "heures")]
    for c in competences:
        order += [f"c{c.numero}_{name}" for name in ("points_cles", "activites", "formateur", "tuteur_positifs", "tuteur_approfondir")]
    return order


def test_the_pdf_is_marked_tagged_in_french_and_shows_its_title(tagged: tuple[Referentiel, PdfReader]) -> None:
    ref, reader = tagged
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "fr"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the file name, in the window
    assert ref.cqp.intitule in reader.metadata.title
    assert "/StructTreeRoot" in root and "/ParentTree" in root["/StructTreeRoot"]
    for page in reader.pages:
        assert page["/Tabs"] == "/S"  # Tab follows the structure: the reading order
        assert "/StructParents" in page


def test_the_structure_has_the_livret_headings_tables_and_lists(tagged: tuple[Referentiel, PdfReader]) -> None:
    ref, reader = tagged
    kinds = Counter(kind for kind, _, _ in structure(reader.trailer["/Root"]["/StructTreeRoot"]["/K"]))
    assert kinds["/Document"] == 1 and kinds["/H1"] == 1  # the cover's title
    assert kinds["/H2"] >= 2 + len(ref.competences)  # parts and one per competence sheet
    assert kinds["/Table"] >= 2 + len(ref.competences)  # synthesis, hours, one grid per sheet
    assert kinds["/TH"] and kinds["/TD"] and kinds["/L"] and kinds["/LI"]


def test_every_field_is_in_the_structure_in_reading_order_with_its_tooltip(tagged: tuple[Referentiel, PdfReader]) -> None:
    ref, reader = tagged
    elements = list(structure(reader.trailer["/Root"]["/StructTreeRoot"]["/K"]))
    in_tree = []
    for index, (kind, depth, element) in enumerate(elements):
        if kind == "OBJR":
            assert elements[index - 1][0] == "/Form" and elements[index - 1][1] == depth - 1  # a Form element holds it
            widget = element["/Obj"].get_object()
            assert "/StructParent" in widget
            in_tree.append(widget)
    names = [str(widget["/T"]) for widget in in_tree]
    assert names == expected_reading_order(ref)
    tooltips = [str(widget["/TU"]) for widget in in_tree]
    assert len(set(tooltips)) == len(tooltips), "two fields share a tooltip: a screen reader cannot tell them apart"
    champs = ref.livret.champs_couverture
    for i, champ in enumerate(champs):
        assert norm(tooltips[i]) == label(ref, champ)
    for c in ref.competences:
        for widget in in_tree:
            if str(widget["/T"]).startswith(f"c{c.numero}_"):
                assert str(widget["/TU"]).startswith(f"Compétence {c.numero}, "), widget["/TU"]


def test_bookmarks_stay_with_the_tags(tagged: tuple[Referentiel, PdfReader]) -> None:
    ref, reader = tagged
    titles = [item.title for item in reader.outline]
    assert titles[0] == "Couverture" and len(titles) == 4 + len(ref.competences)
