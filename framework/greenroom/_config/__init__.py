"""The config subsystem: loading app-config files the way Backstage's config loader does.

``load_config`` reads ``app-config.yaml`` and ``app-config.local.yaml`` (or the
``--config`` files), fills in ``${VAR}``, ``$env``, ``$file`` and ``$include``,
merges them and applies ``APP_CONFIG_*`` overrides; ``Config`` reads the result.
"""

from greenroom._config.layer import Substitution
from greenroom._config.loader import DEFAULT_CONFIG_FILES, load_config
from greenroom._config.reader import Config

__all__ = [
    "DEFAULT_CONFIG_FILES",
    "Config",
    "Substitution",
    "load_config",
]
