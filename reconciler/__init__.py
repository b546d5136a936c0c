"""cwbill: managed-backup billing statistics as code, reconciled into ConnectWise Manage."""

__version__ = "0.1.0"
