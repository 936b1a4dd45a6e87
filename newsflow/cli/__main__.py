"""`python -m newsflow.cli` runs the command line."""

from newsflow.cli import main

main()
