"""Email to delegates and accounts: the outbox (its only writer), the messages' rendering (HTML and
text, links from SITE_URL), the message as it goes on the wire (headers), allauth's adapter and the
outbox's admin."""
