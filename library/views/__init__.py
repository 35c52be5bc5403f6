"""Library pages: ``practice`` (staff browsing and their library), ``builder`` (the form
builder for both libraries), ``curate`` (the curator area), ``transfer`` (import, export,
media)."""
