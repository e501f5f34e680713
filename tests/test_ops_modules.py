"""tf.nest, tf.debugging, tf.config, tf.version and tf.dtypes after ``import cannery as tf``
(cannery/nest.py, debugging.py, config.py, version.py, dtypes.py).

The messages are TensorFlow 2.15.1's (tensorflow/python/util/nest_util.py and
tensorflow/python/ops/check_ops.py, eager mode), checked against it with
tools/tf_diff/programs/ops/p_nest_debug.py and p_config.py.
"""

import collections

import numpy as np
import pytest

import cannery as tf

P = collections.namedtuple("P", "a b")
Q = collections.namedtuple("Q", "a b")


def test_nest_flattens_mappings_by_sorted_key_and_rebuilds_them():
    structure = {"b": [1, (2, 3)], "a": P(4, {"z": 5, "y": None})}
    # a < b; inside P: a=4, then the dict {"y": None, "z": 5}
    assert tf.nest.flatten(structure) == [4, None, 5, 1, 2, 3]
    assert tf.nest.flatten(collections.OrderedDict([("b", 1), ("a", 2)])) == [2, 1]
    leaves = [None, "ab", {1, 2}]
    assert [tf.nest.flatten(x) for x in leaves] == [[None], ["ab"], [{1, 2}]]
    sparse = tf.SparseTensor([[0]], [1], [2])
    assert tf.nest.flatten({"s": sparse}) == [sparse]
    assert len(tf.nest.flatten({"s": sparse}, expand_composites=True)) == 3
    packed = tf.nest.pack_sequence_as({"b": [0, 0], "a": P(0, 0)}, [1, 2, 3, 4])
    assert packed == {"b": [3, 4], "a": P(1, 2)} and isinstance(packed["a"], P)
    ordered = tf.nest.pack_sequence_as(collections.OrderedDict([("b", 0), ("a", 0)]), [1, 2])
    assert list(ordered.items()) == [("b", 2), ("a", 1)]
    with pytest.raises(ValueError, match=r"Could not pack sequence. Structure had 2 atoms, but "
                                         r"flat_sequence had 1 items."):
        tf.nest.pack_sequence_as([0, 0], [1])
    with pytest.raises(TypeError, match="Attempted to pack value"):
        tf.nest.pack_sequence_as([0], 5)
    assert tf.nest.map_structure(lambda x, y: x + y, {"a": 1, "b": (2, 3)},
                                 {"a": 10, "b": (20, 30)}) == {"a": 11, "b": (22, 33)}
    assert [tf.nest.is_nested(x) for x in ([1], "a", {}, np.ones(2), tf.constant([1]), {1})] \
        == [True, False, True, False, False, False]


