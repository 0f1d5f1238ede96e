"""clearlabel: find undisclosed sponsorships in influencer posts."""

__version__ = "0.1.0"
