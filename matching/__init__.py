"""Matching: the pure engine (``matching.engine``), the Match model and the services
that feed the engine from the ORM and store its results.

May import ``accounts`` and ``marketplace``; never ``api``, ``web`` or ``worker``.
"""
