"""Skills taxonomy, places, openings, profiles, placements and KPIs.

Models, services (writes) and selectors (reads). May import ``accounts``; never
``api``, ``web`` or ``worker``.
"""
