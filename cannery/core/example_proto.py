"""``tf.train.Example`` and its parts, on the protobuf wire format, without protobuf.

TensorFlow's ``example.proto`` and ``feature.proto``::

    message BytesList { repeated bytes value = 1; }
    message FloatList { repeated float value = 1 [packed = true]; }
    message Int64List { repeated int64 value = 1 [packed = true]; }
    message Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2;
                                   Int64List int64_list = 3; } }
    message Features { map<string, Feature> feature = 1; }
    message Example { Features features = 1; }

The classes here have the Python API programs use on TensorFlow's generated classes
(keyword constructors, ``features.feature[key]`` creating entries, ``.value`` lists with
append / extend / indexing, ``SerializeToString``, ``FromString``, ``ParseFromString``,
``==``, ``str``), and write the bytes TensorFlow 2.15's protobuf runtime (upb, protobuf
4.25) writes for the same message. upb keeps a map in a hash table and serializes it in
the reverse of the table's order, so the entries of ``Features.feature`` come out neither
sorted nor in insertion order; :class:`_UpbStrTable` reproduces that table (its hash,
its collision chains and its growth) so the bytes, the iteration order and ``str()`` all
agree with TensorFlow's. Floats are stored as float32, as the proto field is.

:func:`decode_example`, :func:`feature_kind` and :func:`feature_values` are what
``tf.io.parse_example`` runs: TensorFlow's own fast parser, ported, without building
message objects.
"""

from __future__ import annotations

import math
import operator
import struct

import numpy as np

__all__ = ["BytesList", "DecodeError", "Example", "Feature", "Features", "FloatList",
           "Int64List", "decode_example", "feature_kind", "feature_values"]

_M64 = (1 << 64) - 1
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class DecodeError(Exception):
    """Bytes that are not a valid serialized message (protobuf's ``message.DecodeError``)."""


# -- wire format ---------------------------------------------------------------------


