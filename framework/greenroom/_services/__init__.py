"""Default implementations of the core services, one per module.

Each module exposes ``service_factory``, found lazily through the default
factory of the matching ref in ``core_services``.
"""
