"""Russian names: Natasha's Slovnet NER over Navec news embeddings, in the nominative.

The models ship inside the natasha wheel; nothing is downloaded. Slovnet's own inference is
replaced by an equivalent one that is about twice as fast on one core:

* the text is tokenised once with razdel (Natasha's ``Doc`` does it for its sentences and
  again in the NER) and cut at whitespace into pieces of about ``_PIECE_CHARS`` characters,
  so memory stays bounded for any length;
* a piece runs through the CNN as one sequence, as Natasha runs a whole text, with the
  weights laid out (tokens × channels) so a layer is three contiguous matrix products;
* the CRF's Viterbi pass, a Python loop over tokens, runs over the piece's sentences as one
  batch, so it loops over the longest sentence rather than over every token.

Names decline in Russian, so each mention also gets its dictionary form. Natasha's way (its
morphology tagger over the whole text, then ``DocSpan.normalize``) costs more than the NER
itself and inflects every word of an organisation's name unless its syntax parser runs too.
Here pymorphy2 (a natasha dependency) reads the words: a person's names agree in gender,
number and case; an organisation or place is inflected up to its head noun, the adjectives
before it agreeing with it, the words after it kept (``Министерства иностранных дел`` →
``Министерство иностранных дел``); words its dictionary lacks (``Шольца``, ``Тусоне``) are
read from their endings. Only when the readings leave the nominative in doubt (``Маэхара``:
a genitive, or a nominative?) does Slovnet's morphology tagger read the case in context, on
the head word and its three neighbours either side, which is all its CNN sees. When no
reading fits all the words the name is kept as written.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from newsflow.enrichment.ner import Mention

__all__ = ["russian_mentions", "warm_up"]

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.intp]
_Hint = tuple[str | None, str | None]  # the case and gender the morphology tagger reads

# A text is cut into pieces of about this many characters at whitespace (razdel never joins
# tokens across it): the CNN sees a whole piece, so a typical article is one sequence as in
# Natasha, and the arrays of one piece (some 20 MB) are all a text of any length needs.
_PIECE_CHARS = 20_000
# The Viterbi batch pads every sentence to the longest, so run-on "sentences" are cut.
_SEGMENT_TOKENS = 150
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", "...", "?!", "!?", "!!", "??", "!!!", "???"})
_KINDS = {"PER": "person", "ORG": "organisation", "LOC": "place"}
# Three CNN layers of kernel 3: a token's tags depend on three tokens either side of it.
_CONTEXT = 3
# The morphology tagger's Universal Dependencies features, in pymorphy2's names.
_UD_CASES = {"Nom": "nomn", "Gen": "gent", "Par": "gent", "Dat": "datv", "Acc": "accs"}
_UD_CASES |= {"Ins": "ablt", "Loc": "loct", "Voc": "nomn"}
_UD_GENDERS = {"Masc": "masc", "Fem": "femn", "Neut": "neut"}

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
# pymorphy2's cases, and the variants it folds into them.
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_CASE_OF = {"gen1": "gent", "gen2": "gent", "acc2": "accs", "loc1": "loct", "loc2": "loct"}
# The dictionary readings a word of each kind of name is read in when it has them: a first
# name, surname or patronymic; a geographical name; an organisation's name.
_PREFERRED = {
    "person": frozenset({"Name", "Surn", "Patr"}),
    "place": frozenset({"Geox"}),
    "organisation": frozenset({"Orgn"}),
}
# How much a person's word's guessed readings count when the dictionary knows the word.
_GUESS_WEIGHT = 0.1
# Agreements this much less likely than the best are dropped.
_NEGLIGIBLE = 1e-3
# A name whose likeliest nominative has less than this share of its readings is read in
# context by the morphology tagger (Маэхара: a genitive, or a nominative?).
_SURE = 0.97


@dataclass(frozen=True, slots=True)
class _Layer:
    """One CNN layer: a kernel-3 convolution, ReLU, then batch norm as a scale and a shift."""

    kernels: tuple[Floats, Floats, Floats]  # channels_in × filters, one per kernel offset
    bias: Floats
    scale: Floats
    shift: Floats


@dataclass(frozen=True, slots=True)
class _Net:
    """One of Slovnet's CNN taggers: its shape embeddings, layers and projection to tags."""

    shapes: Floats
    layers: tuple[_Layer, ...]
    projection: Floats
    bias: Floats


