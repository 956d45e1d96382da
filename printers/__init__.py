"""Raw printing of 4x6 labels to DYMO LabelWriter and Zebra printers (no Qt, no app)."""
