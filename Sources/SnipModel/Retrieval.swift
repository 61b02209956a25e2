import SnipTensor

/// How often an expression's own points rank among the k nearest of all candidates'
/// points (and the other way round), by the CLIP score z_f · z_y.
public struct RetrievalMetrics: Codable, Equatable, Sendable {
    /// Number of candidates (each expression competes against all point sets).
    public var candidates: Int
    /// The ranks counted: accuracy[i] is the top-`ks[i]` accuracy.
    public var ks: [Int]
    /// Expression → points.
    public var symbolicToNumeric: [Double]
    /// Points → expression.
    public var numericToSymbolic: [Double]
    /// What guessing gives: k / candidates.
    public var chance: [Double]

    /// Ranks by the scores `symbolic[i] · numeric[j]` (latents `[N, L]`, row i of each from the
    /// same sample).
    public init(symbolic: Tensor, numeric: Tensor, ks: [Int] = [1, 5]) {
        precondition(symbolic.shape == numeric.shape && symbolic.rank == 2, "retrieval: \(symbolic.shape) vs \(numeric.shape)")
        self.init(scores: withoutGrad { Tensor.matmul(symbolic, numeric, transposeB: true) }, ks: ks)
    }

    /// Ranks by `scores` (`[N, N]`: expression i against points j, as ``SNIPModel/scores(symbolic:numeric:)`` gives).
    public init(scores matrix: Tensor, ks: [Int] = [1, 5]) {
        precondition(matrix.rank == 2 && matrix.shape[0] == matrix.shape[1], "retrieval: scores \(matrix.shape)")
        let n = matrix.shape[0]
        let scores = matrix.scalars  // [N, N]
        func topK(_ score: (Int, Int) -> Float) -> [Double] {
            var hits = [Int](repeating: 0, count: ks.count)
            for i in 0..<n {
                let own = score(i, i)
                // rank = how many candidates score strictly higher than the right one
                let rank = (0..<n).reduce(0) { $0 + (score(i, $1) > own ? 1 : 0) }
                for (index, k) in ks.enumerated() where rank < k { hits[index] += 1 }
            }
            return hits.map { Double($0) / Double(max(n, 1)) }
        }
        candidates = n
        self.ks = ks
        symbolicToNumeric = topK { scores[$0 * n + $1] }
        numericToSymbolic = topK { scores[$1 * n + $0] }
        chance = ks.map { Double(min($0, n)) / Double(max(n, 1)) }
    }
}
