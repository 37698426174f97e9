"""Image and text encoders behind one small interface, chosen by name (see registry.py)."""
