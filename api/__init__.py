"""The REST interface (Django REST framework, OpenAPI via drf-spectacular).

Thin views over the services and selectors of accounts/marketplace/matching.
Nothing imports this package.
"""
