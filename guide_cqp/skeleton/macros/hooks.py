"""MkDocs hooks (mkdocs.yml `hooks:`): every on_* hook of the installed guide_cqp package."""

from guide_cqp.site import *  # noqa: F403 (the hooks are the package's; this file only points MkDocs to them)
