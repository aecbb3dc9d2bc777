"""Step 7 of bundling: load the bundle exactly as a backend would, and fail if that fails.

Backstage's bundle validator and its runtime loader disagree; here they are
one: the staged bundle is the only entry of a root directory that
:class:`~greenroom._dynamic.manager.DynamicPluginManager` loads, with the
scanner (manifest, bundle manifest and file hashes, host requirements and
``sharedRequirements``), the namespaced module loader (each backend entry
point imported and turned into features) and the config schema reader the
runtime uses. Installed plugins are left out: the bundle is judged alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from greenroom._errors import BundleError

__all__ = ["prepare_cache", "validate_bundle"]


def prepare_cache(cache: Path, *, shared_packages: Sequence[str]) -> None:
    """Fill ``cache`` with what validating any bundle here works out alike: the shared imports.

    The loader keeps the import names shared with the host in its cache
    (``cached_shared_import_names``); a batch fills one cache once, and its
    bundles are validated with it instead of each following greenroom's
    requirements again (issue 8).
    """
    from greenroom._dynamic.shared import cached_shared_import_names

    cached_shared_import_names(tuple(shared_packages), cache)


def validate_bundle(
    root: Path, *, shared_packages: Sequence[str], cache: Path, report: str
) -> list[str]:
    """Load every plugin in ``root`` as the runtime does; the plugin ids loaded.

    Raise :class:`BundleError` with the runtime's own messages when any
    entry, entry point or schema would fail.
    """
    from greenroom._config.reader import Config
    from greenroom._dynamic.manager import DynamicPluginManager
    from greenroom._dynamic.schemas import package_schemas

    config = Config.from_data(
        {
            "dynamicPlugins": {
                "rootDirectory": str(root),
                "cacheDirectory": str(cache),
                "bytecodeCache": False,
                "sharedPackages": list(shared_packages),
            }
        }
    )
    manager = DynamicPluginManager(config, include_installed=False)
    try:
        manager.load()
        plugins = manager.plugins(include_failed=True)
        problems = [f"{p.name}: {p.failure}" for p in plugins if p.state == "failed"]
        for package in manager.available_packages:
            problems += [str(problem) for problem in package_schemas(package).problems]
        if not plugins:
            problems.append(f"nothing in {root} was found as a plugin")
        plugin_ids = sorted({p.plugin_id for p in plugins if p.plugin_id})
    finally:
        manager.close()
    if problems:
        raise BundleError(
            ["the runtime would refuse the bundle:", *problems],
            package=report,
            step="validate",
            hint="fix what the loader says above, then bundle again",
        )
    return plugin_ids
