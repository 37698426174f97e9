"""Domain errors raised by indexing/ (the bot and CLIs catch these, nothing broader)."""
from models.errors import BadImageError, ImageTooLargeError, NotAnImageError  # re-exported: one place to import from


class IndexingError(Exception):
    """Base class for errors indexing/ raises on purpose."""


class StorageUnavailableError(IndexingError, ConnectionError):
    """Redis cannot be reached or started."""


class EmptyQueryError(IndexingError, ValueError):
    """A text query with nothing to search for."""


class UnknownPostError(IndexingError, KeyError):
    """No stored post has that id."""


class InvalidScopeError(IndexingError, ValueError):
    """A scope that is neither 'public' nor 'chat:<id>'."""


__all__ = ["BadImageError", "ImageTooLargeError", "NotAnImageError", "IndexingError", "StorageUnavailableError",
           "EmptyQueryError", "UnknownPostError", "InvalidScopeError"]
