"""Knowledge of Chinese budget disclosures: pure functions on strings and Decimals."""
