"""mkdocs-macros module (mkdocs.yml `module_name: macros/main`): the macros of the installed guide_cqp package."""

from guide_cqp.site_macros import define_env

__all__ = ["define_env"]
