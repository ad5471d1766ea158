"""Users, roles, organisations (schools, companies, learning locations, the region),
memberships, invitations and parental consent.

Imports only Django. Every other app asks ``accounts.selectors`` who may see what.
"""
