"""The linear probe: freeze the features, fit a logistic regression on a few labels."""

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from .data import label_subset


@torch.no_grad()
def features(encoder, images: torch.Tensor) -> np.ndarray:
    """Frozen features of ``images`` (the encoder in eval mode, no gradients)."""
    encoder.eval()
    return encoder(images).numpy()


def linear_probe(train_x, train_y, test_x, test_y, fractions, repeats, seed) -> dict[float, tuple[float, float]]:
    """Test accuracy (mean, std over ``repeats`` label draws) for every label fraction.

    The features are standardized with statistics of the whole unlabeled training set
    (using unlabeled data is fair game). Every representation gets the same label draws
    for the same seed, so the comparison between rows of the table is paired.
    """
    # Single-threaded BLAS: these fits are tiny, and on a busy machine BLAS threads that
    # wait for each other make them up to 50x slower.
    with threadpool_limits(limits=1, user_api="blas"):
        return _probe(train_x, train_y, test_x, test_y, fractions, repeats, seed)


def _probe(train_x, train_y, test_x, test_y, fractions, repeats, seed):
    scaler = StandardScaler().fit(train_x)
    train_x, test_x = scaler.transform(train_x), scaler.transform(test_x)
    result = {}
    for i, fraction in enumerate(fractions):
        rng = np.random.default_rng([seed, i])
        scores = []
        for _ in range(repeats if fraction < 1 else 1):
            idx = label_subset(train_y, fraction, rng)
            clf = LogisticRegression(max_iter=2000).fit(train_x[idx], train_y[idx])
            scores.append(clf.score(test_x, test_y))
        result[fraction] = (float(np.mean(scores)), float(np.std(scores)))
    return result
