"""cwbill benchmark: plan and apply at MSP scale against the sandbox (`make bench`)."""
