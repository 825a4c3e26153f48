"""Delegates, registrations, badges and check-in. Filled by the registration capability."""
