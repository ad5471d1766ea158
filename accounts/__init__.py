"""Users, roles, organisations (schools, companies, learning locations, the region),
memberships, invitations, parental consent, sign-up, API tokens and the second
factor; bulk imports' jobs, and handing work to the worker (``background``).

Imports none of the project's packages, only Django, Celery and libraries. Every
other app asks ``accounts.selectors`` who may see what.
"""
