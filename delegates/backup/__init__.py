"""Backups of the database and the media files, and their restore (``manage.py backup`` / ``restore``)."""
