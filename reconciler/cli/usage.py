"""cwbill usage commands (registered on the app when imported)."""
