"""Lifelong learning at the region's learning locations: courses with the skills
they teach, sign-ups and completion (which add the skills to the person's
profile), and course suggestions ranked from the skill gaps in people's stored
match explanations.

May import ``accounts``, ``audit``, ``marketplace`` and ``matching`` (the
building blocks of ``matching.engine`` rank the courses); ``notifications``,
``insights`` and ``privacy`` may import it. Never ``api``, ``web`` or ``worker``.
"""
