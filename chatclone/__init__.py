"""chatclone: turn the way one person talks into a fine-tuned LLM double of them."""

__version__ = "0.1.0"
