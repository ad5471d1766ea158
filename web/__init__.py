"""The HTML interface: Django templates plus htmx, for every role.

Thin views over the services and selectors of accounts/marketplace/matching.
Nothing imports this package.
"""
