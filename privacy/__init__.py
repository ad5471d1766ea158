"""A person's rights over their data: the export, erasure, and the retention that
warns and erases inactive accounts (the beat task's service).

It reaches into every domain app, and no domain app imports it. May import
``accounts``, ``audit``, ``marketplace``, ``matching``, ``learning``,
``notifications`` and
``insights``; never ``api``, ``web`` or ``worker``.
"""