@dataclass(frozen=True, slots=True)
class _Model:
    """Slovnet's news NER and morphology taggers, sharing Navec's embeddings and vocabulary."""

    word_ids: dict[str, int]
    unknown_word: int
    shape_ids: dict[str, int]
    codes: Floats  # Navec's product-quantised embeddings: subvectors × centroids × width
    indexes: npt.NDArray[np.uint8]  # words × subvectors: the centroid of each subvector
    ner: _Net
    transitions: Floats  # the NER's CRF: previous tag × tag
    ner_tags: tuple[str, ...]
    morph: _Net
    cases: tuple[str | None, ...]  # of each morphology tag, in pymorphy2's names
    genders: tuple[str | None, ...]


def warm_up() -> None:
    """Load the models and the morphological dictionary now, once per process."""
    _model()
    _morph()


def russian_mentions(text: str) -> list[Mention]:
    """The people, organisations and places named in ``text``, with their dictionary forms.

    Offsets are into ``text`` as given; ``value`` is the nominative form of the name
    (``в Москве`` → span ``Москве``, value ``Москва``), or the text's form when unsure.
    """
    model = _model()
    mentions: list[Mention] = []
    for offset, piece in _pieces(text, _PIECE_CHARS):
        mentions.extend(_piece_mentions(model, piece, offset))
    return mentions


def _piece_mentions(model: _Model, piece: str, offset: int) -> list[Mention]:
    """The mentions of one piece of the text, which starts at ``offset``."""
    tokens = _tokenize(piece)
    if not tokens:
        return []
    ids = [_token_ids(token[2]) for token in tokens]
    words = np.fromiter((word for word, _ in ids), dtype=np.intp, count=len(ids))
    shapes = np.fromiter((shape for _, shape in ids), dtype=np.intp, count=len(ids))
    names = list(_names(model, _scores(model, model.ner, words, shapes), piece, tokens))
    readings = [_options(kind, _texts(tokens[first:end])) for kind, first, end in names]
    # Only the names the dictionary cannot settle ask the morphology tagger for their case.
    heads = {
        index: names[index][1] + targets[-1]
        for index, (targets, options) in enumerate(readings)
        if _ambiguous(options)
    }
    hints = dict(zip(heads, _case_hints(model, words, shapes, list(heads.values())), strict=True))
    mentions = []
    for index, ((kind, first, end), (_, options)) in enumerate(zip(names, readings, strict=True)):
        name = tokens[first:end]
        normal = _choose(options, hints.get(index)) or _texts(name)
        value = _value(piece, name, normal)
        mentions.append(Mention(kind, offset + name[0][0], offset + name[-1][1], value))
    return mentions


# --- models --------------------------------------------------------------------------------


@functools.cache
def _model() -> _Model:
    """Slovnet's news NER and morphology models with Navec, from the natasha wheel's files."""
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger
    from threadpoolctl import threadpool_limits

    # One enrichment worker per core: BLAS threads of their own made each worker about five
    # times slower on two busy cores (measured), so the products run on the caller's thread.
    threadpool_limits(limits=1, user_api="blas")

    embedding = NewsEmbedding()
    ner = NewsNERTagger(embedding).infer
    morph = NewsMorphTagger(embedding).infer
    words = ner.encoder.words_vocab
    if morph.encoder.words_vocab.items != words.items:
        raise ValueError("Slovnet's NER and morphology vocabularies differ")
    morph_tags = [_features(tag) for tag in morph.decoder.tags_vocab.items]
    return _Model(
        word_ids=words.item_ids,
        unknown_word=words.unk_id,
        shape_ids=ner.encoder.shapes_vocab.item_ids,
        codes=ner.model.emb.word.codes.array,
        indexes=ner.model.emb.word.indexes.array,
        ner=_net(ner.model),
        transitions=ner.model.head.crf.transitions.array,
        ner_tags=tuple(ner.decoder.tags_vocab.items),
        morph=_net(morph.model),
        cases=tuple(_UD_CASES.get(features.get("Case", "")) for features in morph_tags),
        genders=tuple(_UD_GENDERS.get(features.get("Gender", "")) for features in morph_tags),
    )


