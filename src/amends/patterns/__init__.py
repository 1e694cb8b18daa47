"""Patterns across cases: repeats, systemic clusters, corrective actions, themes."""
