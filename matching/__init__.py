"""Matching: the pure engine (``matching.engine``), the Match model and the services
that feed the engine from the ORM and store its results; the review workflow and
students' reports of wrong suggestions.

May import ``accounts``, ``audit`` and ``marketplace``; never ``notifications``,
``insights``, ``privacy``, ``api``, ``web`` or ``worker``. The engine imports
nothing of the project and no Django.
"""
