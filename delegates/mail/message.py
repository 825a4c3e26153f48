"""The email message as it goes on the wire: Django's ``EmailMultiAlternatives`` with two header fixes
that Django 5.2's legacy (compat32) MIME classes get wrong, made in ``message()``, the method Django
documents for extending what a message puts into its MIME object.

- Subject: Django encodes a non-ASCII subject itself, before it knows the header's name, into encoded
  words of 76 characters, which the generator then folds after an empty first line. RFC 2047 allows 75.
  Here the subject is handed to the generator as an ``email.header.Header`` that knows its name, and
  folded at 76 characters a line, so that every encoded word (a line less its leading space) fits in
  75 and the first one starts on the ``Subject:`` line.
- Date: Django's ``formatdate()`` writes ``-0000`` ("local time unknown") for UTC; the Date is given
  here from an aware datetime, which writes ``+0000``.
"""

from email.header import Header
from email.utils import format_datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

# Line length at which headers are folded: a folded line is a space and one encoded word, and RFC 2047
# limits an encoded word to 75 characters.
HEADER_LINE_LENGTH = 76


class OutboxEmail(EmailMultiAlternatives):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not any(name.lower() == "date" for name in self.extra_headers):
            self.extra_headers["Date"] = format_datetime(timezone.now())

    def message(self):
        msg = super().message()  # also refuses a subject with a line break (header injection)
        msg.policy = msg.policy.clone(max_line_length=HEADER_LINE_LENGTH)
        text = str(self.subject)
        # An ASCII subject stays readable text (folded at spaces); any other is encoded.
        charset = "us-ascii" if text.isascii() else (self.encoding or settings.DEFAULT_CHARSET)
        subject = Header(text, charset, header_name="Subject")
        # replace_header keeps the Header object as it is; assigning it would turn it back into text.
        msg.replace_header("Subject", subject)
        return msg
