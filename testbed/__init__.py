"""Test beds: real platforms run on this machine for the live test tier (see `testbed.saleor`)."""
