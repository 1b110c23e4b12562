"""MkDocs hooks (mkdocs.yml `hooks:`): the glue lives in guide_cqp.site."""

from guide_cqp.site import on_config, on_files, on_post_page, on_post_template, on_startup

__all__ = ["on_config", "on_files", "on_post_page", "on_post_template", "on_startup"]
