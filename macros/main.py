"""mkdocs-macros module (mkdocs.yml `module_name: macros/main`): the macros live in guide_cqp.site_macros."""

from guide_cqp.site_macros import define_env

__all__ = ["define_env"]
