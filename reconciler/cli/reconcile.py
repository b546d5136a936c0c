"""cwbill reconcile commands (registered on the app when imported)."""
