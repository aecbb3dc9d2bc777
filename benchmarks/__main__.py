"""``python -m benchmarks``: run the suite and print its table."""

from benchmarks.run import main

raise SystemExit(main())