def _varint(value: int) -> bytes:
    """Base-128 little-endian groups, high bit set on every byte but the last."""
    value &= _M64
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(buf, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= end or shift >= 70:
            raise DecodeError("Error parsing message")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & _M64, pos
        shift += 7


def _delimited(buf, pos: int, end: int) -> tuple[int, int]:
    """The (start, stop) of a length-delimited payload at ``pos``."""
    length, pos = _read_varint(buf, pos, end)
    stop = pos + length
    if stop > end:
        raise DecodeError("Error parsing message")
    return pos, stop


def _skip(buf, pos: int, end: int, wire_type: int) -> int:
    """The position after one field's payload of ``wire_type`` (an unknown field)."""
    if wire_type == 0:
        return _read_varint(buf, pos, end)[1]
    if wire_type == 1:
        pos += 8
    elif wire_type == 2:
        return _delimited(buf, pos, end)[1]
    elif wire_type == 5:
        pos += 4
    else:  # groups (3, 4) and the unused 6, 7 are not in these messages
        raise DecodeError("Error parsing message")
    if pos > end:
        raise DecodeError("Error parsing message")
    return pos


def _fields(buf, pos: int, end: int):
    """Yield ``(field_number, wire_type, payload_start, payload_stop)`` for each field."""
    while pos < end:
        tag, pos = _read_varint(buf, pos, end)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise DecodeError("Error parsing message")
        start = pos
        if wire_type == 2:
            start, pos = _delimited(buf, pos, end)
        else:
            pos = _skip(buf, pos, end, wire_type)
        yield number, wire_type, start, pos


def _to_signed(value: int) -> int:
    return value - (1 << 64) if value > _INT64_MAX else value


# -- upb's string hash table (the order of a map's entries) ---------------------------

_SALT = (0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0,
         0x082EFA98EC4E6C89, 0x452821E638D01377)


def _mix(a: int, b: int) -> int:
    product = a * b
    return (product & _M64) ^ (product >> 64)


def _upb_hash(data: bytes) -> int:
    """upb's ``_upb_Hash(p, n, seed=0)`` (protobuf 4.25): its adaptation of abseil's
    wyhash, truncated to 32 bits."""
    n = len(data)
    state = _SALT[0]
    pos = 0
    left = n

    def load64(i):
        return int.from_bytes(data[i:i + 8], "little")

    if left > 64:
        duplicated = state
        while True:
            a, b, c, d, e, f, g, h = (load64(pos + 8 * k) for k in range(8))
            state = _mix(a ^ _SALT[1], b ^ state) ^ _mix(c ^ _SALT[2], d ^ state)
            duplicated = _mix(e ^ _SALT[3], f ^ duplicated) ^ _mix(g ^ _SALT[4], h ^ duplicated)
            pos += 64
            left -= 64
            if left <= 64:
                break
        state ^= duplicated
    while left > 16:
        state = _mix(load64(pos) ^ _SALT[1], load64(pos + 8) ^ state)
        pos += 16
        left -= 16
    if left > 8:
        a, b = load64(pos), load64(pos + left - 8)
    elif left > 3:
        a = int.from_bytes(data[pos:pos + 4], "little")
        b = int.from_bytes(data[pos + left - 4:pos + left], "little")
    elif left > 0:
        a, b = (data[pos] << 16) | (data[pos + (left >> 1)] << 8) | data[pos + left - 1], 0
    else:
        a = b = 0
    return _mix(_mix(a ^ _SALT[1], b ^ state), _SALT[1] ^ n) & 0xFFFFFFFF


class _UpbStrTable:
    """The key order of upb's ``upb_strtable`` (``upb/hash/common.c``).

    Open hashing in a power-of-two array: a key goes to ``hash & mask``; on a collision
    the first empty slot after it (wrapping) joins the chain, and a key found away from
    its own main position is moved out of the way (Lua's ``ltable.c`` scheme). A table
    starts with room for 4 entries (8 slots) and doubles, reinserting in slot order,
    when it holds ``int(slots * 0.85)``. Iteration is slot order.
    """

    __slots__ = ("_keys", "_next", "_mask", "_max_count", "_count", "_lg2")

    def __init__(self, expected_size: int = 4):
        need = (expected_size + 1) * 1204 // 1024
        self._reset(0 if need <= 1 else (need - 1).bit_length())

    def _reset(self, size_lg2: int):
        size = 1 << size_lg2
        self._lg2 = size_lg2
        self._mask = size - 1
        self._max_count = int(size * 0.85)
        self._keys: list = [None] * size
        self._next: list = [None] * size
        self._count = 0

    def __iter__(self):
        return (key for key in self._keys if key is not None)

    def insert(self, key: bytes):
        """Add a key that is not in the table."""
        if self._count == self._max_count:
            old = list(self)
            self._reset(self._lg2 + 1)
            for existing in old:
                self._place(existing)
        self._place(key)

    def _place(self, key: bytes):
        keys, nexts, mask = self._keys, self._next, self._mask
        self._count += 1
        main = _upb_hash(key) & mask
        if keys[main] is None:
            keys[main] = key
            nexts[main] = None
            return
        size = len(keys)
        free = next(i for i in (*range(main + 1, size), *range(size)) if keys[i] is None)
        chain = _upb_hash(keys[main]) & mask
        if chain == main:  # the occupant is at home: append after it in its chain
            nexts[free] = nexts[main]
            nexts[main] = free
            keys[free] = key
        else:  # evict the occupant to the free slot and take its place
            keys[free], nexts[free] = keys[main], nexts[main]
            while nexts[chain] != main:
                chain = nexts[chain]
            nexts[chain] = free
            keys[main], nexts[main] = key, None

    def remove(self, key: bytes) -> bool:
        keys, nexts = self._keys, self._next
        head = _upb_hash(key) & self._mask
        if keys[head] is None:
            return False
        if keys[head] == key:
            self._count -= 1
            moved = nexts[head]
            if moved is not None:
                keys[head], nexts[head] = keys[moved], nexts[moved]
                keys[moved] = nexts[moved] = None
            else:
                keys[head] = nexts[head] = None
            return True
        slot = head
        while nexts[slot] is not None and keys[nexts[slot]] != key:
            slot = nexts[slot]
        found = nexts[slot]
        if found is None:
            return False
        self._count -= 1
        nexts[slot] = nexts[found]
        keys[found] = nexts[found] = None
        return True


def _key_bytes(key: str) -> bytes:
    """A map key as stored: UTF-8 (a key read from bytes that are not UTF-8 keeps them)."""
    return key.encode("utf-8", "surrogateescape")


def _key_text(key: bytes) -> str:
    return key.decode("utf-8", "surrogateescape")


def _text_sort_key(key: bytes):
    """upb's map sorter for strings: descending bytes, a prefix before its extensions."""
    return tuple(255 - b for b in key) + (-1,)


# -- field values ---------------------------------------------------------------------


def _as_float32(value) -> float:
    if isinstance(value, (str, bytes, bytearray)) or not (
            hasattr(value, "__float__") or hasattr(value, "__index__")):
        raise TypeError(f"must be real number, not {type(value).__name__}")
    value = float(value)
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:  # beyond float32's range: C's cast gives infinity
        return math.copysign(math.inf, value)


def _as_int64(value) -> int:
    value = operator.index(value)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"Value out of range: {value}")
    return int(value)


