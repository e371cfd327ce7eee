"""Public properties, one module per question id (shipped to students)."""
