"""A small workspace of real packages to bundle: a plugin, a common library, an inline library.

``acme-plugin-notes-backend`` (backend-plugin ``notes``) serves
``GET /api/notes/note/{title}``: the slug of the title (python-slugify, a private
third-party dependency, through ``acme-plugin-notes-common``) and a greeting
from ``acme-notes-text`` (an ``inline`` library, copied into the bundle as the
plugin's own code). Each package has a real ``pyproject.toml`` built by hatchling.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

__all__ = ["NOTES_PLUGIN", "write_notes_workspace", "write_single_plugin"]

NOTES_PLUGIN = "acme-plugin-notes-backend"

_HATCH = """
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"
"""

_FILES = {
    "pyproject.toml": """
        [tool.uv.workspace]
        members = ["plugins/*"]

        [tool.uv]
        # The host provides these (shared): the lock does not resolve them.
        exclude-dependencies = ["greenroom", "starlette"]

        [tool.greenroom.workspace]
        prefix = "acme"
        """,
    "plugins/notes-backend/pyproject.toml": _HATCH
    + """
        [project]
        name = "acme-plugin-notes-backend"
        version = "1.2.0"
        requires-python = ">=3.11"
        dependencies = [
            "greenroom>=0.1.0.dev0",
            "starlette>=0.40",
            "acme-plugin-notes-common>=1.0",
            "acme-notes-text",
        ]

        [project.entry-points."greenroom.backend_plugin"]
        notes = "acme_notes_backend:NotesPlugin"

        [tool.uv.sources]
        acme-plugin-notes-common = { workspace = true }
        acme-notes-text = { workspace = true }

        [tool.greenroom]
        role = "backend-plugin"
        plugin-id = "notes"
        plugin-packages = ["acme-plugin-notes-backend", "acme-plugin-notes-common"]

        [tool.hatch.build.targets.wheel]
        packages = ["acme_notes_backend"]
        """,
    "plugins/notes-backend/acme_notes_backend/__init__.py": """
        from greenroom import BackendPlugin, core_services, hookimpl
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        from acme_notes_common import note_id
        from acme_notes_text import greeting


        class NotesPlugin(BackendPlugin):
            plugin_id = "notes"

            @hookimpl
            def register(self, env):
                env.register_init(self.init, deps={"router": core_services.http_router})

            def init(self, router):
                async def note(request):
                    title = request.path_params["title"]
                    return JSONResponse({"id": note_id(title), "greeting": greeting(title)})

                router.use([Route("/note/{title}", note)])
        """,
    "plugins/notes-common/pyproject.toml": _HATCH
    + """
        [project]
        name = "acme-plugin-notes-common"
        version = "1.0.3"
        requires-python = ">=3.11"
        dependencies = ["python-slugify>=8"]

        [project.entry-points."greenroom.config_schema"]
        "schema.json" = "acme_notes_common"

        [tool.greenroom]
        role = "common-library"
        plugin-id = "notes"
        plugin-packages = ["acme-plugin-notes-backend", "acme-plugin-notes-common"]

        [tool.hatch.build.targets.wheel]
        packages = ["acme_notes_common"]
        """,
    "plugins/notes-common/acme_notes_common/__init__.py": """
        from slugify import slugify


        def note_id(title):
            return slugify(title)
        """,
    "plugins/notes-common/acme_notes_common/schema.json": """
        {"type": "object", "properties": {"notes": {"type": "object"}}}
        """,
    "plugins/notes-text/pyproject.toml": _HATCH
    + """
        [project]
        name = "acme-notes-text"
        version = "0.1.0"
        requires-python = ">=3.11"
        classifiers = ["Private :: Do Not Upload"]
        dependencies = ["text-unidecode>=1.3"]

        [tool.greenroom]
        role = "node-library"
        plugin-id = false
        inline = true

        [tool.hatch.build.targets.wheel]
        packages = ["acme_notes_text"]
        """,
    "plugins/notes-text/acme_notes_text/__init__.py": """
        from text_unidecode import unidecode


        def greeting(title):
            return "hello, " + unidecode(title)
        """,
}


def write_notes_workspace(root: Path) -> Path:
    """Write the workspace under ``root``; return ``root``."""
    for name, text in _FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def write_single_plugin(
    folder: Path,
    *,
    name: str = "acme-plugin-hello-backend",
    plugin_id: str | None = "hello",
    role: str = "backend-plugin",
    dependencies: tuple[str, ...] = ("greenroom>=0.1.0.dev0",),
    module_code: str = "",
) -> Path:
    """A package outside any workspace (a workspace of one); its module ``acme_hello``.

    ``module_code`` runs at import; the plugin answers ``GET /api/<id>/hello``.
    """
    metadata = f'role = "{role}"\n'
    if plugin_id is not None:
        metadata += f'plugin-id = "{plugin_id}"\nplugin-packages = ["{name}"]\n'
    group = "greenroom.backend_plugin"
    entry_points = (
        f'[project.entry-points."{group}"]\n{plugin_id or "hello"} = "acme_hello:HelloPlugin"\n'
        if role == "backend-plugin"
        else ""
    )
    deps = "".join(f'    "{d}",\n' for d in dependencies)
    pyproject = (
        textwrap.dedent(_HATCH).lstrip()
        + f'\n[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        + f"dependencies = [\n{deps}]\n\n{entry_points}\n[tool.greenroom]\n{metadata}\n"
        + '[tool.hatch.build.targets.wheel]\npackages = ["acme_hello"]\n'
    )
    code = f'''
        from greenroom import BackendPlugin, core_services, hookimpl
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        {module_code}


        class HelloPlugin(BackendPlugin):
            plugin_id = "{plugin_id or "hello"}"

            @hookimpl
            def register(self, env):
                env.register_init(self.init, deps={{"router": core_services.http_router}})

            def init(self, router):
                async def hello(request):
                    return JSONResponse({{"hello": "world"}})

                router.use([Route("/hello", hello)])
        '''
    (folder / "acme_hello").mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (folder / "acme_hello" / "__init__.py").write_text(
        textwrap.dedent(code).lstrip(), encoding="utf-8"
    )
    return folder
