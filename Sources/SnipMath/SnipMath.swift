/// The `SnipMath` layer of snip: the symbolic and numeric data of SNIP, reproducing the
/// reference implementation's behaviour (see `shared/REFERENCE.md`).
///
/// - ``Expression``: trees in the reference grammar, parsed from and printed to the reference's
///   prefix and infix strings (leaf texts are kept, so printing is exact), skeletons, equation
///   tokens, and vectorised float64 evaluation with the reference's NaN rules, including the
///   in-place NaN writes that numpy views make visible, and numpy's `seterr(all='raise')` regime
///   (``Expression/evaluateRaising(rows:)``).
/// - ``Vocabulary`` and ``FloatTokenizer``: the float and equation vocabularies (with the
///   duplicated special words) and the three-token float encoding.
/// - ``FunctionProperties``: upward, yavg, oscil and ncr (sampled and exact).
/// - ``Sample``, ``DataPrefixReader``, ``DataPrefixWriter``: `data.prefix` JSON lines.
/// - ``ExpressionGenerator``: random expressions and points drawn as the reference draws them;
///   on ``NumpyLegacyRandom`` it replays the reference's own samples (dimension 1), on any Swift
///   generator (``SwiftRandomSource``) it has the reference's distribution.
/// - ``JSONValue``: an exact JSON reader (Foundation's mis-rounds some doubles on Linux).
public enum SnipMath {}