def _as_bytes(value) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError(f"expected bytes, {type(value).__name__} found")
    return bytes(value)


def _float_text(value: float) -> str:
    """upb's shortest float32 text: ``%.6g``, or ``%.9g`` when that does not round-trip."""
    if math.isnan(value):
        return "nan"
    text = "%.6g" % value
    if _as_float32(float(text)) != value:
        text = "%.9g" % value
    return text


_ESCAPES = {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", ord('"'): '\\"',
            ord("'"): "\\'", ord("\\"): "\\\\"}


def _quote(data: bytes, is_bytes: bool) -> str:
    """upb's text form of a string (``is_bytes`` False: UTF-8 bytes printed as they are)
    or a bytes field (every byte outside printable ASCII as a 3-digit octal escape)."""
    out = []
    raw = bytearray()
    for byte in data:
        if byte in _ESCAPES:
            text = _ESCAPES[byte]
        elif 0x20 <= byte < 0x7F or (byte >= 0x80 and not is_bytes):
            raw.append(byte)
            continue
        else:
            text = "\\%03o" % byte
        if raw:
            out.append(raw.decode("utf-8", "replace"))
            raw = bytearray()
        out.append(text)
    if raw:
        out.append(raw.decode("utf-8", "replace"))
    return '"' + "".join(out) + '"'


class RepeatedScalarContainer:
    """A repeated field's values: a list that checks and converts what goes in, and
    marks its message as set when changed (protobuf's container of that name)."""

    __slots__ = ("_values", "_convert", "_owner")

    def __init__(self, convert, owner):
        self._values: list = []
        self._convert = convert
        self._owner = owner

    def _changed(self):
        self._owner._mark_present()

    def append(self, value):
        self._values.append(self._convert(value))
        self._changed()

    def extend(self, values):
        try:
            iterator = iter(values)
        except TypeError:
            raise TypeError("Value must be iterable") from None
        converted = [self._convert(v) for v in iterator]
        self._values.extend(converted)
        self._changed()

    def MergeFrom(self, other):  # noqa: N802 - protobuf's name
        self.extend(other)

    def insert(self, index, value):
        self._values.insert(index, self._convert(value))
        self._changed()

    def remove(self, value):
        self._values.remove(value)
        self._changed()

    def pop(self, index=-1):
        value = self._values.pop(index)
        self._changed()
        return value

    def sort(self, *args, **kwargs):
        self._values.sort(*args, **kwargs)

    def reverse(self):
        self._values.reverse()

    def __getitem__(self, index):
        return self._values[index]

    def __setitem__(self, index, value):
        if isinstance(index, slice):
            self._values[index] = [self._convert(v) for v in value]
        else:
            self._values[index] = self._convert(value)
        self._changed()

    def __delitem__(self, index):
        del self._values[index]
        self._changed()

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        return iter(self._values)

    def __contains__(self, value):
        return value in self._values

    def __eq__(self, other):
        if isinstance(other, RepeatedScalarContainer):
            return self._values == other._values
        try:
            return self._values == list(other)
        except TypeError:
            return NotImplemented

    __hash__ = None

    def __repr__(self):
        return repr(self._values)


# -- messages -------------------------------------------------------------------------


