# SPDX-License-Identifier: GPL-2.0-or-later
"""The statistics of the benchmarks: medians, ratios paired by repetition
with their quartiles, and whether a ratio meets its target or lies within
the noise; Row is one measured line of the report."""
import statistics

NOISE = "noise"


def med(xs):
    return statistics.median(xs)


class Ratio(float):
    """A ratio that knows the quartiles of the per-repetition ratios it is
    the median of."""
    quartiles = None


def paired_ratio(num, den):
    """Median of the per-repetition ratios (the runs of one repetition ran
    next to each other), with their quartiles when there are 4 or more."""
    return paired_median([a / b for a, b in zip(num, den) if b])


def paired_difference(num, den):
    """As paired_ratio, for differences: the median of the per-repetition
    num - den, with their quartiles."""
    return paired_median([a - b for a, b in zip(num, den)])


def paired_median(pairs):
    if not pairs:
        return float("nan")
    r = Ratio(med(pairs))
    if len(pairs) >= 4:
        q = statistics.quantiles(pairs, n=4, method="inclusive")
        r.quartiles = (q[0], q[2])
    return r


def meets(ratio, target):
    """target: '<= 1.2' or '>= 10'. True or False; NOISE when the target lies
    between the quartiles of the per-repetition ratios, which is then as
    likely to be met as not."""
    op, value = target.split()
    value = float(value)
    quartiles = getattr(ratio, "quartiles", None)
    if quartiles and quartiles[0] <= value <= quartiles[1]:
        return NOISE
    return ratio <= value if op == "<=" else ratio >= value


class Row:
    def __init__(self, row, name, variant, values, unit, ratio=None, ratio_to="",
                 target="", met=None, note="", label=""):
        self.row, self.name, self.variant, self.unit = row, name, variant, unit
        self.values = list(values)
        self.median = med(self.values) if self.values else float("nan")
        self.lo = min(self.values) if self.values else float("nan")
        self.hi = max(self.values) if self.values else float("nan")
        self.ratio, self.ratio_to, self.target, self.met = ratio, ratio_to, target, met
        if self.target and self.ratio is not None and self.met is None:
            self.met = meets(self.ratio, self.target)
        self.note = note
        self.label = label  # short, for the chart
