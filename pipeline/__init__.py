"""Turn crawled Chinese news into clean text and traceable structured facts.

Importing the package does no work: models, rules and dictionaries load when a
stage is built.
"""

__version__ = "0.1.0"

from pipeline.core.document import Document, Edit, Fact, Layer  # noqa: E402

__all__ = ["Document", "Edit", "Fact", "Layer", "__version__", "load_run"]


def __getattr__(name: str):
    # `load_run` needs pandas; importing it on first use keeps `import pipeline` cheap.
    if name == "load_run":
        from pipeline.inspect.load import load_run

        return load_run
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
