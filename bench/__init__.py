"""Arkiv's benchmarks (``make bench``): each reports ratios to a baseline measured in
the same run. Not tests: nothing here is timed in ``make test``."""

from __future__ import annotations

import argparse


def with_defaults(parser: argparse.ArgumentParser, args: argparse.Namespace | None) -> argparse.Namespace:
    """``args`` with the benchmark's own defaults (from ``parser``) for anything it lacks,
    so a benchmark runs the same from ``python -m bench`` and from its own module."""
    options = parser.parse_args([])
    for key, value in vars(args or argparse.Namespace()).items():
        if key in vars(options) and value is not None:
            setattr(options, key, value)
    return options
