"""Satisfaction surveys after a recovery, and the advocates they find."""
