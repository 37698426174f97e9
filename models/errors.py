"""Domain errors raised by models/ (callers catch these, nothing broader)."""


class ModelError(Exception):
    """Base class for every error models/ raises on purpose."""


class BadImageError(ModelError, ValueError):
    """The bytes are not a decodable image we accept (corrupt, truncated, not an image)."""


class NotAnImageError(BadImageError):
    """The bytes are of no image format we read (a PDF, a text, noise), whatever the file's name says."""


class ImageTooLargeError(BadImageError):
    """The image is over the byte or pixel limit (e.g. a decompression bomb)."""


class UnknownEncoderError(ModelError, ValueError):
    """No encoder is registered under that name."""


class EncoderUnavailableError(ModelError, RuntimeError):
    """The encoder's weights or runtime cannot be loaded on this machine."""
