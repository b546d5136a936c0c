"""cwbill validate commands (registered on the app when imported)."""
