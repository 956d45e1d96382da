"""Qt item models over lists of frozen dataclasses."""
