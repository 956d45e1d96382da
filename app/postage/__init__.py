"""EasyPost postage: the only package that imports easypost."""
