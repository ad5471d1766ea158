"""An email backend for tests that plays a mail server refusing some addresses.

No SMTP server runs on these machines to refuse a recipient for real; this
subclass of Django's in-memory backend raises what ``smtplib`` would raise.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    """Refuses every message to an address that starts with ``refused``."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            refused = [to for to in message.to if to.startswith("refused")]
            if refused:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(refused, (550, b"No such user")))
        return super().send_messages(messages)
