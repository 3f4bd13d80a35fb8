"""BertMask: explore word choices with a masked language model."""

__version__ = "0.1.0"
APP_NAME = "BertMask"