class _Message:
    """What the six messages share: presence, parsing, equality, text and copies.

    A sub-message read from an unset field is a stub: it belongs to its parent only
    once something in it is set, as protobuf's (so reading ``e.features`` does not make
    ``e`` serialize a ``features`` field).
    """

    _FULL_NAME = ""
    _REPEATED: tuple = ()  # (field name, number, converter, packed, text form)
    _MESSAGES: tuple = ()  # (field name, number, class)
    _ONEOF: str | None = None  # the oneof that groups every message field, if any
    _MAPS: tuple = ()  # (field name, number, value class)

    __slots__ = ("_present", "_stubs", "_parent", "_unknown")

    def __init__(self, **kwargs):
        object.__setattr__(self, "_present", {})
        object.__setattr__(self, "_stubs", {})
        object.__setattr__(self, "_parent", None)
        object.__setattr__(self, "_unknown", b"")
        for name, value in kwargs.items():
            kind = self._kind(name)
            if kind is None:
                raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
            if value is None:
                continue
            if kind == "message":
                if isinstance(value, dict):
                    value = self._class_of(name)(**value)
                elif not isinstance(value, _Message):
                    raise TypeError(f"Message must be initialized with a dict: {self._FULL_NAME}")
                _check_class(self._class_of(name), value, "MergeFrom")
                self._message(name).MergeFrom(value)
            elif kind == "map":
                if not isinstance(value, (dict, MessageMap)):
                    raise TypeError("bad argument type for built-in operation")
                target = getattr(self, name)
                for key, entry in value.items():
                    target.get_or_create(key)._copy_checked(entry, "CopyFrom")
            else:
                getattr(self, name).extend(value)

    # field access ------------------------------------------------------------------

    @classmethod
    def _kind(cls, name):
        if any(f[0] == name for f in cls._REPEATED):
            return "repeated"
        if any(f[0] == name for f in cls._MESSAGES):
            return "message"
        if any(f[0] == name for f in cls._MAPS):
            return "map"
        return None

    @classmethod
    def _class_of(cls, name):
        for field_name, _, klass in (*cls._MESSAGES, *cls._MAPS):
            if field_name == name:
                return klass
        raise KeyError(name)

    def __getattr__(self, name):
        kind = type(self)._kind(name)
        if kind is None:
            raise AttributeError(name)
        present = self._present
        if name in present:
            return present[name]
        if kind == "message":
            stub = self._stubs.get(name)
            if stub is None:
                stub = self._class_of(name)()
                object.__setattr__(stub, "_parent", (self, name))
                self._stubs[name] = stub
            return stub
        # repeated scalars and maps exist from the start (they have no presence)
        if kind == "map":
            container = MessageMap(self._class_of(name), self)
        else:
            convert = next(f[2] for f in self._REPEATED if f[0] == name)
            container = RepeatedScalarContainer(convert, self)
        present[name] = container
        return container

    def __setattr__(self, name, value):
        if type(self)._kind(name) is not None:
            raise AttributeError("Assignment not allowed to message, map, or repeated field "
                                 f'"{name}" in protocol message object.')
        raise AttributeError(f'Protocol message {type(self).__name__} has no "{name}" field.')

    def _message(self, name):
        """The sub-message ``name``, set present (``mutable_<name>()`` in C++)."""
        child = getattr(self, name)
        child._mark_present()
        return child

    def _mark_present(self):
        parent = self._parent
        if parent is None:
            return
        owner, name = parent
        object.__setattr__(self, "_parent", None)
        if owner._stubs.get(name) is self:
            del owner._stubs[name]
        if owner._ONEOF is not None and any(f[0] == name for f in owner._MESSAGES):
            for other, _, _ in owner._MESSAGES:
                if other != name:
                    owner._present.pop(other, None)
                    owner._stubs.pop(other, None)
        owner._present[name] = self
        owner._mark_present()

    def _is_set(self, name) -> bool:
        """Whether field ``name`` would be written (set message, non-empty list or map)."""
        value = self._present.get(name)
        if value is None:
            return False
        if isinstance(value, _Message):
            return True
        return len(value) > 0

    # protobuf's message API ----------------------------------------------------------

    def HasField(self, name) -> bool:  # noqa: N802 - protobuf's name
        """Whether a message field (or the oneof ``kind`` of a Feature) is set.

        Raises:
            ValueError: a repeated or map field (no presence) or an unknown name.
        """
        if name == self._ONEOF:
            return self.WhichOneof(name) is not None
        kind = type(self)._kind(name)
        if kind == "message":
            return name in self._present
        if kind is None:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        raise ValueError(f"Field {self._FULL_NAME}.{name} does not have presence.")

    def WhichOneof(self, oneof_group):  # noqa: N802 - protobuf's name
        """The name of the set field of oneof ``kind``, or None.

        Raises:
            ValueError: a name that is no oneof of this message.
        """
        if oneof_group != self._ONEOF or self._ONEOF is None:
            raise ValueError(
                f'Protocol message {type(self).__name__} has no "{oneof_group}" field.')
        for name, _, _ in self._MESSAGES:
            if name in self._present:
                return name
        return None

    def ClearField(self, name):  # noqa: N802 - protobuf's name
        if type(self)._kind(name) is None and name != self._ONEOF:
            raise ValueError(f'Protocol message {type(self).__name__} has no "{name}" field.')
        names = [f[0] for f in self._MESSAGES] if name == self._ONEOF else [name]
        for field in names:
            self._present.pop(field, None)
            self._stubs.pop(field, None)

    def Clear(self):  # noqa: N802 - protobuf's name
        self._present.clear()
        self._stubs.clear()
        object.__setattr__(self, "_unknown", b"")

    def SetInParent(self):  # noqa: N802 - protobuf's name
        self._mark_present()

    def IsInitialized(self) -> bool:  # noqa: N802 - protobuf's name
        return True

    def ListFields(self) -> list:  # noqa: N802 - protobuf's name
        """``[(field name, value)]`` of the set fields, in field-number order (protobuf
        gives field descriptors where this gives names)."""
        out = []
        for name, _ in self._ordered_fields():
            if self._is_set(name):
                out.append((name, self._present[name]))
        return out

    def CopyFrom(self, other):  # noqa: N802 - protobuf's name
        """Make this message equal to ``other`` (a message of the same class).

        Raises:
            TypeError: ``other`` is of another class.
        """
        self._copy_checked(other, "CopyFrom")

    def _copy_checked(self, other, method):
        _check_class(type(self), other, method)
        if other is self:
            return
        data = other.SerializeToString()
        if method == "CopyFrom":
            self.Clear()
        self._mark_present()
        self._merge(data, 0, len(data))

    def MergeFrom(self, other):  # noqa: N802 - protobuf's name
        self._copy_checked(other, "MergeFrom")

    def ParseFromString(self, serialized) -> int:  # noqa: N802 - protobuf's name
        """Replace this message with the one in ``serialized``; returns its length.

        Raises:
            DecodeError: not a valid serialized message.
        """
        data = bytes(serialized)
        self.Clear()
        self._mark_present()
        self._merge(data, 0, len(data))
        return len(data)

    def MergeFromString(self, serialized) -> int:  # noqa: N802 - protobuf's name
        data = bytes(serialized)
        self._mark_present()
        self._merge(data, 0, len(data))
        return len(data)

    @classmethod
    def FromString(cls, serialized):  # noqa: N802 - protobuf's name
        """The message in ``serialized``.

        Raises:
            DecodeError: not a valid serialized message.
        """
        message = cls()
        message.ParseFromString(serialized)
        return message

    def SerializeToString(self, deterministic: bool = False) -> bytes:  # noqa: N802
        """The protobuf wire bytes, as TensorFlow's runtime writes them: fields by
        number, packed floats and integers, map entries in upb's order
        (``deterministic=True``: upb's sorted order)."""
        return b"".join(self._encode(deterministic)) + self._unknown

    SerializePartialToString = SerializeToString

    def ByteSize(self) -> int:  # noqa: N802 - protobuf's name
        return len(self.SerializeToString())

    def _ordered_fields(self):
        fields = [(f[0], f[1]) for f in self._REPEATED]
        fields += [(f[0], f[1]) for f in self._MESSAGES]
        fields += [(f[0], f[1]) for f in self._MAPS]
        return sorted(fields, key=lambda f: f[1])

    def _encode(self, deterministic):
        for name, number in self._ordered_fields():
            value = self._present.get(name)
            if value is None:
                continue
            if isinstance(value, _Message):
                payload = value.SerializeToString(deterministic)
                yield _varint(number << 3 | 2) + _varint(len(payload)) + payload
            elif isinstance(value, MessageMap):
                for key, entry in value._ordered_items(deterministic):
                    key_bytes = _key_bytes(key)
                    entry_bytes = entry.SerializeToString(deterministic)
                    body = (b"\x0a" + _varint(len(key_bytes)) + key_bytes
                            + b"\x12" + _varint(len(entry_bytes)) + entry_bytes)
                    yield _varint(number << 3 | 2) + _varint(len(body)) + body
            elif len(value):
                yield self._encode_repeated(name, number, value._values)

    def _encode_repeated(self, name, number, values):  # overridden per list type
        raise NotImplementedError

    def _merge(self, buf, pos, end):
        unknown = bytearray(self._unknown)
        for number, wire_type, start, stop in _fields(buf, pos, end):
            if not self._merge_field(buf, number, wire_type, start, stop):
                # an unknown field is kept and written back after the known ones, as upb
                head = _varint(number << 3 | wire_type)
                if wire_type == 2:
                    head += _varint(stop - start)
                unknown += head + buf[start:stop]
        object.__setattr__(self, "_unknown", bytes(unknown))

    def _merge_field(self, buf, number, wire_type, start, stop) -> bool:
        for name, field_number, klass in self._MESSAGES:
            if field_number == number and wire_type == 2:
                child = self._message(name)
                child._merge(buf, start, stop)
                return True
        for name, field_number, klass in self._MAPS:
            if field_number == number and wire_type == 2:
                key, entry = b"", klass()
                for sub_number, sub_type, sub_start, sub_stop in _fields(buf, start, stop):
                    if sub_number == 1 and sub_type == 2:
                        key = bytes(buf[sub_start:sub_stop])
                    elif sub_number == 2 and sub_type == 2:
                        entry = klass()
                        entry._merge(buf, sub_start, sub_stop)
                getattr(self, name)._replace(key, entry)
                self._mark_present()
                return True
        return False

    # comparison and text -------------------------------------------------------------

    def __eq__(self, other):
        if not isinstance(other, _Message):
            return NotImplemented
        if type(other) is not type(self):
            return False
        for name, _ in self._ordered_fields():
            mine, theirs = self._present.get(name), other._present.get(name)
            if self._kind(name) == "message":
                equal = mine == theirs  # None (unset) equals only None
            elif self._kind(name) == "map":
                equal = dict(mine.items() if mine else ()) == dict(theirs.items() if theirs else ())
            else:
                equal = list(mine or ()) == list(theirs or ())
            if not equal:
                return False
        return self._unknown == other._unknown

    __hash__ = None

    def __str__(self):
        return "".join(self._text(0))

    __repr__ = __str__

    def _text(self, depth):
        indent = "  " * depth
        for name, _ in self._ordered_fields():
            value = self._present.get(name)
            if value is None:
                continue
            if isinstance(value, _Message):
                yield f"{indent}{name} {{\n"
                yield from value._text(depth + 1)
                yield f"{indent}}}\n"
            elif isinstance(value, MessageMap):
                keys = sorted((_key_bytes(k) for k in value), key=_text_sort_key)
                for key in keys:
                    yield f"{indent}{name} {{\n"
                    yield f"{indent}  key: {_quote(key, False)}\n"
                    yield f"{indent}  value {{\n"
                    yield from value[_key_text(key)]._text(depth + 2)
                    yield f"{indent}  }}\n"
                    yield f"{indent}}}\n"
            else:
                form = next(f[4] for f in self._REPEATED if f[0] == name)
                for item in value:
                    yield f"{indent}{name}: {form(item)}\n"

    def __reduce__(self):
        return type(self).FromString, (self.SerializeToString(),)

    def __deepcopy__(self, memo):
        return type(self).FromString(self.SerializeToString())

    def __copy__(self):
        return self.__deepcopy__({})


