"""Pathway pages, by sub-area:

- ``authoring``: the practice's and the curators' pathway lists and the builder, shared by
  practice and global pathways (the URLconf passes ``area``: ``STAFF`` or ``CURATE``, which
  decides who may open the page and how the pathway is found);
- ``enrolments``: a practice pathway's enrolments and one client's enrolment (staff);
- ``library``: the global pathway library, for practices;
- ``portal``: the client's journey in the portal.
"""
