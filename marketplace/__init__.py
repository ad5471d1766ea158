"""Skills taxonomy, places, openings, profiles and placements.

Models, services (writes) and selectors (reads). May import ``accounts``,
``audit`` and the pure ``matching.engine`` library (no Django, no models: its
geometry and word folding); never ``api``, ``web``, ``worker`` or the rest of
``matching``.
"""
