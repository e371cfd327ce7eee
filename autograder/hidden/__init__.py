"""Hidden properties, one module per question id: they compare with the reference
solutions and never leave the autograder."""
