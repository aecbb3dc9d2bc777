"""The package scripts (seed ``003``): ``greenroom package start|build|lint|typecheck|test|clean``
and ``greenroom repo test|lint``, each chosen by the package's role, with a success cache."""
