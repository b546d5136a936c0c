"""`cwbill import`: a company file inferred from the additions ConnectWise already holds."""
