"""Attack: importing the module never finishes.

Stopped by: the import deadline (Limits.load_seconds); the question is then
marked broken and fails fast, without another import attempt.
Honest score: 0.
"""

while True:
    pass


def rotate_batch(images):
    raise NotImplementedError
