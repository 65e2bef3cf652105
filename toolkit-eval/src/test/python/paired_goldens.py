"""Independent golden values for org.infllava.eval.PairedComparison (plain Python 3 standard library only).

Written from the definitions, not from the Java code:
  * exact McNemar: two-sided binomial test on the discordant pairs, p = min(1, 2 * P(X <= min(b, c))),
    X ~ Binomial(b + c, 1/2), computed with exact fractions;
  * Newcombe (1998) method 10 for paired proportions (Wilson marginals, continuity-corrected phi);
  * Connor (1987) sample size for McNemar's test, with statistics.NormalDist for the normal quantiles.

    /usr/bin/python3 toolkit-eval/src/test/python/paired_goldens.py
prints the values PairedComparisonTest asserts.
"""
from fractions import Fraction
from math import comb, sqrt, ceil
from statistics import NormalDist

Z = NormalDist().inv_cdf(0.975)


def mcnemar(b, c):
    m = b + c
    if m == 0:
        return 1.0
    tail = sum(Fraction(comb(m, i), 2 ** m) for i in range(min(b, c) + 1))
    return float(min(Fraction(1), 2 * tail))


def wilson(k, n):
    p = k / n
    centre = (2 * n * p + Z * Z) / (2 * (n + Z * Z))
    half = Z * sqrt(Z * Z + 4 * n * p * (1 - p)) / (2 * (n + Z * Z))
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(a, b, c, d):
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n)
    l2, u2 = wilson(a + c, n)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    if denom == 0:
        phi = 0.0
    else:
        x = a * d - b * c
        if x > n / 2:
            x -= n / 2
        elif x >= 0:
            x = 0
        phi = x / sqrt(denom)
    delta = sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    eps = sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return p1 - p2, max(-1.0, p1 - p2 - delta), min(1.0, p1 - p2 + eps)


def connor(delta, psi, alpha, power):
    za = NormalDist().inv_cdf(1 - alpha / 2)
    zb = NormalDist().inv_cdf(power)
    return ceil((za * sqrt(psi) + zb * sqrt(psi - delta ** 2)) ** 2 / delta ** 2 - 1e-9)


if __name__ == "__main__":
    for b, c in [(1, 5), (0, 6), (3, 3), (10, 25), (40, 12), (0, 0), (200, 150)]:
        print(f"mcnemar({b}, {c}) = {mcnemar(b, c):.15g}")
    for t in [(12, 9, 2, 21), (30, 25, 5, 60), (10, 0, 0, 10), (5, 7, 7, 1), (0, 3, 9, 8)]:
        d, lo, hi = newcombe(*t)
        print(f"newcombe{t} = diff {d:.15g} low {lo:.15g} high {hi:.15g}")
    for delta, psi in [(0.1, 0.3), (0.1, 0.4), (0.15, 0.35), (0.3, 0.4)]:
        print(f"connor({delta}, {psi}, 0.05, 0.8) = {connor(delta, psi, 0.05, 0.8)}")
