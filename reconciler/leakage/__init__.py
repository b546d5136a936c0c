"""Revenue leakage: the usage in scope, each unit in the one bucket that says why it is (not) billed."""
