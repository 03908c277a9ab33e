"""The `helpline` command line."""
