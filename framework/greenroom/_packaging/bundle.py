"""``greenroom package bundle``: a plugin and its private dependencies, ready to drop into a root.

The Python counterpart of ``backstage-cli package bundle`` (seed ``000``,
"Packaging Approaches", issue 5). The output is exactly the bundle layout the
dynamic plugin loader reads (``docs/how-to/packaging-approaches.md``): a
``pip install --target`` folder with ``greenroom-bundle.json`` and
``.config-schema.json`` at its root, or a zip of it (``--archive``). Steps:

1. refuse roles other than the four plugin roles; run the publish check;
2. wheels of the plugin and the workspace libraries it needs, transitively
   (built, from ``dist/`` with ``--no-build``, or from ``--pre-packed-dir``);
3. the private dependencies: exported from ``uv.lock`` and pruned, or
   resolved from the requirements, shared packages left out (``private_deps``);
4. installed into the bundle, made reproducible, inline libraries merged;
5. config schemas collected into ``.config-schema.json``;
6. ``greenroom-bundle.json`` with the sha256 of every file;
7. loaded by the runtime's own loader (``bundle_validate``).

Everything happens in a hidden staging folder beside the destination (the
scanner skips hidden entries), which replaces the destination only once
the bundle loads, so a live root directory never sees half a bundle.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

import attrs

from greenroom._dynamic.models import BUNDLE_MANIFEST_NAME, BundleManifest
from greenroom._errors import BundleError, PluginPackageError
from greenroom._packaging.local_deps import LocalGraph, canonical, locate_package
from greenroom._packaging.private_deps import LOCK_FILE
from greenroom._packaging.progress import Steps
from greenroom._packaging.project import Package
from greenroom._packaging.roles import MODULE_ROLES, PLUGIN_ROLES
from greenroom._packaging.tools import ToolLog, ToolRunner
from greenroom._packaging.workspace import Workspace

__all__ = ["DEFAULT_OUTPUT", "BundleOptions", "BundleResult", "bundle_package", "host_shared"]

#: Where bundles go without ``--output-destination``, relative to the package.
DEFAULT_OUTPUT: Final = "dist-bundle"
_BUNDLE_ROLES: Final = PLUGIN_ROLES | MODULE_ROLES


@attrs.frozen
class BundleOptions:
    """The options of ``greenroom package bundle``."""

    cwd: Path
    package: str | None = None
    output_destination: Path | None = None
    output_name: str | None = None
    pre_packed_dir: Path | None = None
    clean: bool = False
    build: bool = True
    install: bool = True
    verbose: bool = False
    archive: bool = False
    #: More shared packages, as ``dynamicPlugins.sharedPackages`` of the target host.
    shared_packages: tuple[str, ...] = ()


@attrs.frozen
class BundleResult:
    """The bundle written, the sha256 a deployment pins, and its manifest."""

    path: Path
    #: Of the zip; of a folder, of its ``greenroom-bundle.json`` (which hashes every file).
    sha256: str
    manifest: BundleManifest
    plugin_ids: tuple[str, ...] = ()


def bundle_package(
    options: BundleOptions,
    steps: Steps | None = None,
    *,
    located: tuple[Workspace, Package] | None = None,
    validation_cache: Path | None = None,
) -> BundleResult:
    """Bundle the plugin ``options`` names; raise :class:`BundleError` (or a metadata error).

    A batch (``bundle_batch``) reads the workspace once and passes each
    package ``located``, and a ``validation_cache`` its bundles share; neither
    changes the bundle, only what is worked out again.
    """
    steps = steps or Steps(verbose=options.verbose)
    with steps.step("checking the package metadata"):
        workspace, package = located or locate_package(options.package, options.cwd)
        _check(package)
    name = _bundle_name(options.output_name, package)
    destination = (options.output_destination or package.directory / DEFAULT_OUTPUT).resolve()
    destination.mkdir(parents=True, exist_ok=True)
    final = destination / (f"{name}.zip" if options.archive else name)
    if (final.exists() or final.is_symlink()) and not options.clean:
        raise BundleError(
            f"{final} already exists",
            package=package.label,
            step="output",
            hint="pass --clean to replace it, or choose another --output-destination",
        )
    log = ToolLog(None if options.verbose else destination / f"{name}-bundle.log")
    if log.path is not None:
        log.path.unlink(missing_ok=True)
    staging = destination / f".{name}.bundle-tmp"
    _remove(staging)
    staging.mkdir()
    try:
        runner = ToolRunner(log)
        cache = validation_cache or staging / "cache"
        job = _Job(options, workspace, package, name, staging, runner, steps, cache)
        result_path, sha256, manifest, plugin_ids = job.run()
        if options.clean:
            _remove(final)
        os.replace(result_path, final)
    except BundleError as exc:
        log.close(remove=False)
        exc.log = log.path if log.path is not None and log.path.is_file() else None
        raise
    finally:
        _remove(staging)
    log.close(remove=True)
    return BundleResult(final, sha256, manifest, tuple(plugin_ids))


@functools.cache
def host_shared(extra: tuple[str, ...]) -> Mapping[str, str | None]:
    """The distributions the host shares, with the version it has of each; once per process.

    Following greenroom's requirements and asking each one's version costs
    ~45 ms a bundle; a batch works it out once, before forking its workers
    (issue 8). ``extra``: ``--shared-package`` names.
    """
    from greenroom._dynamic.host_check import installed_version
    from greenroom._dynamic.shared import shared_distribution_names

    return {name: installed_version(name) for name in sorted(shared_distribution_names(extra))}


def _check(package: Package) -> None:
    from greenroom._packaging.check import check_package

    role = package.role
    if role is not None and role not in _BUNDLE_ROLES:
        fix = {
            "backend": "deploy a backend with `greenroom backend bundle`",
            "frontend": "a frontend app is deployed on its own, not loaded as a plugin",
            "cli": "a CLI is installed with pip, not loaded as a plugin",
        }.get(role, "a library is bundled inside the plugins that depend on it")
        raise BundleError(
            f"{package.label} has role {role!r}; only the plugin roles ("
            + ", ".join(sorted(_BUNDLE_ROLES))
            + ") can be bundled",
            package=package.label,
            step="check",
            hint=fix,
        )
    check_package(package.directory)


def _bundle_name(option: str | None, package: Package) -> str:
    name = option if option is not None else canonical(package.label)
    if not name or name.startswith(".") or any(c in name for c in "/\\\0") or name in ("..",):
        raise BundleError(
            f"--output-name {name!r} is not a file name",
            package=package.label,
            step="output",
            hint="use a plain name such as the distribution's, without '/' or a leading '.'",
        )
    return name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


@attrs.define
class _Job:
    """One bundling run, in ``staging``."""

    options: BundleOptions
    workspace: Workspace
    package: Package
    name: str
    staging: Path
    runner: ToolRunner
    steps: Steps
    #: The loader's cache directory while the bundle is validated.
    validation_cache: Path
    #: Set by the split: the ranges recorded in ``sharedRequirements``.
    shared_requirements: tuple[str, ...] = attrs.field(default=(), init=False)

    @property
    def label(self) -> str:
        return self.package.label

    def run(self) -> tuple[Path, str, BundleManifest, list[str]]:
        graph = LocalGraph.of(self.workspace, self.package)
        embedded = graph.closure([self.package], embed_only=True)
        inline = {canonical(p.label) for p in embedded if p.metadata and p.metadata.inline}
        with self.steps.step(f"getting the wheels of {', '.join(p.label for p in embedded)}"):
            wheels = self._wheels(embedded)
        host = host_shared(self.options.shared_packages)
        shared_names = set(host) | graph.not_embedded(embedded)
        shared_names -= {canonical(p.label) for p in embedded}
        shared = {n: _version_of(n, graph, host) for n in sorted(shared_names)}
        root = self.staging / "root"
        folder = root / self.name
        locked = None
        if self.options.install:
            with self.steps.step("resolving the private dependencies"):
                locked = self._locked(shared_names)
        with self.steps.step("installing into the bundle"):
            self._install(folder, [wheels[canonical(p.label)] for p in embedded], locked, shared)
            dists = self._split(folder, embedded, shared_names)
        with self.steps.step("collecting config schemas"):
            from greenroom._packaging.bundle_schema import collect_schemas, write_schemas

            schema = collect_schemas(folder, list(dists.values()), report=self.label)
        with self.steps.step("writing the bundle manifest"):
            from greenroom._packaging.bundle_layout import inline_into, normalize

            plugin_dist = dists[canonical(self.label)]
            if inline:
                inline_into(folder, plugin_dist, {n: dists[n] for n in sorted(inline)})
            normalize(folder)
            write_schemas(folder, schema)
            manifest = self._manifest(folder)
        result = folder
        if self.options.archive:
            from greenroom._packaging.bundle_layout import write_archive

            root = self.staging / "archive"
            root.mkdir()
            result = root / f"{self.name}.zip"
            write_archive(folder, result, self.name)
            sha256 = hashlib.sha256(result.read_bytes()).hexdigest()
        else:
            sha256 = hashlib.sha256((folder / BUNDLE_MANIFEST_NAME).read_bytes()).hexdigest()
        with self.steps.step("loading the bundle as the runtime does"):
            from greenroom._packaging.bundle_validate import validate_bundle

            plugin_ids = validate_bundle(
                root,
                shared_packages=self.options.shared_packages,
                cache=self.validation_cache,
                report=self.label,
            )
        for pycache in sorted(folder.rglob("__pycache__"), reverse=True):
            shutil.rmtree(pycache, ignore_errors=True)
        return result, sha256, manifest, plugin_ids

    # -- the steps -----------------------------------------------------------------

    def _wheels(self, embedded: list[Package]) -> dict[str, Path]:
        from greenroom._packaging.wheels import build_wheels, wheels_from

        if self.options.pre_packed_dir is not None:
            folder = self.options.pre_packed_dir.resolve()
            return wheels_from(
                embedded,
                {canonical(p.label): folder for p in embedded},
                report=self.label,
                fix=f"run `greenroom build-workspace {folder} {self.label}` first",
            )
        if not self.options.build:
            return wheels_from(
                embedded,
                {canonical(p.label): p.directory / "dist" for p in embedded},
                report=self.label,
                fix="build them first (uv build --wheel in each package), or drop --no-build",
            )
        return build_wheels(self.runner, embedded, self.staging / "wheels", report=self.label)

    def _locked(self, shared: Iterable[str]) -> Path | None:
        """The exported pins, from the pre-packed lock or the workspace's; ``None`` without one."""
        from greenroom._packaging.private_deps import export_locked

        pre_packed = self.options.pre_packed_dir
        if pre_packed is not None and (pre_packed / LOCK_FILE).is_file():
            project_root = self._skeleton(pre_packed / LOCK_FILE)
        elif (self.workspace.root / LOCK_FILE).is_file():
            project_root = self.workspace.root
        else:
            return None
        out = self.staging / "locked-requirements.txt"
        assert self.package.name is not None  # check_package made sure
        return export_locked(
            self.runner, project_root, self.package.name, shared, out, report=self.label
        )

    def _skeleton(self, lock: Path) -> Path:
        """The workspace's project files with ``lock`` beside them, for ``uv export``."""
        skeleton = self.staging / "skeleton"
        files = [self.workspace.root_file, *(p.pyproject for p in self.workspace.packages())]
        for file in files:
            if file.is_file():
                relative = file.relative_to(self.workspace.root)
                (skeleton / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, skeleton / relative)
        shutil.copyfile(lock, skeleton / LOCK_FILE)
        return skeleton

    def _install(
        self, folder: Path, wheels: list[Path], locked: Path | None, shared: dict[str, str | None]
    ) -> None:
        from greenroom._packaging.private_deps import install_private

        install_private(
            self.runner,
            folder,
            wheels,
            locked=locked,
            shared=shared,
            install=self.options.install,
            report=self.label,
            scratch=self.staging,
        )

    def _split(
        self, folder: Path, embedded: list[Package], shared: Iterable[str]
    ) -> dict[str, Path]:
        """Record the shared ranges; drop private packages nothing needs; the dist-infos left."""
        from greenroom._packaging.private_deps import (
            dist_infos,
            remove_distribution,
            split_requirements,
        )

        split = split_requirements(folder, [canonical(p.label) for p in embedded], shared)
        dists = dist_infos(folder)
        for name in split.unreached:
            self.runner.log.write(f"# {name} is needed by no package of the bundle: removed")
            remove_distribution(folder, dists.pop(name))
        if split.missing and self.options.install:
            raise BundleError(
                [f"nothing in the bundle provides {r!r}" for r in split.missing],
                package=self.label,
                step="install",
                hint=f"update the lock file (uv lock) or check the requirements of {self.label}",
            )
        self.shared_requirements = split.shared_requirements
        return dists

    def _manifest(self, folder: Path) -> BundleManifest:
        from greenroom._dynamic.bundle_manifest import SCHEMA_VERSION, dump_bundle_manifest
        from greenroom._dynamic.manifest import read_folder_manifest
        from greenroom._packaging.bundle_layout import file_digests

        try:
            scanned = read_folder_manifest(folder)
        except PluginPackageError as exc:
            raise BundleError(
                list(exc.problems), package=self.label, step="manifest", hint=exc.hint
            ) from exc
        assert self.package.metadata is not None  # check_package made sure
        manifest = BundleManifest(
            schema_version=SCHEMA_VERSION,
            name=scanned.name,
            version=scanned.version,
            role=scanned.role,
            plugin_id=self.package.metadata.declared_plugin_id,
            entry_points=scanned.entry_points,
            shared_requirements=self.shared_requirements,
            private_packages=tuple(sorted(scanned.private_packages, key=lambda p: p.name.lower())),
            files=file_digests(folder),
        )
        (folder / BUNDLE_MANIFEST_NAME).write_text(dump_bundle_manifest(manifest), encoding="utf-8")
        return manifest


def _version_of(name: str, graph: LocalGraph, host: Mapping[str, str | None]) -> str | None:
    """The version the host has of a shared package (a workspace member's own), or ``None``."""
    from greenroom._dynamic.host_check import installed_version

    member = graph.members.get(name)
    version = host[name] if name in host else installed_version(name)
    return version or (member.version if member is not None else None)
