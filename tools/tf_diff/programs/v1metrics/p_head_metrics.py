"""Every v1 head's eval metrics on fixed logits, over several batches (streaming).

TensorFlow: the v1 heads of tensorflow_estimator/python/estimator/canned/head.py in a
graph (their eval_metric_ops: update per batch, then read the values). cannery: the
head with metrics_version=1, create_metrics().update per batch, result().
Cases cover weights (fractional, zero, a negative total), ties at thresholds (logit 0
gives 0.5 exactly), saturated probabilities (0 and 1), soft labels, vocabularies, names.
"""
import numpy as np

N_BATCHES = 3


def _cases():
    rng = np.random.default_rng(1)
    cases = {}

    def batches(make):
        return [make(b) for b in range(N_BATCHES)]

    def bin_batch(b, weighted=False, soft=False, vocab=None, extreme=False, negative=False):
        n = 8
        logits = (rng.normal(size=(n, 1)) * 2).astype(np.float32)
        logits[0, 0] = 0.0  # probability 0.5 exactly: ties with threshold 0.5
        # (no other exact ties: TF's float32 sigmoid of log(0.3 / 0.7) is 0.29999998,
        # cannery's 0.3, so accuracy at 0.3 would differ by that ulp alone)
        if extreme:
            logits[2, 0] = 40.0   # probability 1.0
            logits[3, 0] = -120.0  # probability 0 (below float32's smallest)
        labels = rng.integers(0, 2, size=(n, 1)).astype(np.float32)
        if soft:
            labels[:3, 0] = [0.3, 0.7, 1.0]
        if vocab:
            labels = np.array(vocab, dtype=object)[labels.astype(int)]
        w = None
        if weighted:
            w = rng.uniform(0, 2, size=(n, 1)).astype(np.float32)
            w[4, 0] = 0.0
            if negative:
                w = -w
        return logits, labels, w

    for name, kw, head_kw in [
        ("bin", {}, {}),
        ("bin_w", {"weighted": True}, {}),
        ("bin_thr", {"weighted": True, "extreme": True}, {"thresholds": [0.3, 0.5, 0.7]}),
        ("bin_thr_unw", {"extreme": True}, {"thresholds": [0.5]}),
        ("bin_soft", {"soft": True}, {"thresholds": [0.5]}),
        ("bin_vocab_named", {"vocab": ["no", "yes"], "weighted": True}, {"label_vocabulary": ["no", "yes"], "name": "h"}),
        ("bin_negative", {"weighted": True, "negative": True}, {"thresholds": [0.5]}),
    ]:
        cases[name] = ("binary", head_kw, batches(lambda b: bin_batch(b, **kw)))
    # all probabilities 0.5 (a zero-initialised model)
    zero = [(np.zeros((4, 1), np.float32), np.array([[1], [0], [1], [1]], np.float32), None)
            for _ in range(2)]
    cases["bin_zero"] = ("binary", {"thresholds": [0.5]}, zero)
    # only negatives / only positives
    cases["bin_allneg"] = ("binary", {}, [(np.array([[1.0], [-1.0]], np.float32), np.zeros((2, 1), np.float32), None)])
    cases["bin_allpos"] = ("binary", {}, [(np.array([[1.0], [-1.0]], np.float32), np.ones((2, 1), np.float32), None)])

    def mc_batch(b, weighted=False, vocab=None):
        n = 8
        logits = rng.normal(size=(n, 3)).astype(np.float32)
        labels = rng.integers(0, 3, size=(n, 1))
        if vocab:
            labels = np.array(vocab, dtype=object)[labels]
        w = rng.uniform(0, 2, size=(n, 1)).astype(np.float32) if weighted else None
        return logits, labels, w
    cases["mc"] = ("multi", {"n_classes": 3}, batches(lambda b: mc_batch(b)))
    cases["mc_w_vocab"] = ("multi", {"n_classes": 3, "label_vocabulary": ["a", "b", "c"]},
                           batches(lambda b: mc_batch(b, True, ["a", "b", "c"])))

    def reg_batch(b, dim=1, weighted=None):
        n = 8
        logits = rng.normal(size=(n, dim)).astype(np.float32)
        labels = rng.normal(size=(n, dim)).astype(np.float32)
        w = None
        if weighted:
            w = rng.uniform(0, 2, size=(n, weighted)).astype(np.float32)
        return logits, labels, w
    cases["reg"] = ("regression", {}, batches(lambda b: reg_batch(b)))
    cases["reg_w"] = ("regression", {}, batches(lambda b: reg_batch(b, 1, 1)))
    cases["reg2_w1"] = ("regression", {"label_dimension": 2}, batches(lambda b: reg_batch(b, 2, 1)))
    cases["reg2_w2"] = ("regression", {"label_dimension": 2, "name": "r"}, batches(lambda b: reg_batch(b, 2, 2)))
    return cases


def _tf_metrics(tf, kind, head_kw, batches):
    from tensorflow_estimator.python.estimator.canned import head as head_lib
    v1 = tf.compat.v1
    weighted = batches[0][2] is not None
    g = tf.Graph()
    with g.as_default():
        kw = dict(head_kw)
        if weighted:
            kw["weight_column"] = "w"
        if kind == "binary":
            head = head_lib._binary_logistic_head_with_sigmoid_cross_entropy_loss(**kw)
        elif kind == "multi":
            head = head_lib._multi_class_head_with_softmax_cross_entropy_loss(**kw)
        else:
            head = head_lib._regression_head(**kw)
        logits0, labels0, w0 = batches[0]
        lp = v1.placeholder(tf.float32, [None, logits0.shape[1]])
        ldtype = tf.string if labels0.dtype == object else tf.as_dtype(labels0.dtype)
        yp = v1.placeholder(ldtype, [None, labels0.shape[1]])
        features = {"x": lp}
        if weighted:
            wp = v1.placeholder(tf.float32, [None, w0.shape[1]])
            features["w"] = wp
        spec = head.create_estimator_spec(features, tf.estimator.ModeKeys.EVAL, lp, labels=yp)
        ops = spec.eval_metric_ops
        with v1.Session() as s:
            s.run([v1.local_variables_initializer(), v1.tables_initializer()])
            for logits, labels, w in batches:
                feed = {lp: logits, yp: labels.astype(str) if labels.dtype == object else labels}
                if weighted:
                    feed[wp] = w
                s.run({k: v[1] for k, v in ops.items()}, feed)
            return s.run({k: v[0] for k, v in ops.items()})


def _cannery_metrics(tf, kind, head_kw, batches):
    weighted = batches[0][2] is not None
    kw = dict(head_kw, metrics_version=1)
    if weighted:
        kw["weight_column"] = "w"
    if kind == "binary":
        head = tf.estimator.BinaryClassHead(**kw)
    elif kind == "multi":
        head = tf.estimator.MultiClassHead(**kw)
    else:
        head = tf.estimator.RegressionHead(**kw)
    metrics = head.create_metrics()
    for logits, labels, w in batches:
        metrics.update(logits, labels, w)
    return metrics.result()


def main(tf):
    out = {}
    run = _tf_metrics if tf.__name__ == "tensorflow" else _cannery_metrics
    for name, (kind, head_kw, batches) in _cases().items():
        try:
            result = run(tf, kind, head_kw, batches)
            out[name] = {k: np.asarray(v) for k, v in result.items()}
        except Exception as e:
            out[name] = f"{type(e).__name__}: {e}"[:300]
    return out
