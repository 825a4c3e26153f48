"""Exports of a forum's registrations for the people who prepare it: the delegate list (columns the
user chooses), catering, the rooming list, the airport transfer manifest, visa letter requests and the
roster of a session — each as CSV (UTF-8 with BOM, so Excel reads Khmer and Thai) or XLSX.

- ``tables``: what each export holds, as a ``Table`` of columns and rows read in chunks;
- ``writers``: the file formats, streamed (CSV) or written row by row to an unnamed temporary file
  (XLSX), so that 10,000 rows take flat memory and nothing is left on disk;
- ``views``: the export page under the admin, behind ``export_registrations``; contact data (email,
  phone) only for staff who may see it (``view_contact_details``).
"""
