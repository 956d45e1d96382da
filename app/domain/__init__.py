"""Plain data and rules of shipping: no Qt, no SQLAlchemy, no easypost, no usb."""
