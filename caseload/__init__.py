"""A therapist's caseload and each client's page: the pages that gather a client's record,
homework and figures from every domain app, so they sit above all of them."""
