"""MkDocs hooks (mkdocs.yml `hooks:`): the glue lives in guide_cqp.site."""

from guide_cqp.site import on_config, on_files, on_startup

__all__ = ["on_config", "on_files", "on_startup"]