def _net(model: Any) -> _Net:
    """A Slovnet tagger's arrays, laid out (tokens × channels) for contiguous products."""
    layers = []
    for layer in model.encoder.layers:
        weight = layer.conv.weight.array  # filters × channels_in × kernel, as in torch
        if weight.shape[2] != 3 or layer.conv.padding != 1:
            raise ValueError(f"unexpected Slovnet convolution {weight.shape}")
        kernels = (_kernel(weight, 0), _kernel(weight, 1), _kernel(weight, 2))
        norm = layer.norm
        scale = (norm.weight.array / norm.std.array).astype(np.float32)
        shift = (norm.bias.array - norm.mean.array * scale).astype(np.float32)
        layers.append(_Layer(kernels, layer.conv.bias.array, scale, shift))
    return _Net(
        shapes=model.emb.shape.weight.array,
        layers=tuple(layers),
        projection=model.head.proj.weight.array,
        bias=model.head.proj.bias.array,
    )


def _kernel(weight: Floats, offset: int) -> Floats:
    """The (channels_in × filters) matrix of one kernel offset, contiguous for BLAS."""
    return np.ascontiguousarray(weight[:, :, offset].T)


def _features(tag: str) -> dict[str, str]:
    """A Universal Dependencies tag's features: ``NOUN|Case=Gen|Gender=Masc`` → a dict."""
    _, _, features = tag.partition("|")
    return dict(pair.split("=", 1) for pair in features.split("|") if "=" in pair)


@functools.cache
def _morph() -> Any:
    """pymorphy2's analyser with its Russian dictionary (shipped in pymorphy2-dicts-ru)."""
    # pymorphy2 0.9 calls inspect.getargspec, gone in Python 3.11; natasha's grammar package
    # (yargy) patches it when imported, and natasha imports yargy.
    import natasha  # noqa: F401
    from pymorphy2 import MorphAnalyzer

    return MorphAnalyzer()


# --- tokens and pieces ---------------------------------------------------------------------


