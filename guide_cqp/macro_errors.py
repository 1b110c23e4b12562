"""mkdocs-macros' report of a failed page, in French: the page, the line and the macro, without a traceback.

mkdocs-macros renders every hand-written page as a Jinja template and, on any exception, prints its
English message with a Python traceback (``mkdocs_macros.errors.format_error``, a single-dispatch
function). The page's authors are branch staff: they need the page, the line of their file, the macro
as they wrote it, and what to do. With ``on_error_fail: true`` the plugin then stops the build.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from jinja2 import TemplateSyntaxError, UndefinedError

from .macros import MacroInvalide, page_source

log = logging.getLogger("mkdocs.plugins.guide_cqp")

_TYPE_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\w+)\(\) got an unexpected keyword argument '(\w+)'"), "{0}\u00a0: argument « {1} » inconnu"),
    (
        re.compile(r"(\w+)\(\) missing \d+ required positional arguments?: (.+)"),
        "{0}\u00a0: il manque l'argument {1}",
    ),
    (re.compile(r"(\w+)\(\) takes .* positional arguments? but \d+ (?:were|was) given"), "{0}\u00a0: trop d'arguments"),
    (re.compile(r"(\w+)\(\) got multiple values for argument '(\w+)'"), "{0}\u00a0: argument « {1} » donné deux fois"),
]
_SYNTAX_ERRORS: list[tuple[str, str]] = [
    ("Missing end of comment tag", "« {##\u00a0» ouvre un commentaire qui n'est jamais fermé (« ##}\u00a0» manque)"),
    ("unexpected end of template", "une accolade ou une balise « {% %}\u00a0» n'est pas refermée"),
    ("unexpected '}'", "accolade « }\u00a0» en trop"),
    ("expected token 'end of print statement'", "« }}\u00a0» attendu à la fin de la macro"),
    ("unexpected char", "caractère inattendu dans la macro"),
    ("Encountered unknown tag", "balise « {% … %}\u00a0» inconnue"),
]


def install_french_errors() -> None:
    """Replace mkdocs-macros' report (once per process) by ours."""
    try:
        from mkdocs_macros.errors import format_error
    except ImportError:  # another engine: its own report stays
        return
    if getattr(format_error, "_guide_cqp", False):
        return
    format_error.register(Exception, report)
    format_error.register(TemplateSyntaxError, report)
    format_error._guide_cqp = True  # type: ignore[attr-defined]


def report(error: Exception, markdown: str, page: Any) -> str:
    """Log the French message at error level (shown by `mkdocs build -q` too); return the short line macros prints."""
    source = page_source(page)
    line = error_line(error)
    if line is not None:
        line += front_matter_lines(page, markdown)
    where = f"Page {source}" + (f", ligne {line}" if line else "")
    log.error(f"{where}\u00a0: {describe(error)}")
    return f"Construction interrompue\u00a0: erreur de macro dans la page {source} (voir ci-dessus)."


def describe(error: Exception) -> str:
    """What went wrong, in the words of a page's author."""
    if isinstance(error, MacroInvalide):
        return f"{error.call} — {error.detail}"
    if isinstance(error, UndefinedError):
        name = re.search(r"'([^']+)' is undefined", str(error))
        if name:
            return (
                f"« {name.group(1)} » n'est ni une macro du guide ni une variable connue. Vérifiez l'orthographe "
                "(liste des macros\u00a0: page « Macros pour les rédacteurs »)"
            )
        return f"valeur inconnue dans une macro ({error})"
    if isinstance(error, TemplateSyntaxError):
        for needle, french in _SYNTAX_ERRORS:
            if needle in error.message:
                return f"erreur de syntaxe\u00a0: {french}. Pour écrire des accolades telles quelles, entourez le passage de {{% raw %}} et {{% endraw %}}"
        return "erreur de syntaxe dans les accolades {{ }} ou {% %}\u00a0: vérifiez la macro de cette ligne"
    if isinstance(error, TypeError):
        for pattern, french in _TYPE_ERRORS:
            found = pattern.search(str(error))
            if found:
                return french.format(*found.groups()) + " (voir la page « Macros pour les rédacteurs »)"
    return f"erreur inattendue dans une macro ({type(error).__name__}\u00a0: {error})"


def error_line(error: Exception) -> int | None:
    """The line of the page's template where the error happened (Jinja rewrites tracebacks to template lines)."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == "<template>":
            line = lineno
    return line


def front_matter_lines(page: Any, markdown: str) -> int:
    """Lines of the page's front matter, which MkDocs removes before macros see the page."""
    raw = getattr(getattr(page, "file", None), "content_string", None)
    if not isinstance(raw, str) or not markdown or not raw.endswith(markdown):
        return 0
    return raw[: len(raw) - len(markdown)].count("\n")
