"""The peers of ``--peers`` that are not Python: what each needs installed and started."""
