extension ExpressionGenerator {
    /// The buffers an attempt works in, kept from attempt to attempt and sample to sample (one
    /// per thread) so that drawing and evaluating a tree allocates almost nothing once they
    /// have grown.
    struct AttemptScratch {
        /// The shape being drawn.
        var shape = TreeShape()
        /// ``randomShape``'s position weights.
        var weights: [Double] = []
        /// ``randomShape``'s shuffled node order.
        var order: [Int] = []
        /// ``addUnaries``'s subtree sizes.
        var sizes: [Int32] = []
        /// ``addUnaries``'s decorated nodes.
        var decorated: [Int32] = []
        /// ``addUnaries``'s shuffled ordinals.
        var ordinals: [Int] = []
        /// The evaluator's slots.
        let arena = Evaluator.Arena(slots: 16, count: 200)
    }
}
