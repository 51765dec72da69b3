"""Tools for developing and measuring the service, never imported by it: demo and national-scale
data, benchmarks and the load test. Installed as an app only where DEVTOOLS is on (the default
when DEBUG is), so that a production deployment does not carry them."""
