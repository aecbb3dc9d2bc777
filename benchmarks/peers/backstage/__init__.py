"""The Backstage peer: a minimal backend with the dynamic feature service (``--peers``).

``install`` puts ``@backstage/backend-defaults`` and
``@backstage/backend-dynamic-feature-service`` (pinned in ``package.json``)
into a cache folder once; ``server`` generates the dynamic plugins from
``plugin.js`` and starts ``index.js`` to readiness. The scenario is
``benchmarks/scenarios/backstage.py``.
"""
