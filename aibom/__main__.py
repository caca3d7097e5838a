"""``python -m aibom``: the same as the ``aibom`` command."""

from aibom._entry import main

if __name__ == "__main__":
    main()
