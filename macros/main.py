"""mkdocs-macros module (mkdocs.yml `module_name: macros/main`): the glue lives in guide_cqp.site."""

from guide_cqp.site import define_env

__all__ = ["define_env"]
