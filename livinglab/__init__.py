"""livinglab: run Living Lab pilots honestly."""

__version__ = "0.1.0"
