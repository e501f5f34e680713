"""The tf.math and tf.nn functions programs call around estimators (cannery/math.py,
cannery/nn.py): values worked out by hand, TensorFlow 2.15.1's dtypes and errors.

Float32 results are compared to the float32 rounding of the exact value with a
tolerance of a few units in the last place (numpy's and TensorFlow's kernels differ by
about one).
"""

import math

import numpy as np
import pytest

import cannery as tf

E = math.e


def close32(actual, expected, ulps=4):
    actual = np.asarray(actual)
    assert actual.dtype == np.float32
    np.testing.assert_allclose(actual, np.float32(expected), rtol=ulps * 2**-23, atol=1e-30)


def test_conversion_follows_tensorflows_sequence_rules():
    # Python floats convert straight to a float64 dtype (0.1, not float32's 0.1)
    assert tf.constant([0.1], tf.float64).tolist() == [0.1]
    assert tf.convert_to_tensor(0.1, tf.float64).numpy() == 0.1
    # a list's dtype comes from its first element: numpy float64 keeps float64, a Python
    # float or numpy int arrays give float32 / int32
    assert tf.constant([np.float64(1.5), 2.0]).dtype == np.float64
    assert tf.constant([1.5, np.float64(2.0)]).dtype == np.float32
    assert tf.constant([np.array([2], np.int64)]).dtype == np.int32
    # tf.stack(axis=0) converts the whole list first: [1, 2.5] is float32
    assert tf.stack([1, 2.5]).tolist() == [1.0, 2.5]
    assert tf.stack([np.array([2], np.int64)]).dtype == np.int32
    assert tf.stack([np.array([2], np.int64)], axis=1).dtype == np.int64


