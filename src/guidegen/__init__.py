"""guidegen: bilingual guide site and self-assessment for smart-manufacturing schemes."""

__version__ = "0.1.0"
