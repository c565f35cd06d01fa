"""The release of this package (read by pyproject.toml at build time)."""

__version__ = "1.0.0"
