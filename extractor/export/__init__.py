"""Exporters: JSON (validated against ``schemas/``) and the long CSV."""
