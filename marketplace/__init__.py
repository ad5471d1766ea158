"""Skills taxonomy, places, openings, profiles, placements and KPIs.

Models, services (writes) and selectors (reads). May import ``accounts``, and the
pure ``matching.engine`` library (no Django, no models: its geometry); never
``api``, ``web``, ``worker`` or the rest of ``matching``.
"""
