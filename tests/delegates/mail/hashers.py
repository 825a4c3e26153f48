"""A password hasher that counts the hashes it makes (MD5, as in the rest of the suite): a test reads
``CountingHasher.made`` to prove how many passwords a request hashed."""

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    made = 0

    def encode(self, password, salt):
        type(self).made += 1
        return super().encode(password, salt)
