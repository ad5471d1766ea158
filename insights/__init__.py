"""The region's figures: KPIs per period and breakdown, the skills gap, the year's
baseline and quarterly snapshots, which pages, exports and the API all read.

Reads the domain and writes only its snapshots. May import ``accounts``,
``audit``, ``marketplace``, ``matching`` and ``learning``; never ``api``, ``web`` or ``worker``.
"""
