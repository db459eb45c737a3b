"""Independent plain-Python reference implementations used to check the warehouse."""