def _check_class(klass, value, method):
    if type(value) is not klass:
        raise TypeError(f"Parameter to {method}() must be instance of same class: expected "
                        f"{klass} got {type(value)}.")


class MessageMap:
    """``Features.feature``: string keys to messages, created on first read
    (``feature["x"].float_list.value.append(1.0)``), ordered as upb's table."""

    __slots__ = ("_entries", "_table", "_value_class", "_owner")

    def __init__(self, value_class, owner):
        self._entries: dict = {}
        self._table = _UpbStrTable()
        self._value_class = value_class
        self._owner = owner

    @staticmethod
    def _key(key) -> str:
        if isinstance(key, bytes):
            return _key_text(key)
        if not isinstance(key, str):
            raise TypeError("bad argument type for built-in operation")
        return key

    def __getitem__(self, key):
        key = self._key(key)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._value_class()
            self._entries[key] = entry
            self._table.insert(_key_bytes(key))
            self._owner._mark_present()
        return entry

    get_or_create = __getitem__

    def setdefault(self, key, value=None):
        return self[key]

    def __setitem__(self, key, value):
        raise ValueError("Message objects may not be assigned")

    def update(self, *args, **kwargs):
        raise ValueError("Message objects may not be assigned")

    def _replace(self, key: bytes, entry):
        """Set ``key`` to ``entry`` the way upb's parser does (remove, then insert)."""
        text = _key_text(key)
        self._table.remove(key)
        self._table.insert(key)
        self._entries[text] = entry

    def __delitem__(self, key):
        key = self._key(key)
        del self._entries[key]
        self._table.remove(_key_bytes(key))

    def pop(self, key, *default):
        key = self._key(key)
        if key not in self._entries:
            if default:
                return default[0]
            raise KeyError(key)
        value = self._entries[key]
        del self[key]
        return value

    def clear(self):
        self._entries.clear()
        self._table = _UpbStrTable()

    def get(self, key, default=None):
        return self._entries.get(self._key(key), default)

    def __contains__(self, key):
        return self._key(key) in self._entries

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        return (_key_text(key) for key in self._table)

    def keys(self):
        return list(self)

    def values(self):
        return [self._entries[k] for k in self]

    def items(self):
        return [(k, self._entries[k]) for k in self]

    def MergeFrom(self, other):  # noqa: N802 - protobuf's name
        for key, entry in other.items():
            self[key].CopyFrom(entry)

    def _ordered_items(self, deterministic):
        if deterministic:
            keys = sorted((_key_bytes(k) for k in self._entries), key=_text_sort_key)
            keys.reverse()
        else:
            keys = list(self._table)
            keys.reverse()  # upb encodes back to front
        return [(_key_text(k), self._entries[_key_text(k)]) for k in keys]

    def __eq__(self, other):
        if isinstance(other, MessageMap):
            return self._entries == other._entries
        if isinstance(other, dict):
            return self._entries == other
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return repr(dict(self.items()))


