"""Check-in at the door: the check-in tokens that badges carry (tokens)."""
