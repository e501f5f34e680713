"""``tf.nest``: flatten and rebuild nested structures as TensorFlow 2.15 does.

A structure is nested when it is a list, a tuple (namedtuples included), a mapping (a
dict, an OrderedDict ...), a mapping view, an ``attrs`` instance, or another
``collections.abc.Sequence`` that is not text; everything else is a leaf: strings,
bytes, sets, numpy arrays, EagerTensors, ``None``. Mappings flatten in the order of
their sorted keys (OrderedDicts too) and are rebuilt with their own key order. A
SparseTensor is a leaf unless ``expand_composites=True`` (then its indices, values and
dense shape).

The error messages are TensorFlow's (``tensorflow/python/util/nest_util.py`` and its C++
helpers).
"""

from __future__ import annotations

import collections
import collections.abc as abc

import attrs

__all__ = ["assert_same_structure", "flatten", "is_nested", "map_structure",
           "pack_sequence_as"]


def _is_sparse(x) -> bool:
    from cannery.core.tensors import SparseTensor

    return isinstance(x, SparseTensor)


def _nested(x, expand_composites: bool = False) -> bool:
    if isinstance(x, (str, bytes, bytearray)):
        return False
    if isinstance(x, (abc.Mapping, abc.MappingView)):
        return True
    if _is_sparse(x):  # a composite tensor, not an attrs instance to TensorFlow
        return expand_composites
    if attrs.has(type(x)):
        return True
    return isinstance(x, abc.Sequence)


def is_nested(seq) -> bool:
    """``tf.nest.is_nested``: True for lists, tuples, mappings, attrs instances and other
    non-text sequences; False for leaves (text, sets, arrays, tensors, numbers)."""
    return _nested(seq)


def _sorted_keys(mapping) -> list:
    return sorted(mapping)


def _children(x, expand_composites: bool = False) -> list:
    if isinstance(x, abc.Mapping):
        return [x[k] for k in _sorted_keys(x)]
    if isinstance(x, abc.MappingView):
        return list(x)
    if _is_sparse(x):
        return [x.indices, x.values, x.dense_shape]
    if attrs.has(type(x)):
        return [getattr(x, field.name) for field in attrs.fields(type(x))]
    return list(x)


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _rebuild(instance, children: list):
    """An object like ``instance`` holding ``children`` (TensorFlow's ``_sequence_like``)."""
    if isinstance(instance, abc.Mapping):
        by_key = dict(zip(_sorted_keys(instance), children))
        items = [(k, by_key[k]) for k in instance]
        if isinstance(instance, collections.defaultdict):
            rebuilt = collections.defaultdict(instance.default_factory)
            rebuilt.update(items)
            return rebuilt
        return type(instance)(items)
    if isinstance(instance, abc.MappingView):
        return list(children)
    if _is_sparse(instance):
        from cannery.core.tensors import SparseTensor

        return SparseTensor(*children)
    if _is_namedtuple(instance) or attrs.has(type(instance)):
        return type(instance)(*children)
    if isinstance(instance, (list, tuple)):
        return type(instance)(children)
    return type(instance)(children)


def flatten(structure, expand_composites=False) -> list:
    """``tf.nest.flatten``: the leaves of ``structure`` in order (sorted keys for
    mappings); a leaf gives ``[leaf]``, ``None`` gives ``[None]``.

    Raises:
        TypeError: a mapping whose keys cannot be sorted.
    """
    out: list = []
    _flatten_into(structure, out, expand_composites)
    return out


def _flatten_into(x, out: list, expand_composites: bool) -> None:
    if not _nested(x, expand_composites):
        out.append(x)
        return
    for child in _children(x, expand_composites):
        _flatten_into(child, out, expand_composites)


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """``tf.nest.pack_sequence_as``: ``structure``'s shape filled with the values of
    ``flat_sequence`` in :func:`flatten`'s order.

    Raises:
        TypeError: ``flat_sequence`` is not a sequence.
        ValueError: it holds another number of values than ``structure`` has leaves.
    """
    if not _nested(flat_sequence, expand_composites):
        raise TypeError(f"Attempted to pack value:\n  {_indent(flat_sequence)}\ninto a "
                        f"structure, but found incompatible type `{type(flat_sequence)}` "
                        "instead.")
    flat = list(flat_sequence)
    if not _nested(structure, expand_composites):
        if len(flat) != 1:
            raise ValueError(
                f"The target structure is of type `{type(structure)}`\n  {_indent(structure)}\n"
                f"However the input is a sequence ({type(flat_sequence)}) of length "
                f"{len(flat)}.\n  {_indent(flat_sequence)}\nnest cannot guarantee that it is "
                "safe to map one to the other.")
        return flat[0]
    leaves = len(flatten(structure, expand_composites))
    if leaves != len(flat):
        raise ValueError(f"Could not pack sequence. Structure had {leaves} atoms, but "
                         f"flat_sequence had {len(flat)} items.  Structure: {structure}, "
                         f"flat_sequence: {flat_sequence}.")
    position, packed = _pack(structure, flat, 0, expand_composites)
    return packed


