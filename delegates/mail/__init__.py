"""Email to delegates and accounts: the outbox (its only writer), the messages' rendering, allauth's
adapter and the outbox's admin."""
