"""Dynamic plugins: discovery of installed and dropped-in plugins, and their loading.

Data flows scanner -> manifest -> archive (safe extraction) -> finder (one
namespaced meta-path finder) -> manager -> feature loader.
"""
