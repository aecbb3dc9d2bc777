"""``python -m greenroom``: the ``greenroom`` command, for IDE run configurations and debuggers."""

from greenroom.cli import main

if __name__ == "__main__":
    main()
