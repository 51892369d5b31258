"""``python -m arkiv``: the same command line as the ``arkiv`` script."""

from arkiv.cli import main

main()
