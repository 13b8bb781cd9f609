"""The one palette of every chart and download: a colour for evidence for H, one against H, one for levels.

Orange and purple (ColorBrewer PuOr ends) stay distinct under the common
colour-vision deficiencies, unlike red and green.
"""

FOR_H = "#e66101"  # evidence for H (raises P(H))
AGAINST_H = "#5e3c99"  # evidence against H (lowers P(H))
LEVEL = "#4d4d4d"  # the prior and the posterior
NEUTRAL = "#bbbbbb"  # reference bars (e.g. the naive, independent reading)

__all__ = ["AGAINST_H", "FOR_H", "LEVEL", "NEUTRAL"]
