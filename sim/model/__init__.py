"""The simulation, and only it: :class:`CeasefireModel` and its actors (one module each)."""

from .model import CeasefireModel
from .streams import RandomStreams, replicate_seeds
from .talks import round_calendar

__all__ = ["CeasefireModel", "RandomStreams", "replicate_seeds", "round_calendar"]
