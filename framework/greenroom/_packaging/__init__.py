"""Package metadata and workspace tooling: ``[tool.greenroom]``, ``repo fix``, ``new``.

Data flows roles -> naming -> metadata (``[tool.greenroom]``) -> project (one
``pyproject.toml``) -> workspace (the members) -> check (rules per package)
-> fix (generated fields, written with tomlkit) -> scaffold (``greenroom new``).
Nothing here is imported by ``import greenroom`` or ``greenroom --help``.
"""
