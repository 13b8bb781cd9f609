"""The one palette of every chart and download: a colour for evidence for H, one against H, one for levels.

Orange and purple (ColorBrewer PuOr ends) stay distinct under the common
colour-vision deficiencies, unlike red and green.  A quantity that is neither
for nor against H (a curve, a distribution of P(H)) is blue, a hue that neither
end of PuOr uses, so it never reads as a direction.  Heat maps of P(H) or a Bayes
factor use Vega's ``purpleorange`` scheme: the same two ends, white at even odds.  The HTML report's text and
table colours are here too, so a colour is never written anywhere else.
"""

FOR_H = "#e66101"  # evidence for H (raises P(H))
AGAINST_H = "#5e3c99"  # evidence against H (lowers P(H))
LEVEL = "#4d4d4d"  # the prior and the posterior
NEUTRAL = "#bbbbbb"  # reference bars (e.g. the naive, independent reading)
ESTIMATE = "#2166ac"  # a curve or a distribution of P(H): no direction
ESTIMATE_FILL = "#92c5de"  # histogram bars of that distribution (a lighter ESTIMATE)
BACKGROUND = "#eeeeee"  # the rest of a bar (1 - P(H))
BAND = "#c6dbef"  # a credible interval behind a curve or a histogram (a pale ESTIMATE)
REFERENCE = "#878787"  # a reference line: a threshold, a target, "no evidence", a plain average

# The HTML report's style sheet.
INK = "#1a1a1a"  # body text
MUTED_INK = "#555555"  # date and version line
RULE = "#cccccc"  # table borders
HEADER_FILL = "#f3f3f3"  # table header cells

__all__ = [
    "AGAINST_H",
    "BACKGROUND",
    "BAND",
    "ESTIMATE",
    "ESTIMATE_FILL",
    "FOR_H",
    "HEADER_FILL",
    "INK",
    "LEVEL",
    "MUTED_INK",
    "NEUTRAL",
    "REFERENCE",
    "RULE",
]
