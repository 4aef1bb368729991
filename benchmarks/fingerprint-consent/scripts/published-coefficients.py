"""The published coefficients of the bundled study's two models, as the study states them.

Source: the "Complete regression analysis" cells of survey_and_experiment_analysis.ipynb in
google/how-unique-is-whose-web-browser (read at commit 14aaca2d11cdfcd7a52ed7a56f83ce579af5db6d; statsmodels
logit, N = 12,461; pseudo-R² 0.05256 and 0.06006). The notebook prints, per coefficient, B (log odds) to 3
decimals, the 95% CI of the odds ratio to 3 decimals and the p-value to 3 decimals (0.000: p < 0.0005). It
prints no standard errors; the SE stated in the study is derived from the printed odds-ratio interval,
SE = (ln upper - ln lower) / (2 * z_0.975), which statsmodels builds as exp(B -/+ z_0.975 * SE). The bounds'
rounding leaves the derived SE within about ±0.0004 of the notebook's own.

Run: python3 published-coefficients.py  (prints the YAML and TypeScript entries for study.yaml and
src/definition.ts).
"""

import math

Z = 1.959963984540054

# term: (B, OR lower, OR upper, p), in the order the design lists terms.
SHARE = {
    "(Intercept)": (1.216, 2.891, 3.934, 0.000),
    "showdata": (-0.134, 0.809, 0.945, 0.001),
    "gender[Female]": (-0.089, 0.845, 0.991, 0.029),
    "gender[Other]": (0.171, 0.885, 1.590, 0.252),
    "age[18 - 24 years]": (0.43, 1.336, 1.768, 0.000),
    "age[25 - 34 years]": (0.131, 1.028, 1.266, 0.013),
    "age[45 - 54 years]": (-0.045, 0.843, 1.085, 0.486),
    "age[55 - 64 years]": (-0.129, 0.761, 1.016, 0.081),
    "age[65 or older]": (-0.238, 0.654, 0.950, 0.012),
    "income[Less than $25,000]": (0.107, 0.969, 1.279, 0.130),
    "income[$25,000 - $49,999]": (0.067, 0.949, 1.204, 0.271),
    "income[$75,000 - $99,999]": (-0.024, 0.858, 1.111, 0.718),
    "income[$100,000 - $149,999]": (0.15, 1.021, 1.321, 0.023),
    "income[$150,000 or more]": (0.163, 1.017, 1.364, 0.029),
    "income[Prefer not to say]": (-0.641, 0.404, 0.686, 0.000),
    "race[Black or African American]": (-0.027, 0.859, 1.102, 0.668),
    "race[Asian]": (0.174, 1.033, 1.372, 0.016),
    "race[American Indian/Native American or Alaska Native]": (0.02, 0.608, 1.709, 0.940),
    "race[Other or mixed]": (-0.015, 0.847, 1.147, 0.851),
    "hispanic[Yes]": (-0.002, 0.874, 1.141, 0.981),
    "s1": (0.996, 2.192, 3.346, 0.000),
    "s2": (-0.877, 0.372, 0.465, 0.000),
    "s1:s2": (-0.781, 0.365, 0.576, 0.000),
}

CONCERN = {
    "(Intercept)": (1.296, 3.143, 4.253, 0.000),
    "share": (-1.1, 0.302, 0.366, 0.000),
    "showdata": (-0.021, 0.904, 1.061, 0.611),
    "s1": (0.633, 1.732, 2.048, 0.000),
    "gender[Female]": (0.013, 0.933, 1.100, 0.758),
    "gender[Other]": (0.275, 0.983, 1.765, 0.065),
    "age[18 - 24 years]": (-0.234, 0.694, 0.904, 0.001),
    "age[25 - 34 years]": (-0.002, 0.898, 1.109, 0.967),
    "age[45 - 54 years]": (0.243, 1.114, 1.459, 0.000),
    "age[55 - 64 years]": (0.461, 1.346, 1.868, 0.000),
    "age[65 or older]": (0.523, 1.356, 2.099, 0.000),
    "income[Less than $25,000]": (0.028, 0.892, 1.187, 0.699),
    "income[$25,000 - $49,999]": (-0.038, 0.852, 1.088, 0.542),
    "income[$75,000 - $99,999]": (-0.096, 0.794, 1.038, 0.158),
    "income[$100,000 - $149,999]": (0.027, 0.900, 1.174, 0.687),
    "income[$150,000 or more]": (-0.061, 0.810, 1.093, 0.425),
    "income[Prefer not to say]": (0.17, 0.873, 1.608, 0.276),
    "race[Black or African American]": (-0.023, 0.860, 1.110, 0.721),
    "race[Asian]": (0.373, 1.256, 1.677, 0.000),
    "race[American Indian/Native American or Alaska Native]": (-0.086, 0.556, 1.516, 0.738),
    "race[Other or mixed]": (0.249, 1.094, 1.505, 0.002),
    "hispanic[Yes]": (0.053, 0.921, 1.206, 0.444),
}


def se(lower: float, upper: float) -> float:
    return round((math.log(upper) - math.log(lower)) / (2 * Z), 4)


def num(x: float) -> str:
    return repr(x) if x != int(x) else str(int(x))


for name, table in (("share", SHARE), ("concern", CONCERN)):
    print(f"# {name} (YAML)")
    for term, (b, lo, hi, p) in table.items():
        key = f'"{term}"' if any(c in term for c in ":()") else term
        print(f"        {key}: {{ estimate: {num(b)}, se: {num(se(lo, hi))}, p: {num(p)} }}")
    print(f"// {name} (TypeScript)")
    for term, (b, lo, hi, p) in table.items():
        key = term if term.isidentifier() else f'"{term}"'
        print(f"          {key}: {{ estimate: {num(b)}, se: {num(se(lo, hi))}, p: {num(p)} }},")
