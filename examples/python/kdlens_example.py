#!/usr/bin/env python3
"""From a KDLens study to pandas DataFrames, and two of its numbers reproduced by hand.

Finds a study by name through the API's export endpoints, loads its `class-comparison` and
`predictions` tables into DataFrames, then recomputes from the predictions alone, with pandas
and numpy:

- SC at one temperature: how many classes' normalized accuracy (class accuracy / overall
  accuracy, per seed) differs between the non-distilled student (NDS) and the distilled student
  at T, by a two-sided Welch t-test per class, counted raw and after Holm and
  Benjamini-Hochberg; compared with the `significance` table (and every class's p-value with
  `class-comparison`);
- DPD of every arm for one sensitive attribute: per run, the one-vs-rest demographic parity
  difference averaged over classes, then its mean over seeds; compared with the `fairness`
  table's `mean`.

Exits 0 when every check agrees, 1 when one does not, 2 when the API cannot answer.
Needs requests, pandas and numpy only (Debian: python3-requests, python3-pandas).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from urllib.parse import quote

import numpy as np
import pandas as pd
import requests

# p-values agree with the API's to this absolute difference (both are double precision; the
# incomplete beta here is a different evaluation of the same function), DPD means likewise.
TOLERANCE = 1e-9


class ApiError(Exception):
    """The API refused or failed a request; the message says what to fix."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--api",
        default=os.environ.get("KDLENS_API", "http://127.0.0.1:4000"),
        help="the API's base URL (env KDLENS_API; default http://127.0.0.1:4000)",
    )
    parser.add_argument(
        "--token",
        default=os.environ.get("KDLENS_TOKEN"),
        help="an API token, e.g. from `npx kdlens token create --role viewer --name notebook` "
        "(env KDLENS_TOKEN; without one the API must allow anonymous reading)",
    )
    parser.add_argument(
        "--experiment",
        default=os.environ.get("KDLENS_EXPERIMENT", "demo"),
        help="the study's name (or id) (env KDLENS_EXPERIMENT; default demo)",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        help="the temperature whose SC is reproduced (default: the lowest with an SC count)",
    )
    parser.add_argument(
        "--attribute", help="the sensitive attribute whose DPD is reproduced (default: the first)"
    )
    return parser.parse_args()


def read_table(session: requests.Session, api: str, experiment: str, table: str) -> pd.DataFrame:
    """One export table as a DataFrame, its floats exactly as the API computed them."""
    url = f"{api.rstrip('/')}/export/{quote(experiment, safe='')}/{table}.csv"
    try:
        response = session.get(url, stream=True, timeout=60)
    except requests.RequestException as error:
        raise ApiError(f"cannot reach {api}: {error}") from error
    if response.status_code != 200:
        try:
            message = response.json()["errors"][0]["message"]
        except (ValueError, KeyError, IndexError):
            message = response.text[:200]
        raise ApiError(f"GET {url}: HTTP {response.status_code}: {message}")
    # Only an empty cell is missing: pandas would otherwise also read a group or class called
    # "NA" or "null" as missing. round_trip reads back the exact doubles the API wrote.
    return pd.read_csv(
        io.BytesIO(response.content),
        keep_default_na=False,
        na_values=[""],
        float_precision="round_trip",
    )


# --- Welch's t-test with numpy and math only ----------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes 6.4)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    """Regularized incomplete beta I_x(a, b), given x and y = 1 - x (each formed exactly)."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = a * math.log(x) + b * math.log(y) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, y) / b


def student_t_two_sided_p(t: float, df: float) -> float:
    """P(|T_df| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2) (Abramowitz & Stegun 26.7.1)."""
    if math.isnan(t) or not df > 0:
        return math.nan
    if math.isinf(t):
        return 0.0
    t2 = t * t
    return min(1.0, max(0.0, _incomplete_beta(df / 2, 0.5, df / (df + t2), t2 / (df + t2))))


def welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch (1947) p-value of samples a and b, df by Welch-Satterthwaite, with
    scipy's rules for constant samples: both constant and equal -> NaN (not tested), both
    constant and different -> 0."""
    if np.isnan(a).any() or np.isnan(b).any():
        return math.nan
    se_a, se_b = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff = a.mean() - b.mean()
    if se_a + se_b == 0:
        return math.nan if diff == 0 else 0.0
    t = diff / math.sqrt(se_a + se_b)
    df = (se_a + se_b) ** 2 / (se_a**2 / (len(a) - 1) + se_b**2 / (len(b) - 1))
    return student_t_two_sided_p(t, df)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN stays NaN and is not counted in m."""
    out = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    out[order] = np.minimum(1, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    return out


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg (1995) step-up adjusted p-values; NaN as in holm()."""
    out = np.full(len(p), np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    scaled = p[order] / (np.arange(1, m + 1) / m)
    out[order] = np.minimum(1, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


# --- The two reproductions ---------------------------------------------------------------------


def class_statistic(runs: pd.DataFrame, num_classes: int, statistic: str) -> pd.DataFrame:
    """Seeds x classes: each run's per-class accuracy, normalized by (or minus) its overall."""
    correct = runs.label == runs.pred
    per_class = (
        correct.groupby([runs.seed, runs.label]).mean().unstack().reindex(columns=range(num_classes))
    )
    overall = correct.groupby(runs.seed).mean()
    if statistic == "normalized":
        return per_class.div(overall, axis=0)
    if statistic == "difference":
        return per_class.sub(overall, axis=0)
    return per_class


def reproduce_sc(
    predictions: pd.DataFrame, num_classes: int, temperature: float, statistic: str, alpha: float
) -> tuple[dict[str, int], np.ndarray]:
    """SC at `temperature`: classes whose statistic differs between NDS and KD at T."""
    nds = predictions[predictions.role == "student"]
    kd = predictions[(predictions.role == "distilled") & (predictions.temperature == temperature)]
    a = class_statistic(nds, num_classes, statistic)
    b = class_statistic(kd, num_classes, statistic)
    p = np.array([welch_p(a[c].to_numpy(), b[c].to_numpy()) for c in range(num_classes)])
    counts = {
        "raw": int((p <= alpha).sum()),
        "holm": int((holm(p) <= alpha).sum()),
        "bh": int((benjamini_hochberg(p) <= alpha).sum()),
        "tested": int((~np.isnan(p)).sum()),
    }
    return counts, p


def demographic_parity_difference(run: pd.DataFrame, attribute: str, num_classes: int) -> float:
    """DPD of one run (fairlearn's, between groups): for each class c as the positive label,
    max_g P(pred = c | g) - min_g P(pred = c | g); the mean over classes (one-vs-rest), or
    class 1's value alone for two classes."""
    selection = pd.crosstab(run[f"attr_{attribute}"], run.pred, normalize="index").reindex(
        columns=range(num_classes), fill_value=0.0
    )
    per_class = selection.max() - selection.min()
    return float(per_class[1]) if num_classes == 2 else float(per_class.mean())


def arm_label(role: str, temperature: float) -> str:
    if role == "teacher":
        return "Teacher"
    if role == "student":
        return "NDS"
    return f"KD T={temperature:g}"


def main() -> int:
    args = parse_args()
    session = requests.Session()
    if args.token:
        session.headers["Authorization"] = f"Bearer {args.token}"
    name = args.experiment
    try:
        comparison = read_table(session, args.api, name, "class-comparison")
        predictions = read_table(session, args.api, name, "predictions")
        significance = read_table(session, args.api, name, "significance")
        fairness = read_table(session, args.api, name, "fairness")
    except ApiError as error:
        print(f"kdlens_example: {error}", file=sys.stderr)
        return 2

    pd.set_option("display.width", 160)
    print(f"class-comparison of {name}: {len(comparison)} rows")
    shown = ["arm_a", "arm_b", "correction", "class_name", "accuracy_a", "accuracy_b", "p", "significant"]
    print(comparison[shown].head())
    print(f"\npredictions of {name}: {len(predictions)} rows")
    print(predictions.head())
    if predictions.empty:
        print(f"kdlens_example: {name} has no stored predictions yet", file=sys.stderr)
        return 2
    num_classes = int(comparison.class_index.max()) + 1 if not comparison.empty else 0
    failures = 0

    # SC at one temperature, against the significance table and class-comparison's p-values.
    sc_rows = significance[(significance.comparison == "SC") & significance.raw.notna()]
    if args.temperature is not None:
        sc_rows = sc_rows[sc_rows.temperature == args.temperature]
    if sc_rows.empty:
        print("kdlens_example: no SC count to reproduce (NDS and KD need 2 seeds each)", file=sys.stderr)
        return 2
    api_sc = sc_rows.sort_values("temperature").iloc[0]
    t, statistic, alpha = float(api_sc.temperature), str(api_sc.statistic), float(api_sc.alpha)
    ours, p = reproduce_sc(predictions, num_classes, t, statistic, alpha)
    theirs = {k: int(api_sc[k]) for k in ("raw", "holm", "bh", "tested")}
    same = ours == theirs
    failures += not same
    print(
        f"\nSC at T={t:g} ({statistic}, alpha {alpha:g}): pandas {ours}, API {theirs}: "
        f"{'equal' if same else 'DIFFERENT'}"
    )

    api_p = comparison[
        (comparison.correction == "none")
        & (comparison.role_a == "student")
        & (comparison.role_b == "distilled")
        & (comparison.temperature_b == t)
    ].sort_values("class_index").p.to_numpy(dtype=float)
    worst = float(np.nanmax(np.abs(p - api_p), initial=0.0)) if len(api_p) == len(p) else math.inf
    same_p = worst <= TOLERANCE and bool((np.isnan(p) == np.isnan(api_p)).all())
    failures += not same_p
    print(
        f"p-values of {len(p)} classes, NDS vs KD T={t:g}: largest difference {worst:.3g}: "
        f"{'equal' if same_p else 'DIFFERENT'}"
    )

    # DPD of every arm for one attribute, against the fairness table's mean over seeds.
    attributes = list(dict.fromkeys(fairness.attribute))
    attribute = args.attribute or (attributes[0] if attributes else None)
    if attribute is None or attribute not in attributes:
        print(f"kdlens_example: no DPD for {attribute!r} (the study has {attributes})", file=sys.stderr)
        return 2
    api_dpd = fairness[(fairness.attribute == attribute) & (fairness.metric == "dpd")]
    if api_dpd.summary_stale.any():
        # Runs changed after the API last summarized the study: its DPD may lag the predictions.
        print("note: the API's study summary is stale (runs changed since it was computed)")
    for (role, temperature), arm in predictions.groupby(["role", "temperature"], dropna=False, sort=False):
        per_seed = arm.groupby("seed").apply(demographic_parity_difference, attribute, num_classes)
        label = arm_label(str(role), float(temperature))
        row = api_dpd[api_dpd.arm == label]
        theirs_dpd = float(row["mean"].iloc[0]) if len(row) == 1 else math.nan
        difference = abs(float(per_seed.mean()) - theirs_dpd)
        ok = len(row) == 1 and difference <= TOLERANCE and len(per_seed) == int(row.seeds.iloc[0])
        failures += not ok
        print(
            f"DPD of {label} by {attribute} over {len(per_seed)} seeds: pandas {per_seed.mean():.12f}, "
            f"API {theirs_dpd:.12f}: {'equal' if ok else 'DIFFERENT'}"
        )

    print(f"\n{'all checks agree' if failures == 0 else f'{failures} check(s) disagree'}")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