def _indent(value) -> str:
    return str(value).replace("\n", "\n  ")


def _pack(structure, flat, position, expand_composites):
    if not _nested(structure, expand_composites):
        return position + 1, flat[position]
    children = []
    for child in _children(structure, expand_composites):
        position, packed = _pack(child, flat, position, expand_composites)
        children.append(packed)
    return position, _rebuild(structure, children)


def map_structure(func, *structure, **kwargs):
    """``tf.nest.map_structure``: ``func`` applied to the leaves of ``structure``
    (several structures of the same shape give ``func`` one leaf of each), in the shape
    of the first.

    Raises:
        ValueError / TypeError: no structure, an unknown keyword, or structures that
            differ (see :func:`assert_same_structure`).
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = kwargs.pop("check_types", True)
    expand_composites = kwargs.pop("expand_composites", False)
    if kwargs:
        raise ValueError("Only valid keyword arguments are `check_types` and "
                         f"`expand_composites`, not: `{'`, `'.join(kwargs)}`")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types,
                              expand_composites=expand_composites)
    flats = [flatten(s, expand_composites) for s in structure]
    results = [func(*leaves) for leaves in zip(*flats)]
    return pack_sequence_as(structure[0], results, expand_composites=expand_composites)


class _Dot:
    def __repr__(self):
        return "."


def _describe(x) -> str:
    return f"type={type(x).__name__} str={x}"


class _Mismatch(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def _compare(a, b, check_types: bool, expand_composites: bool) -> None:
    nested_a, nested_b = _nested(a, expand_composites), _nested(b, expand_composites)
    if nested_a != nested_b:
        seq, leaf = (a, b) if nested_a else (b, a)
        raise _Mismatch(ValueError, f'Substructure "{_describe(seq)}" is a sequence, while '
                                    f'substructure "{_describe(leaf)}" is not')
    if not nested_a:
        return
    if check_types:
        same_type = type(a) is type(b)
        if _is_namedtuple(a) and _is_namedtuple(b):
            same_type = (type(a).__name__ == type(b).__name__
                         and type(a)._fields == type(b)._fields)
        elif not same_type:
            same_type = (isinstance(a, list) and isinstance(b, list)) or (
                isinstance(a, abc.Mapping) and isinstance(b, abc.Mapping))
        if not same_type:
            raise _Mismatch(TypeError,
                            "The two namedtuples don't have the same sequence type. First "
                            f"structure {_describe(a)} has type {type(a).__name__}, while "
                            f"second structure {_describe(b)} has type {type(b).__name__}")
        if isinstance(a, dict) and isinstance(b, dict) and (
                len(a) != len(b) or any(k not in b for k in a)):
            raise _Mismatch(ValueError,
                            "The two dictionaries don't have the same set of keys. First "
                            f"structure has keys {_describe(list(a))}, while second "
                            f"structure has keys {_describe(list(b))}")
    children_a = _children(a, expand_composites)
    children_b = _children(b, expand_composites)
    if len(children_a) != len(children_b):
        raise _Mismatch(ValueError,
                        "The two structures don't have the same number of elements. First "
                        f"structure: {_describe(a)}. Second structure: {_describe(b)}")
    for x, y in zip(children_a, children_b):
        _compare(x, y, check_types, expand_composites)


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False) -> None:
    """``tf.nest.assert_same_structure``: raise unless both have the same nesting (and,
    with ``check_types``, the same sequence types: lists with lists, tuples with
    tuples, namedtuples of one name and fields, any mapping with any mapping).

    Raises:
        ValueError: a different nesting, number of elements or set of dict keys.
        TypeError: different sequence types (TensorFlow's messages, ending with both
            structures drawn with ``.`` for leaves).
    """
    try:
        _compare(nest1, nest2, bool(check_types), expand_composites)
    except _Mismatch as mismatch:
        first = map_structure(lambda _: _Dot(), nest1) if _nested(nest1) else _Dot()
        second = map_structure(lambda _: _Dot(), nest2) if _nested(nest2) else _Dot()
        raise mismatch.kind(
            "The two structures don't have the same nested structure.\n\n"
            f"First structure: {_describe(nest1)}\n\nSecond structure: {_describe(nest2)}\n\n"
            f"More specifically: {mismatch}\nEntire first structure:\n{first}\n"
            f"Entire second structure:\n{second}") from None
