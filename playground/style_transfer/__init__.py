"""Style transfer (placeholder while the package is built)."""