def test_nest_structure_mismatches_carry_tensorflows_messages():
    with pytest.raises(ValueError) as error:
        tf.nest.assert_same_structure([1, 2], [4, 5, 6])
    assert str(error.value) == (
        "The two structures don't have the same nested structure.\n\n"
        "First structure: type=list str=[1, 2]\n\nSecond structure: type=list str=[4, 5, 6]\n\n"
        "More specifically: The two structures don't have the same number of elements. First "
        "structure: type=list str=[1, 2]. Second structure: type=list str=[4, 5, 6]\n"
        "Entire first structure:\n[., .]\nEntire second structure:\n[., ., .]")
    with pytest.raises(TypeError, match="The two namedtuples don't have the same sequence type"):
        tf.nest.assert_same_structure([1, 2], (4, 5))
    with pytest.raises(TypeError, match="has type P, while second structure"):
        tf.nest.assert_same_structure(P(1, 2), Q(1, 2))
    tf.nest.assert_same_structure(P(1, 2), Q(1, 2), check_types=False)
    tf.nest.assert_same_structure({"a": 1}, collections.OrderedDict(a=1))
    with pytest.raises(ValueError, match='Substructure "type=tuple str=\\(2, 3\\)" is a sequence, '
                                         'while substructure "type=int str=5" is not'):
        tf.nest.assert_same_structure([4, 5], [1, (2, 3)])
    with pytest.raises(ValueError, match="don't have the same set of keys"):
        tf.nest.map_structure(lambda x, y: x, {"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="Only valid keyword arguments are `check_types` and "
                                         "`expand_composites`, not: `foo`"):
        tf.nest.map_structure(lambda x: x, [1], foo=1)


def test_binary_assertions_list_the_first_differences():
    assert tf.debugging.assert_equal([1, 2], [1, 2]) is None
    assert tf.assert_equal([1, 1], 1) is None  # broadcast
    with pytest.raises(tf.errors.InvalidArgumentError) as error:
        tf.assert_equal([1, 2], [1, 3], message="my msg")
    assert str(error.value) == (
        "my msg\nCondition x == y did not hold.\nIndices of first 1 different values:\n[[1]]\n"
        "Corresponding x values:\n[2]\nCorresponding y values:\n[3]\n"
        "First 2 elements of x:\n[1 2]\nFirst 2 elements of y:\n[1 3]")
    # shapes differ: no indices, the first elements only
    with pytest.raises(tf.errors.InvalidArgumentError) as error:
        tf.debugging.assert_less(tf.constant([1.0, 2.0]), 2.0)
    assert str(error.value) == ("Condition x < y did not hold.\nFirst 2 elements of x:\n[1. 2.]\n"
                                "First 1 elements of y:\n[2.]")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. "
                                                             r"\[3\]"):
        tf.assert_equal([1, 2], [1, 2, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot compute Less as input #1"):
        tf.assert_less(tf.constant([1, 2]), tf.constant([2.0, 3.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"First 1 elements of x:\n\[1\]"):
        tf.assert_greater(tf.constant([1, 2]), 1, summarize=1)


def test_sign_rank_type_assertions():
    with pytest.raises(tf.errors.InvalidArgumentError) as error:
        tf.debugging.assert_positive([1, 0])
    assert str(error.value) == ("\nCondition x > 0 did not hold element-wise:\n"
                                "x (shape=(2,) dtype=int32) = \n['1', '0']")
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"weights.  \nCondition x > 0"):
        tf.debugging.assert_positive([1.5, -2.0, 3.0, 4.0], message="weights", summarize=2)
    # TensorFlow's assert_non_positive joins these two lines (a missing comma in its source)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"did not hold element-wise:x \(shape=\(1,\) dtype=int32\)"):
        tf.debugging.assert_non_positive([1])
    assert tf.assert_rank([[1]], 2) is None
    with pytest.raises(ValueError, match=r"^m.  Tensor  must have rank 1.  Received rank 2, "
                                         r"shape \(1, 1\)$"):
        tf.debugging.assert_rank(tf.constant([[1]]), 1, message="m")
    with pytest.raises(ValueError, match="Rank must be a scalar."):
        tf.assert_rank([[1]], [1, 2])
    with pytest.raises(ValueError, match=r"must have rank in \(0, 2\)"):
        tf.debugging.assert_rank_in(tf.constant([1.0]), [0, 2])
    with pytest.raises(TypeError, match="tensor must be of type tf.float32; got tf.int32"):
        tf.debugging.assert_type(tf.constant([1]), tf.float32)
    with pytest.raises(TypeError, match="Expected \"x\" to be integer type.  Found: tensor of "
                                        "dtype <dtype: 'float32'>"):
        tf.debugging.assert_integer(tf.constant([1.0]))
    with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(1,\)."):
        tf.debugging.assert_scalar(tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad : Tensor had Inf and NaN values"):
        tf.debugging.check_numerics(tf.constant([float("nan"), float("inf")]), "bad")
    assert tf.debugging.check_numerics(tf.constant([1.0]), "ok").tolist() == [1.0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Expected 'False' to be true. Summarized data: b'x is'\n1, 2"):
        tf.debugging.Assert(False, ["x is", tf.constant([1, 2])])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Expected 'tf.Tensor\(False, shape=\(\), dtype=bool\)' to be true. "
                             r"Summarized data: 0, 1, ..."):
        tf.Assert(tf.constant(False), [tf.range(5)], summarize=2)


def test_config_lists_the_cpu_and_stores_its_settings():
    assert tf.config.list_physical_devices() == [
        tf.config.PhysicalDevice(name="/physical_device:CPU:0", device_type="CPU")]
    assert repr(tf.config.list_logical_devices("CPU")[0]) == \
        "LogicalDevice(name='/device:CPU:0', device_type='CPU')"
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices("cpu") == []  # case-sensitive, as in TensorFlow
    assert tf.config.experimental.list_physical_devices("CPU") == \
        tf.config.list_physical_devices("CPU")
    # the model-config loader of cannery.config is still there
    assert callable(tf.config.load) and tf.config.ConfigError
    before = tf.config.threading.get_intra_op_parallelism_threads()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(2)
        assert tf.config.threading.get_intra_op_parallelism_threads() == 2
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(before)
    assert tf.config.threading.get_inter_op_parallelism_threads() == 0
    tf.config.set_visible_devices([], "GPU")
    assert tf.config.get_visible_devices() == tf.config.list_physical_devices()
    for gpu in tf.config.list_physical_devices("GPU"):  # the usual loop: never runs
        tf.config.experimental.set_memory_growth(gpu, True)
    with pytest.raises(ValueError, match="Cannot set memory growth on non-GPU"):
        tf.config.experimental.set_memory_growth(tf.config.list_physical_devices()[0], True)
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() is True
    finally:
        tf.config.run_functions_eagerly(False)
    assert tf.config.get_soft_device_placement() is True


def test_version_and_dtypes_modules():
    assert tf.version.VERSION == "2.15.1"
    assert tf.version.GIT_VERSION.startswith("cannery-v")
    assert tf.version.GRAPH_DEF_VERSION == 1645
    assert tf.dtypes.float32 is tf.float32 and tf.dtypes.DType is tf.DType
    assert tf.dtypes.double is tf.float64 and tf.dtypes.half is tf.float16
    assert tf.dtypes.as_dtype("float32") is tf.float32
    assert tf.dtypes.cast([1.5], tf.int32).tolist() == [1]
