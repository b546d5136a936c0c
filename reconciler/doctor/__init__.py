"""`cwbill doctor`: read-only checks that a ConnectWise and a Management Console meet cwbill's
assumptions before the first apply (docs/getting-started.md, docs/migrating.md)."""
