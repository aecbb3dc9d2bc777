"""The pytest configuration of one package: the workspace's, the role's, then the package's own.

pytest reads a single configuration file, the nearest one, so a package with
its own ``[tool.pytest.ini_options]`` would lose the workspace's settings.
Like Backstage's Jest configuration (seed ``003``: overrides from every
``package.json`` up the tree, the one further down winning), ``package test``
merges them and hands pytest the result with ``-c``:

1. the root ``pyproject.toml``'s ``[tool.pytest.ini_options]``, except the
   options that name paths of the root (``testpaths``, ``pythonpath``, ...);
2. the role's defaults: ``testpaths = ["tests"]`` when the package has that
   folder, and ``pythonpath`` with the import roots of the package and of
   the workspace packages it depends on, so tests run against the
   workspace's sources whatever is installed;
3. the package's own ``[tool.pytest.ini_options]``: each key it sets wins.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from greenroom._packaging.project import PYPROJECT, read_pyproject
from greenroom._packaging.sources import package_sources
from greenroom._scripts.target import ScriptTarget, local_dependencies

__all__ = ["pytest_options", "write_pytest_config"]

#: Root options that are paths relative to the root, meaningless in a package.
_NOT_INHERITED: Final = frozenset({"testpaths", "pythonpath", "cache_dir", "confcutdir"})


def _ini_options(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data: Any = read_pyproject(path, str(path))
    for key in ("tool", "pytest", "ini_options"):
        data = data.get(key) if isinstance(data, dict) else None
    return dict(data) if isinstance(data, dict) else {}


def pytest_options(target: ScriptTarget) -> dict[str, Any]:
    """The merged ``[tool.pytest.ini_options]`` of ``target`` (see the module's docstring)."""
    root, directory = target.workspace.root.resolve(), target.directory.resolve()
    options: dict[str, Any] = {}
    if root != directory:
        inherited = _ini_options(root / PYPROJECT)
        options.update({k: v for k, v in inherited.items() if k not in _NOT_INHERITED})
    if (directory / "tests").is_dir():
        options["testpaths"] = ["tests"]
    own = _ini_options(directory / PYPROJECT)
    packages = [target.package, *reversed(local_dependencies(target.workspace, target.package))]
    roots = [str(r.resolve()) for p in packages for r in package_sources(p).roots]
    extra = own.pop("pythonpath", [])
    options.update(own)
    extra = [extra] if isinstance(extra, str) else list(extra)
    options["pythonpath"] = list(dict.fromkeys([*roots, *extra]))
    return options


def write_pytest_config(target: ScriptTarget, folder: Path) -> Path:
    """Write the merged options to ``folder/<package>.toml`` for ``pytest -c``; its path."""
    import tomlkit

    from greenroom._packaging.local_deps import canonical

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{canonical(target.label)}.toml"
    document = {"tool": {"pytest": {"ini_options": pytest_options(target)}}}
    text = (
        f"# The merged pytest configuration of {target.label}, written by "
        "`greenroom package test`; edit the pyproject.toml files instead.\n"
        + tomlkit.dumps(document)
    )
    path.write_text(text, encoding="utf-8")
    return path
