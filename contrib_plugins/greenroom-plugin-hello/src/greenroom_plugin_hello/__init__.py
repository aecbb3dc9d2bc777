"""The hello frontend plugin for Greenroom.

The backend never imports this package: it serves the files in ``dist/``.
"""
