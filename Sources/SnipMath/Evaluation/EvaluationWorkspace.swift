/// Memory for evaluating expression after expression
/// (``Expression/evaluate(columns:in:)``): one block of slots, kept and grown as needed, where
/// each plain evaluation takes a new one. For many formulas on many points (the look-alike
/// tables of a training batch: 128 formulas on 25,600 points each) a new block of a few MB is
/// fresh zero pages from the kernel every time. Belongs to one thread at a time.
public final class EvaluationWorkspace {
    let arena = Evaluator.Arena(slots: 1, count: 1)

    /// An empty workspace; its memory grows to the largest evaluation it serves.
    public init() {}
}