def _float_payload(values):
    return np.asarray(values, dtype="<f4").tobytes()


class BytesList(_Message):
    """``tensorflow.BytesList``: ``value`` is a list of bytes (``str`` is refused)."""

    _FULL_NAME = "tensorflow.BytesList"
    _REPEATED = (("value", 1, _as_bytes, False, lambda v: _quote(v, True)),)
    __slots__ = ()

    def _encode_repeated(self, name, number, values):
        tag = _varint(number << 3 | 2)
        return b"".join(tag + _varint(len(v)) + v for v in values)

    def _merge_field(self, buf, number, wire_type, start, stop):
        if number == 1 and wire_type == 2:
            self.value._values.append(bytes(buf[start:stop]))
            return True
        return False


class FloatList(_Message):
    """``tensorflow.FloatList``: ``value`` holds float32 numbers (read back as floats)."""

    _FULL_NAME = "tensorflow.FloatList"
    _REPEATED = (("value", 1, _as_float32, True, _float_text),)
    __slots__ = ()

    def _encode_repeated(self, name, number, values):
        payload = _float_payload(values)
        return _varint(number << 3 | 2) + _varint(len(payload)) + payload

    def _merge_field(self, buf, number, wire_type, start, stop):
        if number != 1:
            return False
        if wire_type == 2:  # packed
            if (stop - start) % 4:
                raise DecodeError("Error parsing message")
            values = np.frombuffer(bytes(buf[start:stop]), dtype="<f4").tolist()
        elif wire_type == 5:
            values = [struct.unpack("<f", bytes(buf[start:stop]))[0]]
        else:
            return False
        self.value._values.extend(values)
        return True


