"""The REST interface (Django REST framework, OpenAPI via drf-spectacular).

Thin views over the services and selectors of the domain apps: may import
``accounts``, ``audit``, ``marketplace``, ``matching``, ``learning``, ``notifications``,
``insights`` and ``privacy``. Nothing imports this package.
"""