def test_logical_functions_take_bools_only():
    assert tf.math.logical_xor([True, False], [True, True]).tolist() == [False, True]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"cannot compute LogicalOr as input #0\(zero-based\) was expected "
                             r"to be a bool tensor but is a int32 tensor"):
        tf.math.logical_or(tf.constant([1]), tf.constant([0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:LogicalNot\]"):
        tf.math.logical_not(tf.constant([1]))
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.math.logical_and([1, 0], [True, True])


def test_softmax_log_softmax_and_logsumexp():
    # softmax([1, 2]) = [1, e] / (1 + e) = [0.26894142, 0.73105858]
    close32(tf.nn.softmax([1.0, 2.0]), [1 / (1 + E), E / (1 + E)])
    close32(tf.math.log_softmax([1.0, 2.0]), [-math.log(1 + E), 1 - math.log(1 + E)])
    # along axis 0 of [[1, 2], [3, 5]]: columns [1, 3] and [2, 5]
    close32(tf.nn.softmax([[1.0, 2.0], [3.0, 5.0]], axis=0),
            [[1 / (1 + E**2), 1 / (1 + E**3)], [E**2 / (1 + E**2), E**3 / (1 + E**3)]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"of int32 is not in the list of allowed values: half, bfloat16, "
                             r"float, double \[Op:Softmax\]"):
        tf.nn.softmax([1, 2])
    # logsumexp([1, 2]) = 2 + log(1 + e^-1) = 2.3132617
    close32(tf.reduce_logsumexp([1.0, 2.0]), 2 + math.log1p(math.exp(-1)))
    # an infinite maximum is not subtracted: -inf rows give -inf, +inf rows +inf
    assert tf.reduce_logsumexp([[-np.inf, -np.inf], [1.0, np.inf]], axis=1).tolist() == \
        [-np.inf, np.inf]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:IsFinite\]"):
        tf.reduce_logsumexp([1, 2])


def test_top_k_and_in_top_k():
    values, indices = tf.math.top_k([2, 2, 1, 2], k=3)
    # equal values: the lower index first
    assert values.tolist() == [2, 2, 2] and indices.tolist() == [0, 1, 3]
    assert indices.dtype == np.int32 and type(tf.math.top_k([1.0])).__name__ == "TopKV2"
    assert tf.nn.top_k([[1.0, 3.0], [4.0, 2.0]]).indices.tolist() == [[1], [0]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="input must have at least k columns. Had 2, needed 3"):
        tf.math.top_k([1, 3], k=3)
    # row 0: 0.9 is the largest -> in; row 1: a tie counts as in; row 2: label 5 is out
    # of range -> False; row 3: a NaN in the row -> False
    predictions = [[0.1, 0.9], [0.5, 0.5], [0.5, 0.2], [0.1, float("nan")]]
    assert tf.math.in_top_k([1, 0, 5, 0], predictions, 1).tolist() == [True, True, False, False]
    with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
        tf.math.in_top_k([0], tf.constant([[0.5, 0.2]], tf.float64), 1)


def test_confusion_matrix_bincount_count_nonzero():
    # (label, prediction) pairs (0,0), (1,2), (2,2): rows are labels
    matrix = tf.math.confusion_matrix([0, 1, 2], [0, 2, 2])
    assert matrix.dtype == np.int32
    assert matrix.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 1]]
    # weights are cast to the dtype: 1.5 -> 1 for int32
    assert tf.math.confusion_matrix([0, 1], [0, 1], num_classes=3, weights=[1.5, 2.0]) \
        .tolist() == [[1, 0, 0], [0, 2, 0], [0, 0, 0]]
    assert tf.math.confusion_matrix([0, 1, 1], [1, 1, 0], weights=[0.5, 1.5, 2.0],
                                    dtype=tf.float32).tolist() == [[0, 0.5], [2.0, 1.5]]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"`labels` contains negative values.  \nCondition x >= 0 did not "
                             r"hold element-wise:\nx \(shape=\(2,\) dtype=int64\) = \n"
                             r"\['0', '-1'\]"):
        tf.math.confusion_matrix([0, -1], [0, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="`labels` out of bound"):
        tf.math.confusion_matrix([0, 3], [0, 1], num_classes=2)
    # counts of 0..max: 1 twice, 3 once
    assert tf.math.bincount([1, 1, 3]).tolist() == [0, 2, 0, 1]
    weighted = tf.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0], minlength=5)
    assert weighted.dtype == np.float32 and weighted.tolist() == [0, 1.5, 0, 2.0, 0]
    assert tf.math.bincount([1, 1, 3], maxlength=2).tolist() == [0, 2]
    assert tf.math.bincount([[1, 2, 3, 0], [0, 0, 1, 2]], axis=-1).tolist() == \
        [[1, 1, 1, 1], [2, 1, 1, 0]]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Input arr must be non-negative"):
        tf.math.bincount([1, -1])
    assert tf.math.count_nonzero([0, 1, 2]).dtype == np.int64
    assert tf.math.count_nonzero(["", "a"]).tolist() == 1
    assert tf.math.count_nonzero([[0, 1.5], [0, 0]], axis=1, keepdims=True,
                                 dtype=tf.int32).tolist() == [[1], [0]]


