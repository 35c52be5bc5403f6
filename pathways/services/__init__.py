"""Every write about pathways, by sub-area:

- ``authoring``: pathway templates (practice and global) and their steps;
- ``enrolments``: enrolling a client, pausing, resuming, cancelling, applying template
  changes, and per-client changes to one enrolment step;
- ``release``: the release engine (sweeper, worker, completion) and the planning every
  enrolment change ends with;
- ``from_library``: enrolling a client straight from a global pathway (through the
  practice's published copy, made on the way if there is none);
- ``steps``: the checks and values every change to a list of steps shares.

Keyword-only and atomic; bad input raises ``ValidationError`` naming the field. Template
services work on practice pathways and on global ones alike (``Pathway``/``CuratedPathway``);
access (may this person touch this object?) is decided by the selectors before they are called.
"""
