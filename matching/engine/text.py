"""Text similarity: TF-IDF over word and character n-grams, Dutch stop words removed.

Character n-grams inside words (``char_wb``) let "CNC-draaier" meet "draaien op een
CNC-draaibank" and "lasser" meet "MIG/MAG lassen": Dutch glues words together, so
whole-word matching alone misses most of these.

Speed: texts are normalised once, and the character n-grams of each distinct word
are computed once and cached (a region's texts share a few thousand words), so the
analysers cost a dictionary lookup per word instead of slicing every word again.
Memory: n-grams are hashed and counted in chunks (see ``TextModel``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
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
    """Word and character n-gram TF-IDF, blended so that a dot product is a cosine.

    The n-grams are hashed (scikit-learn's ``HashingVectorizer``) rather than kept in
    a vocabulary: fitting then only learns document frequencies, it can run in
    chunks, and memory stays bounded at national scale. Fitting keeps the n-grams
    seen in at least ``min_df`` documents and at most a ``max_df`` share of them,
    with smoothed IDF weights and sublinear term frequency, as ``TfidfVectorizer``.
    """

    CHUNK = 20_000  # documents hashed at a time

    def __init__(self, config: MatchConfig) -> None:
        self.config = config
        common = {"alternate_sign": False, "norm": None, "dtype": np.float32}
        self.words = HashingVectorizer(
            analyzer=_WordGrams(*config.word_ngrams), n_features=2**20, **common
        )
        self.chars = HashingVectorizer(
            analyzer=_CharGrams(*config.char_ngrams), n_features=2**21, **common
        )
        self.weights: tuple[np.ndarray, np.ndarray] | None = None  # idf x kept, per part

    @property
    def fitted(self) -> bool:
        return self.weights is not None

    def _counts(self, normalised: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        words = self.words.transform(normalised).tocsr()
        chars = self.chars.transform(normalised).tocsr()
        for part in (words, chars):
            np.log(part.data, out=part.data)
            part.data += 1.0  # sublinear tf: 1 + log(count)
        return words, chars

    def _weigh(self, words: sp.csr_matrix, chars: sp.csr_matrix) -> sp.csr_matrix:
        share = self.config.word_share
        blended = []
        for part, weights, factor in ((words, self.weights[0], share),
                                      (chars, self.weights[1], 1 - share)):  # fmt: skip
            part.data *= weights[part.indices]
            part.eliminate_zeros()
            part = normalize(part, copy=False)
            part.data *= np.float32(np.sqrt(factor))
            blended.append(part)
        return sp.hstack(blended, format="csr", dtype=np.float32)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        chunks = []
        df_words = np.zeros(self.words.n_features, dtype=np.int64)
        df_chars = np.zeros(self.chars.n_features, dtype=np.int64)
        for start in range(0, len(texts), self.CHUNK):
            normalised = [text_normalise(t) for t in texts[start : start + self.CHUNK]]
            words, chars = self._counts(normalised)
            df_words += np.bincount(words.indices, minlength=self.words.n_features)
            df_chars += np.bincount(chars.indices, minlength=self.chars.n_features)
            chunks.append((words, chars))
        n = len(texts)
        min_df, max_df = self.config.min_df, self.config.max_df * n
        if not ((df_words >= min_df) & (df_words <= max_df)).any():
            min_df, max_df = 1, n  # a tiny corpus cannot meet the pruning; keep everything
        self.weights = tuple(
            np.where((df >= min_df) & (df <= max_df),
                     np.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0).astype(np.float32)
            for df in (df_words, df_chars)
        )  # fmt: skip
        weighed = [self._weigh(words, chars) for words, chars in chunks]
        chunks.clear()
        return sp.vstack(weighed, format="csr") if len(weighed) > 1 else weighed[0]

    def fit(self, texts: Sequence[str]) -> TextModel:
        self.fit_transform(texts)
        return self

    def state(self) -> dict[str, list]:
        """The fitted weights as plain lists (JSON-safe): kept columns and their IDF."""
        if self.weights is None:
            raise ValueError("fit the text model first")
        return {
            name: [np.flatnonzero(w).tolist(), w[w > 0].tolist()]
            for name, w in zip(("words", "chars"), self.weights, strict=True)
        }

    def load(self, state: dict[str, list]) -> TextModel:
        """Use weights fitted elsewhere (another worker process): no refit."""
        weights = []
        for name, vectoriser in (("words", self.words), ("chars", self.chars)):
            columns, values = state[name]
            w = np.zeros(vectoriser.n_features, dtype=np.float32)
            w[np.asarray(columns, dtype=np.int64)] = values
            weights.append(w)
        self.weights = (weights[0], weights[1])
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self.weights is None:
            raise ValueError("fit the text model first")
        return self._weigh(*self._counts([text_normalise(t) for t in texts]))