class Int64List(_Message):
    """``tensorflow.Int64List``: ``value`` holds signed 64-bit integers."""

    _FULL_NAME = "tensorflow.Int64List"
    _REPEATED = (("value", 1, _as_int64, True, str),)
    __slots__ = ()

    def _encode_repeated(self, name, number, values):
        payload = b"".join(map(_varint, values))
        return _varint(number << 3 | 2) + _varint(len(payload)) + payload

    def _merge_field(self, buf, number, wire_type, start, stop):
        if number != 1:
            return False
        if wire_type == 2:  # packed
            values = []
            pos = start
            while pos < stop:
                value, pos = _read_varint(buf, pos, stop)
                values.append(_to_signed(value))
        elif wire_type == 0:
            values = [_to_signed(_read_varint(buf, start, stop)[0])]
        else:
            return False
        self.value._values.extend(values)
        return True


class Feature(_Message):
    """``tensorflow.Feature``: one of ``bytes_list``, ``float_list``, ``int64_list``
    (oneof ``kind``; setting one clears the others)."""

    _FULL_NAME = "tensorflow.Feature"
    _MESSAGES = (("bytes_list", 1, BytesList), ("float_list", 2, FloatList),
                 ("int64_list", 3, Int64List))
    _ONEOF = "kind"
    __slots__ = ()


class Features(_Message):
    """``tensorflow.Features``: ``feature`` maps names to :class:`Feature`."""

    _FULL_NAME = "tensorflow.Features"
    _MAPS = (("feature", 1, Feature),)
    __slots__ = ()


class Example(_Message):
    """``tensorflow.Example``: one record, ``features.feature[name]``."""

    _FULL_NAME = "tensorflow.Example"
    _MESSAGES = (("features", 1, Features),)
    __slots__ = ()


