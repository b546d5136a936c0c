"""cwbill sandbox commands (registered on the app when imported)."""
