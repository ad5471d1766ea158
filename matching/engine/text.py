"""Text similarity: TF-IDF over word and character n-grams, Dutch stop words removed.

Character n-grams inside words (``char_wb``) let "CNC-draaier" meet "draaien op een
CNC-draaibank" and "lasser" meet "MIG/MAG lassen": Dutch glues words together, so
whole-word matching alone misses most of these.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from stop_words import get_stop_words

from matching.engine.config import MatchConfig

_NON_WORD = re.compile(r"[^0-9a-zà-ÿ]+")
DUTCH_STOP_WORDS = frozenset(get_stop_words("dutch"))


def text_normalise(text: str) -> str:
    """Lowercase, punctuation to spaces, Dutch stop words out."""
    words = _NON_WORD.sub(" ", text.casefold()).split()
    return " ".join(w for w in words if w not in DUTCH_STOP_WORDS)


class TextModel:
    """Two fitted vectorisers whose weighted, normalised blend gives cosine by dot product."""

    def __init__(self, config: MatchConfig) -> None:
        self.config = config
        common = {
            "preprocessor": text_normalise,
            "min_df": config.min_df,
            "max_df": config.max_df,
            "sublinear_tf": True,
            "dtype": np.float32,
        }
        self.words = TfidfVectorizer(analyzer="word", ngram_range=config.word_ngrams, **common)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, **common)
        self.fitted = False

    def fit(self, texts: Sequence[str]) -> TextModel:
        # A tiny corpus cannot meet min_df/max_df; relax them rather than fail.
        try:
            self.words.fit(texts)
            self.chars.fit(texts)
        except ValueError:
            for vectoriser in (self.words, self.chars):
                vectoriser.set_params(min_df=1, max_df=1.0)
                vectoriser.fit(texts)
        self.fitted = True
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        share = self.config.word_share
        words = normalize(self.words.transform(texts)) * np.float32(np.sqrt(share))
        chars = normalize(self.chars.transform(texts)) * np.float32(np.sqrt(1 - share))
        return sp.hstack([words, chars], format="csr", dtype=np.float32)
