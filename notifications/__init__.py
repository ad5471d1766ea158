"""E-mails about suggestions and applications, daily digests, and the signed
unsubscribe links; later the in-app notifications and webhooks.

May import ``accounts``, ``audit``, ``marketplace``, ``matching`` and
``learning``; never
``api``, ``web`` or ``worker``. Domain apps ask for an e-mail by queueing a task,
not by importing this package.
"""
