"""Small fixes to the markup that Material itself writes into every page (the W3C checker and axe-core flag it).

Each fix is one exact substitution, a no-op when a Material release changes the markup (the end-to-end tests
in tests/e2e/ then say which check fails). What stays unfixed, on purpose: ``autocomplete="off"`` on the
drawer and search toggles (checkboxes), invalid for the checker but what keeps Firefox from reopening the
menu or the search when the reader comes back to a page.
"""

from __future__ import annotations

import re

# Material writes tabindex="" on the label of a navigation section (meaning: no tabindex): an invalid value.
_EMPTY_TABINDEX = re.compile(r'(<label class="md-nav__link[^"<>]*" for="[^"<>]*" id="[^"<>]*") tabindex=""')
# The search overlay is a dialog without a name: screen readers announce « dialog » and nothing else.
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_DIALOG_NAME = "Recherche dans le guide"
# The header's menu and search buttons are labels of hidden checkboxes: a mouse or a finger can use them, the
# keyboard cannot reach them (on a phone, or a desktop zoomed to 400 %). Focusable and named, Material's own
# keyboard handler then opens them with Enter.
HEADER_BUTTONS = {"__drawer": "Ouvrir le menu", "__search": "Ouvrir la recherche"}
_HEADER_BUTTON = '<label class="md-header__button md-icon" for="{target}">'
# On a section's index page there is no « __toc » checkbox, yet the table of contents' title points to it.
_TOC_TITLE = '<label class="md-nav__title" for="__toc">'


def fix_material_markup(html: str) -> str:
    """The page with Material's invalid or unnamed bits fixed; our own templates are fixed at the source."""
    html = _EMPTY_TABINDEX.sub(r"\1", html)
    html = html.replace(_SEARCH_DIALOG, _SEARCH_DIALOG[:-1] + f' aria-label="{SEARCH_DIALOG_NAME}">', 1)
    for target, name in HEADER_BUTTONS.items():
        button = _HEADER_BUTTON.format(target=target)
        # The name as hidden text, not aria-label (not allowed on a label that labels a control).
        html = html.replace(button, f'{button[:-1]} tabindex="0"><span class="cqp-sr-only">{name}</span>', 1)
    if 'id="__toc"' not in html:
        html = html.replace(_TOC_TITLE, '<label class="md-nav__title">')
    return html
