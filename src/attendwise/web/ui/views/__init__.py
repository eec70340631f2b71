"""The pages of the staff web application, one module per subject."""
