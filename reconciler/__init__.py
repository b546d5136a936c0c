"""cwbill: managed-backup billing statistics as code, reconciled into ConnectWise Manage."""

__version__ = "0.1.0"
# The version of the JSON Schemas (`reconciler/schemas/`): bumped whenever a schema changes what it
# accepts; `cwbill --version` shows it, and the stamp of a vendored copy records it (config/vendor.py).
SCHEMA_VERSION = 1