# -- the parse_example fast path ------------------------------------------------------
#
# A port of TensorFlow's ``example_proto_fast_parsing.cc`` (what ``tf.io.parse_example``
# runs), with its leniencies and strictness: unknown top-level fields are skipped (a
# truncated one too), every map entry has exactly a key and a value, a Feature's kind is
# its first byte, a list's bytes after its first packed block are ignored.

BYTES, FLOAT, INT64 = "string", "float", "int64"  # TensorFlow's DataTypeString names
_KIND_BY_TAG = {0x0A: BYTES, 0x12: FLOAT, 0x1A: INT64}
UNSUPPORTED = "unsupported"


def decode_example(serialized: bytes):
    """``[(key bytes, Feature bytes)]`` of one serialized Example in the order written
    (a repeated key appears twice; the last one counts), or None if TensorFlow's parser
    would refuse the record."""
    buf = serialized
    end = len(buf)
    pos = 0
    entries = []
    try:
        while pos < end:
            if buf[pos] == 0x0A:
                start, stop = _delimited(buf, pos + 1, end)
                pos = start
                while pos < stop:
                    if buf[pos] != 0x0A:
                        return None
                    entry_start, entry_stop = _delimited(buf, pos + 1, stop)
                    key, feature = b"", b""
                    cursor = entry_start
                    for _ in range(2):
                        if cursor >= entry_stop:
                            return None
                        tag = buf[cursor]
                        if tag not in (0x0A, 0x12):
                            return None
                        s, e = _delimited(buf, cursor + 1, entry_stop)
                        if tag == 0x0A:
                            key = buf[s:e]
                        else:
                            feature = buf[s:e]
                        cursor = e
                    if cursor != entry_stop:
                        return None
                    entries.append((bytes(key), bytes(feature)))
                    pos = entry_stop
            else:  # SkipExtraneousTag
                tag, pos = _read_varint(buf, pos, end)
                wire_type = tag & 7
                if wire_type == 0:
                    pos = _read_varint(buf, pos, end)[1]
                elif wire_type in (1, 5):
                    pos += 8 if wire_type == 1 else 4
                    if pos > end:
                        return None
                elif wire_type == 2:
                    length, pos = _read_varint(buf, pos, end)
                    pos = min(pos + length, end)  # a short skip is not an error there
                else:
                    return None
    except DecodeError:
        return None
    return entries


def feature_kind(feature: bytes):
    """``"string"``, ``"float"``, ``"int64"``, None (no list set: the feature counts as
    absent) or ``UNSUPPORTED`` (TensorFlow's "Unsuported datatype.")."""
    if not feature:
        return None
    return _KIND_BY_TAG.get(feature[0], UNSUPPORTED)


def feature_values(feature: bytes, kind: str):
    """The list of a Feature of ``kind``: bytes objects, a float32 or an int64 array;
    None where TensorFlow's parser fails ("Can't parse serialized Example.")."""
    try:
        start, stop = _delimited(feature, 1, len(feature))
        if kind == BYTES:
            values = []
            pos = start
            while pos < stop:
                if feature[pos] != 0x0A:
                    return None
                s, pos = _delimited(feature, pos + 1, stop)
                values.append(feature[s:pos])
            return values
        if start == stop:
            return np.zeros(0, np.float32 if kind == FLOAT else np.int64)
        tag = feature[start]
        if kind == FLOAT:
            if tag == 0x0A:  # packed: one block, whole floats only
                s, e = _delimited(feature, start + 1, stop)
                return np.frombuffer(feature, dtype="<f4", count=(e - s) // 4,
                                     offset=s).astype(np.float32)
            if tag != 0x0D:
                return None
            if (stop - start) % 5 or any(feature[i] != 0x0D for i in range(start, stop, 5)):
                return None
            raw = b"".join(feature[i + 1:i + 5] for i in range(start, stop, 5))
            return np.frombuffer(raw, dtype="<f4").astype(np.float32)
        values = []
        if tag == 0x0A:  # packed varints
            s, e = _delimited(feature, start + 1, stop)
            while s < e:
                value, s = _read_varint(feature, s, e)
                values.append(_to_signed(value))
        elif tag == 0x08:
            pos = start
            while pos < stop:
                if feature[pos] != 0x08:
                    return None
                value, pos = _read_varint(feature, pos + 1, stop)
                values.append(_to_signed(value))
        else:
            return None
        return np.asarray(values, dtype=np.int64)
    except DecodeError:
        return None
