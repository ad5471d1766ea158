"""The HTML interface: Django templates plus htmx, for every role.

Thin views over the services and selectors of the domain apps: may import
``accounts``, ``audit``, ``marketplace``, ``matching``, ``learning``, ``notifications``,
``insights`` and ``privacy``. Nothing imports this package.
"""
