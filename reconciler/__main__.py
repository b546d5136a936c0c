"""`python -m reconciler` runs the cwbill command line."""

from reconciler.cli import main

if __name__ == "__main__":
    main()
