"""Rows of the bench harness contract: every part writes bench/out/<part>.json as a list of
rows {group, name, language, unit, median, p25, p75, samples, baseline, ratio, goal, met, note}.

Ratios are computed here, from medians measured in the same run, so a noisy machine shifts
both sides of a comparison together instead of deciding it."""

import json
import os
import statistics
import sys

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def quartiles(values):
    """(p25, median, p75) of a list of numbers."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0], ordered[0], ordered[0]
    p25, median, p75 = statistics.quantiles(ordered, n=4, method="inclusive")
    return p25, median, p75


def row(group, name, language, unit, values, baseline=None, goal=None, note=None):
    """A row from raw per-operation measurements; ratio and met are filled by `compare`."""
    p25, median, p75 = quartiles(values)
    return {
        "group": group, "name": name, "language": language, "unit": unit,
        "median": median, "p25": p25, "p75": p75, "samples": len(values),
        "baseline": baseline, "ratio": None, "goal": goal, "met": None, "note": note,
    }


def goal_met(ratio, goal):
    """Whether `ratio` meets a goal written as "<= 1.0x" or ">= 3x" (or, for a row without a
    baseline, whether its median meets an absolute one such as ">= 10000 /s" or "<= 5 ms")."""
    operator, _, bound = goal.partition(" ")
    # The number, before any unit ("5 ms") or ratio sign ("3x").
    bound = float(bound.split()[0].rstrip("x×"))
    if operator == "<=":
        return ratio <= bound
    if operator == ">=":
        return ratio >= bound
    raise ValueError(f"goal {goal!r}: expected '<= N x' or '>= N x'")


def compare(rows):
    """Fills ratio (median / the baseline row's median, same group) and met; a row without a
    baseline but with a goal is held to it absolutely."""
    medians = {(r["group"], r["name"]): r["median"] for r in rows}
    for r in rows:
        if r["baseline"] is None:
            # An absolute goal (">= 10000 /s", "<= 5 ms": in the row's unit) is met by the
            # median; a part that decided `met` itself (sizes, rows with errors) keeps it.
            if r["goal"] is not None and r["met"] is None:
                r["met"] = goal_met(r["median"], r["goal"])
            continue
        base = medians.get((r["group"], r["baseline"]))
        if not base:
            sys.exit(f"bench: row {r['group']}/{r['name']} names a missing baseline {r['baseline']!r}")
        r["ratio"] = r["median"] / base
        if r["goal"] is not None:
            r["met"] = goal_met(r["ratio"], r["goal"])
    return rows


def write_part(part, rows):
    """Writes bench/out/<part>.json."""
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, f"{part}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(compare(rows), f, indent=2)
    print(f"bench: wrote {path} ({len(rows)} rows)", file=sys.stderr)
