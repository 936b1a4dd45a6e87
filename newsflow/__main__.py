"""`python -m newsflow` runs the command line, as the `newsflow` command does."""

from newsflow.cli import main

if __name__ == "__main__":
    main()
