"""The run: load → usage → read ConnectWise → compute desired → diff → plan; and apply.

This package is the edge that wires the pure core to files and HTTP; the CLI calls it.
"""