def _pieces(text: str, size: int) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` of ``text`` cut at whitespace, preferably between paragraphs."""
    start = 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        yield start, text[start:end]
        start = end
    yield start, text[start:]


def _cut(text: str, start: int, end: int) -> int:
    """Where to end a piece started at ``start``: the last newline, else space, before ``end``."""
    floor = start + (end - start) // 2
    for gap in ("\n", ". ", " "):
        found = text.rfind(gap, floor, end)
        if found != -1:
            return found + len(gap)
    return end  # no whitespace in half a piece: not prose, any cut will do


def _tokenize(piece: str) -> list[tuple[int, int, str]]:
    """razdel's tokens: ``(start, end, text)``, as Slovnet was trained on."""
    from razdel import tokenize

    return [(token.start, token.stop, token.text) for token in tokenize(piece)]


def _texts(tokens: Sequence[tuple[int, int, str]]) -> tuple[str, ...]:
    """The words of tokens, as written."""
    return tuple(token[2] for token in tokens)


# --- tagging -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 16)
def _token_ids(word: str) -> tuple[int, int]:
    """A token's word id (Navec, lower case) and shape id (script and capitalisation)."""
    from slovnet.shape import word_shape

    model = _model()
    return (
        model.word_ids.get(word.lower(), model.unknown_word),
        model.shape_ids[word_shape(word)],
    )


def _scores(model: _Model, net: _Net, words: Ints, shapes: Ints) -> Floats:
    """A tagger's scores for one sequence (tokens × tags): embeddings, CNN, projection."""
    count = len(words)
    subvectors = np.arange(model.codes.shape[0])
    embedded = model.codes[subvectors, model.indexes[words]].reshape(count, -1)
    x = np.concatenate((embedded, net.shapes[shapes]), axis=1)
    for layer in net.layers:
        # Zero rows either side: the convolution's padding of 1, as in Slovnet.
        padded = np.zeros((count + 2, x.shape[1]), dtype=np.float32)
        padded[1:-1] = x
        y = padded[:-2] @ layer.kernels[0]
        y += padded[1:-1] @ layer.kernels[1]
        y += padded[2:] @ layer.kernels[2]
        y += layer.bias
        np.maximum(y, 0, out=y)
        y *= layer.scale
        y += layer.shift
        x = y
    out: Floats = x @ net.projection + net.bias
    return out


def _names(
    model: _Model, emissions: Floats, piece: str, tokens: Sequence[tuple[int, int, str]]
) -> Iterator[tuple[str, int, int]]:
    """``(kind, first token, end token)`` of each name, from the NER's scores."""
    tags: list[int] = []
    outside = model.ner_tags.index("O")
    for path in _viterbi(model.transitions, outside, emissions, list(_sentences(piece, tokens))):
        tags.extend(path)
    return _spans(model.ner_tags, tags)


def _case_hints(model: _Model, words: Ints, shapes: Ints, heads: Sequence[int]) -> list[_Hint]:
    """The case and gender the morphology tagger reads for each token in ``heads``.

    Three layers of kernel 3 see three tokens either side, so a token tagged with three
    neighbours each side gets the same tags as in the whole piece: the windows, merged where
    they overlap, run through the tagger as one short sequence.
    """
    if not heads:
        return []
    windows: list[list[int]] = []
    for head in sorted(set(heads)):
        start, stop = max(head - _CONTEXT, 0), min(head + _CONTEXT + 1, len(words))
        if windows and start <= windows[-1][1]:
            windows[-1][1] = stop
        else:
            windows.append([start, stop])
    chosen = np.concatenate([np.arange(start, stop) for start, stop in windows])
    tags = _scores(model, model.morph, words[chosen], shapes[chosen]).argmax(axis=1)
    where = {int(index): row for row, index in enumerate(chosen)}
    return [(model.cases[tags[where[head]]], model.genders[tags[where[head]]]) for head in heads]


def _sentences(piece: str, tokens: Sequence[tuple[int, int, str]]) -> Iterator[tuple[int, int]]:
    """Token ranges of sentences: cut after a line break or a final stop, and when too long.

    The cuts only split the CRF's decoding (the CNN has seen the whole piece), and a missed
    cut only makes a longer sentence, so a stop after a short word is no cut: an initial
    (``А. С. Пушкин``) or an abbreviation (``Театр им. Бойса``).
    """
    start = 0
    count = len(tokens)
    for index in range(count - 1):
        token, following = tokens[index], tokens[index + 1]
        gap = piece[token[1] : following[0]]
        cut = "\n" in gap or (
            bool(gap)
            and token[2] in _SENTENCE_ENDS
            and index > 0
            and len(tokens[index - 1][2]) > 3
            and not following[2][0].islower()
        )
        if cut or index + 1 - start >= _SEGMENT_TOKENS:
            yield start, index + 1
            start = index + 1
    yield start, count


def _viterbi(
    transitions: Floats, outside: int, emissions: Floats, bounds: Sequence[tuple[int, int]]
) -> list[list[int]]:
    """The CRF's best tag path of each token range, decoded as one padded batch."""
    lengths = np.array([end - start for start, end in bounds], dtype=np.intp)
    batch, longest, tags = len(bounds), int(lengths.max()), emissions.shape[1]
    scores = np.zeros((batch, longest, tags), dtype=np.float32)
    for row, (start, end) in enumerate(bounds):
        scores[row, : end - start] = emissions[start:end]
    # Every sentence but the piece's first follows a stop or a line break tagged O: its first
    # tag pays the transition from O, as in one Viterbi pass over the whole piece.
    best = scores[:, 0] + transitions[outside]
    best[0] = scores[0, 0]
    history = np.empty((max(longest - 1, 0), batch, tags), dtype=np.intp)
    for step in range(1, longest):
        paths = best[:, :, None] + transitions  # batch × previous tag × tag
        previous = paths.argmax(axis=1)
        history[step - 1] = previous
        reached = np.take_along_axis(paths, previous[:, None, :], axis=1)[:, 0] + scores[:, step]
        # A finished sentence keeps its score: padding must not move its best last tag.
        best = np.where((step < lengths)[:, None], reached, best)
    # Likewise every sentence but the last is followed by a token tagged O.
    ends = best + transitions[:, outside]
    ends[-1] = best[-1]
    decoded = []
    for row in range(batch):
        tag = int(ends[row].argmax())
        path = [tag]
        for step in range(int(lengths[row]) - 2, -1, -1):
            tag = int(history[step, row, tag])
            path.append(tag)
        path.reverse()
        decoded.append(path)
    return decoded


def _spans(names: Sequence[str], tags: Sequence[int]) -> Iterator[tuple[str, int, int]]:
    """``(kind, first, end)`` token ranges from BIO tags, read as Slovnet reads them."""
    kind: str | None = None
    first = 0
    for index, tag in enumerate(tags):
        part, _, label = names[tag].partition("-")
        if part == "B":
            if kind:
                yield kind, first, index
            kind, first = _KINDS.get(label), index
        elif part != "I" and kind:  # an I continues the open span, whatever its label
            yield kind, first, index
            kind = None
    if kind:
        yield kind, first, len(tags)


# --- dictionary forms ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way to read a word of a name: what it agrees in, and how to get its nominative."""

    score: float
    gender: str | None  # None agrees with any: plural adjectives, common gender (Шойгу)
    number: str | None
    case: str | None  # None: any case, the word does not decline
    parse: Any = None  # pymorphy2's reading, inflected if chosen
    nominative: str | None = None  # a guessed reading's nominative (lower case); None: as written

    def fits(self, gender: str, number: str, case: str) -> bool:
        """Whether the word can stand in that gender, number and case."""
        return (
            self.case in (None, case)
            and self.number in (None, number)
            and (number == "plur" or self.gender in (None, gender))
        )


# How an unknown word (a foreign or new surname, a small town) declines, from its ending:
# (pattern, readings) with readings (ending of the nominative, or None for the word as
# written; gender; case; prior). The first pattern that matches the whole word (lower case)
# is used; the priors favour the cases news uses most for men and towns (genitive, then
# accusative), and the agreement with the name's other words can overrule them.
_Guess = tuple[str | None, str | None, str | None, float]
_HARD = "бвгджзклмнпрстфхцчшщ"
_SOFT = "бвдзлмнпрстф"
_GUESSES: tuple[tuple[re.Pattern[str], tuple[_Guess, ...]], ...] = tuple(
    (re.compile(pattern), readings)
    for pattern, readings in (
        # Adjectival: Зеленского → Зеленский, Зеленской → Зеленская.
        (r"(.+[сц]к)(?:ий|ая)", ((None, None, "nomn", 1.0),)),
        (r"(.+[сц]к)ого", (("ий", "masc", "gent", 0.6), ("ий", "masc", "accs", 0.4))),
        (r"(.+[сц]к)ому", (("ий", "masc", "datv", 1.0),)),
        (r"(.+[сц]к)им", (("ий", "masc", "ablt", 1.0),)),
        (r"(.+[сц]к)ом", (("ий", "masc", "loct", 1.0),)),
        (r"(.+[сц]к)ую", (("ая", "femn", "accs", 1.0),)),
        (
            r"(.+[сц]к)ой",
            (
                ("ая", "femn", "gent", 0.4),
                ("ая", "femn", "datv", 0.15),
                ("ая", "femn", "ablt", 0.15),
                ("ая", "femn", "loct", 0.15),
                (None, "masc", "nomn", 0.15),
            ),
        ),
        # Possessive: Мирзиёева → Мирзиёев, Мирзиёевой → Мирзиёева.
        (r"(.+(?:ов|ев|ёв|ин|ын))", ((None, "masc", "nomn", 1.0),)),
        (
            r"(.+(?:ов|ев|ёв|ин|ын))а",
            (("", "masc", "gent", 0.45), ("", "masc", "accs", 0.2), (None, "femn", "nomn", 0.35)),
        ),
        (r"(.+(?:ов|ев|ёв|ин|ын))у", (("", "masc", "datv", 0.6), ("а", "femn", "accs", 0.4))),
        (r"(.+(?:ов|ев|ёв|ин|ын))ым", (("", "masc", "ablt", 1.0),)),
        (r"(.+(?:ов|ев|ёв|ин|ын))е", (("", "masc", "loct", 1.0),)),
        (
            r"(.+(?:ов|ев|ёв|ин|ын))ой",
            (
                ("а", "femn", "gent", 0.4),
                ("а", "femn", "datv", 0.2),
                ("а", "femn", "ablt", 0.2),
                ("а", "femn", "loct", 0.2),
            ),
        ),
        # -ия: Гагаузии → Гагаузия.
        (r"(.+)ия", ((None, None, "nomn", 1.0),)),
        (
            r"(.+)ии",
            (("ия", None, "gent", 0.5), ("ия", None, "loct", 0.3), ("ия", None, "datv", 0.2)),
        ),
        (r"(.+)ию", (("ия", None, "accs", 1.0),)),
        (r"(.+)ией", (("ия", None, "ablt", 1.0),)),
        # Soft stems: Борреля → Боррель.
        (
            rf"(.+[{_SOFT}])я",
            (("ь", "masc", "gent", 0.35), ("ь", "masc", "accs", 0.15), (None, None, "nomn", 0.5)),
        ),
        (rf"(.+[{_SOFT}])ю", (("ь", "masc", "datv", 0.6), ("я", None, "accs", 0.4))),
        (rf"(.+[{_SOFT}])ем", (("ь", "masc", "ablt", 0.7), (None, None, "nomn", 0.3))),
        # Hard stems: Шольца → Шольц, Шольцем → Шольц, Обамы → Обама.
        (r"(.+[жшчщц])ем", (("", "masc", "ablt", 1.0),)),
        (rf"(.+[{_HARD}])ом", (("", "masc", "ablt", 0.7), (None, None, "nomn", 0.3))),
        (rf"(.+[{_HARD}])", ((None, "masc", "nomn", 0.8), (None, "femn", None, 0.2))),
        (
            rf"(.+[{_HARD}])а",
            (("", "masc", "gent", 0.45), ("", "masc", "accs", 0.2), (None, None, "nomn", 0.35)),
        ),
        (rf"(.+[{_HARD}])у", (("", "masc", "datv", 0.6), ("а", None, "accs", 0.4))),
        (rf"(.+[{_HARD}])ы", (("а", None, "gent", 0.7), (None, None, None, 0.3))),
        (rf"(.+[{_HARD}])ой", (("а", None, "ablt", 0.6), (None, "masc", "nomn", 0.4))),
    )
)
# A hard stem's -е: for a place mostly a locative (в Тусоне → Тусон), for a person mostly a
# foreign name that does not decline (Хорхе, Саломе).
_LOCATIVE_E = re.compile(rf"(.+[{_HARD}])е")
_LOCATIVE_READINGS: dict[bool, tuple[_Guess, ...]] = {
    True: (
        ("", "masc", "loct", 0.25),
        ("а", None, "datv", 0.125),
        ("а", None, "loct", 0.125),
        (None, None, None, 0.5),
    ),
    False: (
        ("", "masc", "loct", 0.5),
        ("а", None, "datv", 0.1),
        ("а", None, "loct", 0.2),
        (None, None, None, 0.2),
    ),
}
# Anything else (vowel endings: Мелони, Кими, Нетаньяху) does not decline.
_INDECLINABLE: tuple[_Guess, ...] = ((None, None, None, 1.0),)


def _value(piece: str, name: Sequence[tuple[int, int, str]], words: Sequence[str]) -> str:
    """The name's ``words`` joined with the text's spacing and punctuation between them."""
    parts = [words[0]]
    for previous, token, word in zip(name, name[1:], words[1:], strict=False):
        parts.append(piece[previous[1] : token[0]])
        parts.append(word)
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class _Option:
    """A name's tokens in the nominative, read in one gender and case, and how likely."""

    score: float
    gender: str  # "" in the plural
    case: str
    words: tuple[str, ...]


@functools.lru_cache(maxsize=1 << 12)
def _options(kind: str, words: tuple[str, ...]) -> tuple[tuple[int, ...], tuple[_Option, ...]]:
    """The tokens that decline, and the name in the nominative for each agreement, best first.

    Names repeat, hence the cache. No options: the name stays as written.
    """
    if kind == "person":
        targets = tuple(i for i, word in enumerate(words) if _is_name_word(word))
    else:
        targets = _head_phrase(words)
    if not targets:
        return (), ()
    candidates = [_readings(kind, words[i]) for i in targets]
    agreements = [
        (math.prod(reading.score for reading in choice), gender, case, choice)
        for gender, _, case, choice in _agreements(kind, candidates)
    ]
    if not agreements:
        return targets, ()
    floor = max(score for score, *_ in agreements) * _NEGLIGIBLE
    options = []
    forms: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per form: cached for long
    for score, gender, case, choice in agreements:
        if score < floor:
            continue
        out = list(words)
        for index, reading in zip(targets, choice, strict=True):
            out[index] = _inflected(words[index], reading)
        form = forms.setdefault(tuple(out), tuple(out))
        options.append(_Option(score, gender, case, form))
    options.sort(key=lambda option: -option.score)
    return targets, tuple(options)


def _ambiguous(options: Sequence[_Option]) -> bool:
    """Whether more than one nominative is likely enough that context should decide."""
    total = sum(option.score for option in options)
    mass: dict[tuple[str, ...], float] = {}
    for option in options:
        mass[option.words] = mass.get(option.words, 0.0) + option.score
    return bool(mass) and max(mass.values()) < _SURE * total


def _choose(options: Sequence[_Option], hint: _Hint | None) -> tuple[str, ...] | None:
    """The likeliest option in the case and gender read in context, else the likeliest."""
    if not options:
        return None
    if hint is not None and hint[0] is not None:
        for option in options:
            if option.case == hint[0] and (not option.gender or hint[1] in (None, option.gender)):
                return option.words
    return options[0].words


def _is_name_word(word: str) -> bool:
    """A Russian word that can decline: capitalised, not an initial or an abbreviation."""
    return (
        len(word) > 1 and word[0].isupper() and not word.isupper() and bool(_CYRILLIC.match(word))
    )


def _head_phrase(words: Sequence[str]) -> tuple[int, ...]:
    """Indexes of an organisation's or place's head noun and the adjectives before it.

    What follows the head (a genitive, a quoted name) keeps its case. A leading quote or
    bracket is skipped; an abbreviation, or no noun before other punctuation, leaves the
    name as written.
    """
    phrase: list[int] = []
    for index, word in enumerate(words):
        if not _CYRILLIC.search(word):
            if phrase:
                return ()
            continue
        if word.isupper() and len(word) > 1:
            return ()
        phrase.append(index)
        if _parse(word)[0].tag.POS not in ("ADJF", "PRTF"):
            return tuple(phrase)
    return tuple(phrase) if len(phrase) == 1 else ()


def _agreements(
    kind: str, candidates: Sequence[Sequence[_Reading]]
) -> Iterator[tuple[str, str, str, list[_Reading]]]:
    """``(gender, number, case, a reading per word)`` for each agreement all words allow.

    Each word takes its likeliest reading in that agreement (pymorphy2's corpus frequencies,
    or the guesses' priors). A person's name is singular.
    """
    numbers = ("sing",) if kind == "person" else ("sing", "plur")
    for number in numbers:
        # In the plural the genders are alike: one agreement, gender "".
        for gender in ("masc", "femn", "neut") if number == "sing" else ("",):
            for case in _CASES:
                choice = []
                for readings in candidates:
                    fitting = [r for r in readings if r.fits(gender, number, case)]
                    if not fitting:
                        break
                    choice.append(max(fitting, key=lambda r: r.score))
                else:
                    yield gender, number, case, choice


def _readings(kind: str, word: str) -> list[_Reading]:
    """The ways to read one word of a name: the dictionary's, else guesses from its ending.

    A person's word is read as a first name, surname or patronymic (or, failing that, as a
    noun for a living being), a place's as a geographical name, an organisation's as one,
    when the dictionary has such a reading. The vocative is left out (rare in news).
    """
    if _known(word):
        parses = [
            p for p in _parse(word) if p.tag.POS in ("NOUN", "ADJF", "PRTF") and "voct" not in p.tag
        ]
        preferred = [p for p in parses if _PREFERRED[kind] & p.tag.grammemes]
        if kind == "person":
            parses = preferred or [p for p in parses if "anim" in p.tag]
        else:
            parses = preferred or parses
        if parses:
            known = [_parse_reading(p) for p in parses]
            if kind != "person":
                return known
            # A foreign first name can look like a Russian one (Илона: Илон's genitive).
            guessed = [replace(r, score=r.score * _GUESS_WEIGHT) for r in _guessed(kind, word)]
            return known + guessed
    return _guessed(kind, word)


@functools.lru_cache(maxsize=1 << 13)
def _parse(word: str) -> tuple[Any, ...]:
    """pymorphy2's readings of a word, likeliest first (its dictionary is slow in Python)."""
    return tuple(_morph().parse(word))


@functools.lru_cache(maxsize=1 << 13)
def _known(word: str) -> bool:
    """Whether pymorphy2's dictionary has the word (else its readings are guesses)."""
    return bool(_morph().word_is_known(word.lower()))


def _parse_reading(parse: Any) -> _Reading:
    """A pymorphy2 reading as a ``_Reading``."""
    grammemes = parse.tag.grammemes
    gender = next((g for g in ("masc", "femn", "neut") if g in grammemes), None)
    case = next((_CASE_OF.get(g, g) for g in grammemes if _CASE_OF.get(g, g) in _CASES), None)
    number = "plur" if "plur" in grammemes else "sing" if "sing" in grammemes else None
    return _Reading(parse.score, gender, number, case, parse=parse)


def _guessed(kind: str, word: str) -> list[_Reading]:
    """Readings of a word the dictionary does not know, from its ending (``_GUESSES``)."""
    lower = word.lower()
    if len(lower) < 4:
        return _guess_readings(lower, _INDECLINABLE)
    for pattern, guesses in _GUESSES:
        if found := pattern.fullmatch(lower):
            return _guess_readings(found.group(1), guesses)
    if found := _LOCATIVE_E.fullmatch(lower):
        return _guess_readings(found.group(1), _LOCATIVE_READINGS[kind == "person"])
    return _guess_readings(lower, _INDECLINABLE)


def _guess_readings(stem: str, guesses: Sequence[_Guess]) -> list[_Reading]:
    """``_Reading`` of each guess: the stem plus the nominative's ending, or as written."""
    number = None if all(case is None for _, _, case, _ in guesses) else "sing"
    return [
        _Reading(score, gender, number, case, nominative=None if ending is None else stem + ending)
        for ending, gender, case, score in guesses
    ]


def _inflected(word: str, reading: _Reading) -> str:
    """``word`` in the nominative of its reading, with the text's capitals and е for ё."""
    if reading.nominative is not None:
        normal = reading.nominative
    elif reading.parse is None or reading.case in ("nomn", None) or "Fixd" in reading.parse.tag:
        return word
    else:
        form = reading.parse.inflect({"nomn"})
        if form is None:
            return word
        normal = form.word
    if "ё" not in word.lower():
        normal = normal.replace("ё", "е")
    return _recase(normal, word)


def _recase(normal: str, written: str) -> str:
    """``normal`` with the capitals ``written`` has, letter by letter in each hyphened part.

    ``Санкт-Петербурге`` → ``Санкт-Петербург``, ``МакКейна`` → ``МакКейн``.
    """
    parts, originals = normal.split("-"), written.split("-")
    if len(parts) != len(originals):
        return normal.capitalize() if written[:1].isupper() else normal
    return "-".join(
        "".join(
            letter.upper() if index < len(original) and original[index].isupper() else letter
            for index, letter in enumerate(part)
        )
        for part, original in zip(parts, originals, strict=True)
    )
