"""The audit log: one append-only model (``AuditEntry``), its writer and its admin.

Who changed a suggestion's state, and who looked at whose personal data. It sits
below every domain app, so each can write to it without a cycle.

May import ``accounts``; every other app may import it. Never ``api``, ``web`` or
``worker``.
"""
