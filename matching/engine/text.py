"""Text similarity: TF-IDF over word and character n-grams, Dutch stop words removed.

Character n-grams inside words (``char_wb``) let "CNC-draaier" meet "draaien op een
CNC-draaibank" and "lasser" meet "MIG/MAG lassen": Dutch glues words together, so
whole-word matching alone misses most of these.

Speed: texts are normalised once, and the character n-grams of each distinct word
are computed once and cached (a region's texts share a few thousand words), so the
analysers cost a dictionary lookup per word instead of slicing every word again.
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


class _CharGrams:
    """scikit-learn's ``char_wb`` n-grams of normalised text, cached per word."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high
        self.cache: dict[str, tuple[str, ...]] = {}

    def _word(self, word: str) -> tuple[str, ...]:
        # The same n-grams, in the same order, as sklearn's _char_wb_ngrams.
        padded = f" {word} "
        size = len(padded)
        grams = []
        for n in range(self.low, self.high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < size:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # a word shorter than n counts once
                break
        return tuple(grams)

    def __call__(self, text: str) -> list[str]:
        cache, grams = self.cache, []
        for word in text.split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = self._word(word)
            grams.extend(found)
        return grams


class _WordGrams:
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __call__(self, text: str) -> list[str]:
        words = text.split()
        if self.high == 1:
            return words
        return [" ".join(words[i : i + n]) for n in range(self.low, self.high + 1)
                for i in range(len(words) - n + 1)]  # fmt: skip


class TextModel:
    """Two fitted vectorisers whose weighted, normalised blend gives cosine by dot product."""

    def __init__(self, config: MatchConfig) -> None:
        self.config = config
        common = {"min_df": config.min_df, "max_df": config.max_df, "sublinear_tf": True,
                  "dtype": np.float32}  # fmt: skip
        self.words = TfidfVectorizer(analyzer=_WordGrams(*config.word_ngrams), **common)
        self.chars = TfidfVectorizer(analyzer=_CharGrams(*config.char_ngrams), **common)
        self.fitted = False

    def _blend(self, words: sp.spmatrix, chars: sp.spmatrix) -> sp.csr_matrix:
        share = self.config.word_share
        words = normalize(words) * np.float32(np.sqrt(share))
        chars = normalize(chars) * np.float32(np.sqrt(1 - share))
        return sp.hstack([words, chars], format="csr", dtype=np.float32)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        normalised = [text_normalise(t) for t in texts]
        try:
            words = self.words.fit_transform(normalised)
            chars = self.chars.fit_transform(normalised)
        except ValueError:
            # A tiny corpus cannot meet min_df/max_df; relax them rather than fail.
            for vectoriser in (self.words, self.chars):
                vectoriser.set_params(min_df=1, max_df=1.0)
            words = self.words.fit_transform(normalised)
            chars = self.chars.fit_transform(normalised)
        self.fitted = True
        return self._blend(words, chars)

    def fit(self, texts: Sequence[str]) -> TextModel:
        self.fit_transform(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        normalised = [text_normalise(t) for t in texts]
        return self._blend(self.words.transform(normalised), self.chars.transform(normalised))
