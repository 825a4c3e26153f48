"""Badge print jobs: starting and restarting them (services), running them in the worker (runner,
rendering), the print order (ordering), reads (selectors), the admin and the staff views."""
