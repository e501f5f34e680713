def main(tf):
    out = {}
    cases = [(['a'], [[''],[0]], {}), (['a,1,2'], [[''],[0]], {}), (['a,x'], [[''],[0]], {}), ([','], [[''], tf.constant([], tf.int64)], {}),
       (['a,1.5'], [[''],[0.0]], {}), (['a,1e3'], [[''],[0]], {}), (['a,NA'], [[''],[7.0]], {'na_value': 'NA'}), (['a,b,3'], [[''],[0]], {'select_cols':[0,2]}),
       (['a,b,3,4'], [[''],[0]], {'select_cols':[0,2]}), (['a,b'], [[''],[0]], {'select_cols':[0,2]}),
       (['a"b,1'], [[''],[0]], {}), (['a"b,1'], [[''],[0]], {'use_quote_delim': False}), (['a;1'], [[''],[0]], {'field_delim': ';'}), (['a, 1'], [[''],[0.0]], {}),
       (['2147483648'], [[0]], {}), (['5'], [tf.constant([0], tf.int64)], {}), (['1.5'], [[0.0]], {}), (['1.5'], [tf.constant([0.0], tf.float64)], {}), (['"""x""",1'], [[''],[0]], {}),
       ([''], [['z']], {}), (['a,1'], [[''],[True]], {}), (['"ab'], [['']], {}), (['"a"b",1'], [[''],[0]], {}), (['a,1,'], [[''],[0],[9]], {}),
       (['+5, 7 ,-3'], [[0],[0],[0.0]], {}), (['inf,nan'], [[0.0],[0.0]], {}), (['1_0'], [[0]], {}), (['0x10'], [[0]], {}), (['1.'], [[0.0]], {}),
       ([' ', '\t'], [['d']], {}), (['a,1', 'b,2', 'c,3', 'd,4'], [[''],[0]], {}), ('x,9', [[''],[0]], {}), ([['a,1'],['b,2']], [[''],[0]], {}),
       (['a,1'], [[''],[0]], {'select_cols': [1, 0]}), (['a,1'], [[''],[0]], {'select_cols': [0]}), (['a|1'], [[''],[0]], {'field_delim': '||'}),
       (['1e40'], [[0.0]], {}), (['1e40'], [tf.constant([0.0], tf.float64)], {}), (['3.0'], [[0]], {})]
    for i, (recs, defs, kw) in enumerate(cases):
        try:
            out[str(i)] = [(t.dtype.name if t.dtype.name != "object" else "string", list(t.shape), [v.decode() if isinstance(v, bytes) else v for v in t.numpy().reshape(-1).tolist()]) for t in tf.io.decode_csv(recs, record_defaults=defs, **kw)]
        except Exception as e:
            msg = str(e)
            if "}} " in msg: msg = msg.split("}} ", 1)[1]
            out[str(i)] = f"{type(e).__name__}: {msg.splitlines()[0].replace(' [Op:DecodeCSV]', '')}"
    return out
