"""The package's version, alone in a module that imports nothing, so that every module can record it."""

__version__ = "0.1.0"
