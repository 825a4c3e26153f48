"""Staff: which forums a staff member works on, in the admin (the roles themselves are groups, defined
in ``delegates.permissions``)."""
