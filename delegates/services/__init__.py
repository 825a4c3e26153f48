"""Business rules of delegates: registration (seats, waitlist, approval) and the email outbox."""
