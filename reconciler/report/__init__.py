"""`cwbill report`: the billing preview per company and configuration, from the engine (no writes)."""
