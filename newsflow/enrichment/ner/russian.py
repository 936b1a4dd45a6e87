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

Names decline in Russian, so each mention also gets its dictionary form, read with pymorphy2
in ``newsflow.enrichment.ner.nominative``. Only when the readings leave the nominative in
doubt does Slovnet's morphology tagger read the case here, in context, on the head word and
its three neighbours either side, which is all its CNN sees.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from newsflow.enrichment.ner import Mention, nominative

__all__ = ["russian_mentions", "warm_up"]

Floats = npt.NDArray[np.float32]
Ints = npt.NDArray[np.intp]

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
    nominative.morph()


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
    scores = _scores(model, model.ner, words, shapes)
    names = _with_their_places(list(_names(model, scores, piece, tokens)), tokens)
    readings = [nominative.options(kind, _texts(tokens[first:end])) for kind, first, end in names]
    # Only the names the dictionary cannot settle ask the morphology tagger for their case.
    heads = {
        index: names[index][1] + targets[-1]
        for index, (targets, options) in enumerate(readings)
        if nominative.ambiguous(options)
    }
    hints = dict(zip(heads, _case_hints(model, words, shapes, list(heads.values())), strict=True))
    mentions = []
    for index, ((kind, first, end), (_, options)) in enumerate(zip(names, readings, strict=True)):
        name = tokens[first:end]
        normal = nominative.choose(options, hints.get(index)) or _texts(name)
        value = nominative.value(piece, name, normal)
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


def _with_their_places(
    names: list[tuple[str, int, int]], tokens: Sequence[tuple[int, int, str]]
) -> list[tuple[str, int, int]]:
    """An organisation the place right after it belongs to, as Russian names them (Верховный
    суд Бангладеш, МЧС России): the whole is the organisation's name; the place stays one too.
    A governing body named by its common noun and its place (правительство Китая, мэрия
    Москвы) is an organisation the model leaves out: it is added.
    """
    joined: list[tuple[str, int, int]] = []
    for index, (kind, first, end) in enumerate(names):
        after = names[index + 1] if index + 1 < len(names) else None
        if kind == "organisation" and after and after[0] == "place" and after[1] == end:
            end = after[2]
        elif kind == "place" and first and _is_body(tokens[first - 1][2], joined, first - 1):
            joined.append(("organisation", first - 1, end))
        joined.append((kind, first, end))
    return joined


# Governing bodies by the start of their common noun, whatever its case.
_BODIES = (
    "правительств",
    "администрац",
    "министерств",
    "парламент",
    "мэри",
    "посольств",
    "прокуратур",
    "генпрокуратур",
)


def _is_body(word: str, before: Sequence[tuple[str, int, int]], index: int) -> bool:
    """Whether ``word``, token ``index``, names a governing body and no name before holds it."""
    return word.lower().startswith(_BODIES) and (not before or before[-1][2] <= index)


def _case_hints(
    model: _Model, words: Ints, shapes: Ints, heads: Sequence[int]
) -> list[nominative.Hint]:
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
