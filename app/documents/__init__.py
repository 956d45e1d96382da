"""Documents out: reportlab PDFs and CSV exports."""
