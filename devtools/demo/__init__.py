"""Fictional demo data, one module per app, made through the apps' services where the records are
few and in bulk where they are many."""