def test_moments_of_reductions():
    # [1, 2, 4]: mean 7/3, variance (16 + 1 + 25) / 27 = 42/27, std sqrt(42/27)
    close32(tf.math.reduce_variance([1.0, 2.0, 4.0]), 42 / 27)
    close32(tf.math.reduce_std([1.0, 2.0, 4.0]), math.sqrt(42 / 27))
    with pytest.raises(TypeError, match="Input must be either real or complex. Received integer "
                                        "type <dtype: 'int32'>"):
        tf.math.reduce_std([1, 2])
    # integers keep their dtype: sqrt(9 + 25) = 5.83 -> 5
    assert tf.math.reduce_euclidean_norm([[3, 5], [3, 4]], axis=1).tolist() == [5, 5]
    assert tf.reduce_prod([1, 2, 3]).tolist() == 6
    assert tf.reduce_all([[True, False]], axis=1, keepdims=True).tolist() == [[False]]
    assert tf.reduce_any([False, True]).tolist() is True
    with pytest.raises(TypeError, match=r"Cannot convert \[1, 0\] to EagerTensor of dtype bool"):
        tf.reduce_all([1, 0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot compute Any as input #0"):
        tf.reduce_any(tf.constant([1, 0]))
    # zero_fraction: 2 zeros of 4
    assert tf.math.zero_fraction([0, 1, 2, 0]).tolist() == 0.5
    assert tf.math.zero_fraction([0, 1]).dtype == np.float32


def test_cumulative_sums_and_products():
    # exclusive, reversed: [2 + 3, 3, 0]
    assert tf.cumsum([1, 2, 3], exclusive=True, reverse=True).tolist() == [5, 3, 0]
    assert tf.math.cumprod([2.0, 3.0, 4.0], exclusive=True).tolist() == [1.0, 2.0, 6.0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"ScanOp: Expected scan axis in the range \[-1, 1\), but got 1"):
        tf.cumsum([1, 2], axis=1)


def test_segment_reductions():
    assert tf.math.segment_sum([1.0, 2.0, 3.0], [0, 0, 2]).tolist() == [3.0, 0.0, 3.0]
    # integers: (1 + 2) / 2 = 1 (C++ integer division); an empty segment is 0
    assert tf.math.segment_mean([1, 2, 4], [0, 0, 2]).tolist() == [1, 0, 4]
    assert tf.math.segment_max([1.0, 2.0, 3.0], [0, 0, 2]).tolist() == [2.0, 0.0, 3.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="segment ids are not increasing"):
        tf.math.segment_sum([1.0, 2.0, 3.0], [1, 0, 2])
    assert tf.math.unsorted_segment_sum([1.0, 2.0, 3.0], [2, 0, 2], 4).tolist() == \
        [2.0, 0.0, 4.0, 0.0]
    # empty segments of the unsorted max are float32's lowest value, not -inf
    lowest = float(np.finfo(np.float32).min)
    assert tf.math.unsorted_segment_max([1.0, 2.0, 3.0], [2, 0, 2], 4).tolist() == \
        [2.0, lowest, 3.0, lowest]
    # the mean of int32 divides with truediv: float64; id -1 is dropped
    mean = tf.math.unsorted_segment_mean([1, 2, 4], [2, 0, 2], 3)
    assert mean.dtype == np.float64 and mean.tolist() == [2.0, 0.0, 2.5]
    assert tf.math.unsorted_segment_mean([1.0, 2.0, 4.0], [2, 0, -1], 3).tolist() == [2, 0, 1]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"segment_ids\[1\] = 5 is out of range \[0, 3\)"):
        tf.math.unsorted_segment_sum([1.0, 2.0], [2, 5], 3)


def test_elementwise_math():
    # floor modulo takes the divisor's sign: -7 mod 3 = 2, 7 mod -3 = -2
    assert tf.math.floormod([-7, 7], [3, -3]).tolist() == [2, -2]
    assert tf.math.mod([-7.5], [2.0]).tolist() == [0.5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        tf.math.floormod([1], [0])
    # xlogy: 0 where x is 0 (even with y 0), else x log y = 2 ln 3
    close32(tf.math.xlogy([0.0, 2.0], [0.0, 3.0]), [0.0, 2 * math.log(3)])
    assert tf.math.xdivy([0.0, 2.0], [0.0, 4.0]).tolist() == [0.0, 0.5]
    assert tf.math.multiply_no_nan([float("inf"), 2.0], [0.0, 3.0]).tolist() == [0.0, 6.0]
    assert tf.math.reciprocal_no_nan([0.0, 2.0]).tolist() == [0.0, 0.5]
    assert tf.math.rint([0.5, 1.5, -1.7]).tolist() == [0.0, 2.0, -2.0]
    close32(tf.math.atan2([1.0, -1.0], [-1.0, -1.0]), [3 * math.pi / 4, -3 * math.pi / 4])
    close32(tf.math.erf([0.5]), [math.erf(0.5)])
    close32(tf.math.lgamma([0.5]), [math.log(math.sqrt(math.pi))])
    # digamma(1) = -Euler's gamma; digamma(0.5) = -gamma - 2 ln 2
    close32(tf.math.digamma([1.0, 0.5]), [-0.5772156649015329,
                                          -0.5772156649015329 - 2 * math.log(2)])
    assert tf.sin(tf.constant([0.5], tf.float64)).tolist() == [math.sin(0.5)]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:Sin\]"):
        tf.math.sin([1])
    # polyval: 1 x^2 + 2 x + 3 at 2 = 11
    assert tf.math.polyval([1.0, 2.0, 3.0], 2.0).tolist() == 11.0
    assert tf.math.polyval([], 2.0).tolist() == 0.0
    assert tf.math.add_n([[1, 2], [3, 4], [5, 6]]).tolist() == [9, 12]
    with pytest.raises(ValueError, match="at least one Tensor"):
        tf.math.add_n([])
    assert tf.math.scalar_mul(2, tf.constant([1.0, 2.0])).tolist() == [2.0, 4.0]
    with pytest.raises(TypeError, match="Cannot convert 2.5 to EagerTensor of dtype int32"):
        tf.math.scalar_mul(2.5, tf.constant([1, 2]))
    assert tf.math.is_non_decreasing([1, 1, 2]).tolist() is True
    assert tf.math.is_strictly_increasing([1, 1, 2]).tolist() is False
    with pytest.raises(TypeError, match="Expected x to be numeric"):
        tf.math.is_non_decreasing(["a", "b"])
    assert tf.realdiv([1.0, 2.0], 2).tolist() == [0.5, 1.0]
    with pytest.raises(tf.errors.NotFoundError, match=r"RealDiv\[T=DT_INT32\]"):
        tf.realdiv([1, 2], [2, 2])
    # l2_normalize: (3, 4) / 5
    close32(tf.math.l2_normalize([3.0, 4.0]), [0.6, 0.8])
    assert tf.nn.l2_normalize([0.0, 0.0]).tolist() == [0.0, 0.0]
    with pytest.raises(TypeError, match="Cannot convert 1e-12 to EagerTensor of dtype int32"):
        tf.math.l2_normalize([3, 4])


def test_cross_entropies():
    # sigmoid: max(x, 0) - x z + log(1 + e^-|x|): labels (1, 0), logits (2, -1)
    # -> log(1 + e^-2) = 0.126928, log(1 + e^-1) = 0.3132617
    expected = [math.log1p(math.exp(-2)), math.log1p(math.exp(-1))]
    close32(tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[2.0, -1.0]),
            expected)
    with pytest.raises(ValueError, match=r"`logits` and `labels` must have the same shape, "
                                         r"received \(\(1,\) vs \(2,\)\)"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1.0, 0.0], logits=[2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot compute Mul as input #1"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=[1, 0], logits=[2.0, -1.0])
    # weighted, pos_weight 3: 3 log(1 + e^-2) = 0.380784; -1 + log(1 + e^-1) + 1
    close32(tf.nn.weighted_cross_entropy_with_logits([1.0, 0.0], [2.0, -1.0], 3.0),
            [3 * expected[0], expected[1]])
    # softmax: -log(e^2 / (e + e^2)) = log(1 + e^-1); integer labels are cast
    close32(tf.nn.softmax_cross_entropy_with_logits(labels=[[0, 1]], logits=[[1.0, 2.0]]),
            [expected[1]])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"logits and labels must be broadcastable: logits_size=\[1,2\] "
                             r"labels_size=\[1,3\]"):
        tf.nn.softmax_cross_entropy_with_logits(labels=[[0.0, 1.0, 0.0]], logits=[[1.0, 2.0]])
    # sparse: rows [1, 2] label 1 and [3, 1] label 0
    close32(tf.nn.sparse_softmax_cross_entropy_with_logits([1, 0], [[1.0, 2.0], [3.0, 1.0]]),
            [math.log1p(math.exp(-1)), math.log1p(math.exp(-2))])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 2 which is outside the valid range of "
                             r"\[0, 2\).  Label values: 2 0"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([2, 0], [[1.0, 2.0], [3.0, 1.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="attr 'Tlabels' of float"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([1.0], [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"`labels.shape.rank` must equal `logits.shape.rank - 1`"):
        tf.nn.sparse_softmax_cross_entropy_with_logits([[1]], [[1.0, 2.0]])


def test_nn_helpers():
    assert tf.nn.l2_loss([3.0, 4.0]).tolist() == 12.5  # (9 + 16) / 2
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[Op:L2Loss\]"):
        tf.nn.l2_loss([3, 4])
    # columns [1, 3] and [2, 6]: means 2 and 4, variances 1 and 4
    mean, variance = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 6.0]]), axes=[0])
    assert mean.tolist() == [2.0, 4.0] and variance.tolist() == [1.0, 4.0]
    assert tf.nn.moments(tf.constant([1, 2]), axes=[0])[0].dtype == np.int32
    table = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert tf.nn.embedding_lookup(table, [[2], [0]]).tolist() == [[[5.0, 6.0]], [[1.0, 2.0]]]
    # three shards of 2, 2, 1 rows in TensorFlow 2's "div" order: ids 0-1, 2-3, 4
    shards = [tf.constant([[0.0], [1.0]]), tf.constant([[2.0], [3.0]]), tf.constant([[4.0]])]
    assert tf.nn.embedding_lookup(shards, [4, 0, 3]).tolist() == [[4.0], [0.0], [3.0]]
    # a Python list of lists is such a list of shards: [[1, 2], [3, 4]] is two 1-D shards,
    # so id 2 is the first value of the second
    assert tf.nn.embedding_lookup([[1.0, 2.0], [3.0, 4.0]], [2]).tolist() == [3.0]
    close32(tf.nn.embedding_lookup(tf.constant([[3.0, 4.0]]), [0], max_norm=1.0), [[0.6, 0.8]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 2 is not in"):
        tf.nn.embedding_lookup(tf.constant([[1.0], [2.0]]), [2])
    assert tf.nn.bias_add([[1.0, 2.0]], [1.0, 1.0]).tolist() == [[2.0, 3.0]]
    assert tf.nn.bias_add(tf.ones([1, 2, 3]), [1.0, 2.0], data_format="NCHW")[0, :, 0] \
        .tolist() == [2.0, 3.0]
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Must provide as many biases as the last dimension of the input "
                             r"tensor: \[1\] vs. \[1,2\]"):
        tf.nn.bias_add([[1.0, 2.0]], [1.0])
    # exp(c) - c z: exp(0.5) - 0.5, exp(1) - 2
    close32(tf.nn.log_poisson_loss([1.0, 2.0], [0.5, 1.0]), [math.exp(0.5) - 0.5, E - 2])
    # full loss adds z log z - z + 0.5 log(2 pi z) for z = 2 (not for z in [0, 1])
    stirling = 2 * math.log(2) - 2 + 0.5 * math.log(4 * math.pi)
    close32(tf.nn.log_poisson_loss([0.0, 2.0], [0.5, 1.0], compute_full_loss=True),
            [math.exp(0.5), E - 2 + stirling], ulps=8)
    assert tf.nn.compute_average_loss([1.0, 2.0, 3.0]).tolist() == 2.0
    close32(tf.nn.compute_average_loss([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 2.0]), 7 / 3)
    assert tf.nn.compute_average_loss([1.0, 2.0, 3.0], global_batch_size=6).tolist() == 1.0
    assert tf.nn.compute_average_loss([1, 2]).dtype == np.float64
    with pytest.raises(tf.errors.InvalidArgumentError, match="global_batch_size must be "
                                                             "non-negative"):
        tf.nn.compute_average_loss([1.0], global_batch_size=-2)
