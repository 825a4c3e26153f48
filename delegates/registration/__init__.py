"""Registration: the use cases (services), seats and the waitlist (seats), the edit rule (rules), reads
(selectors), the delegate's form and pages, and the admin of registrations and categories."""
