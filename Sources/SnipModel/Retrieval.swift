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

/// One retrieved candidate.
public struct RetrievalMatch: Sendable, Equatable {
    /// The candidate's position among the candidates.
    public var index: Int
    /// Its score against the query (the model's contract: dot product or cosine).
    public var score: Float
}

extension SNIPModel {
    /// The `k` best candidates for each query, best first (equal scores by position).
    ///
    /// Queries and candidates are latents (`[Q, L]`, `[N, L]`) from opposite encoders:
    /// `symbolicQueries` says whether the queries are z_f (formulas → point sets) or z_y
    /// (point sets → formulas); scores follow the model's contract.
    public func nearest(queries: Tensor, candidates: Tensor, symbolicQueries: Bool, k: Int) -> [[RetrievalMatch]] {
        let scores = symbolicQueries
            ? self.scores(symbolic: queries, numeric: candidates)  // [Q, N]
            : self.scores(symbolic: candidates, numeric: queries).transposed()  // [Q, N]
        let (q, n) = (scores.shape[0], scores.shape[1])
        let values = scores.scalars
        return (0..<q).map { row in
            let order = (0..<n).sorted {
                let (a, b) = (values[row * n + $0], values[row * n + $1])
                return a != b ? a > b : $0 < $1
            }
            return order.prefix(max(0, k)).map { RetrievalMatch(index: $0, score: values[row * n + $0]) }
        }
    }
}
