/// Principal component analysis of the rows of a matrix: the directions of largest variance,
/// found by power iteration on the covariance with deflation (enough for the few components a
/// map needs).
public struct PrincipalComponents: Sendable {
    /// Column means of the data.
    public let mean: [Double]
    /// Unit directions, largest variance first.
    public let directions: [[Double]]
    /// Variance along each direction.
    public let variances: [Double]

    /// The first `count` components of `rows` (all of equal width).
    public init(_ rows: [[Double]], count: Int = 2, iterations: Int = 200) {
        let d = rows.first?.count ?? 0
        let n = Double(max(rows.count, 1))
        mean = (0..<d).map { c in rows.reduce(0) { $0 + $1[c] } / n }
        var covariance = [Double](repeating: 0, count: d * d)
        for row in rows {
            let centred = zip(row, mean).map { $0 - $1 }
            for a in 0..<d where centred[a] != 0 {
                for b in 0..<d { covariance[a * d + b] += centred[a] * centred[b] }
            }
        }
        for i in covariance.indices { covariance[i] /= n }
        var directions: [[Double]] = []
        var variances: [Double] = []
        for component in 0..<min(count, d) {
            // a fixed, non-degenerate start so the result is deterministic
            var v = (0..<d).map { 1 + Double(($0 + component) % 7) / 7 }
            var value = 0.0
            for _ in 0..<iterations {
                var next = (0..<d).map { a in (0..<d).reduce(0) { $0 + covariance[a * d + $1] * v[$1] } }
                for u in directions {  // stay orthogonal to the components found
                    let dot = zip(next, u).reduce(0) { $0 + $1.0 * $1.1 }
                    next = zip(next, u).map { $0 - dot * $1 }
                }
                let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-300 else { break }
                value = norm
                v = next.map { $0 / norm }
            }
            // sign convention: the largest entry positive
            if let big = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[big] < 0 { v = v.map { -$0 } }
            directions.append(v)
            variances.append(value)
        }
        self.directions = directions
        self.variances = variances
    }

    /// The coordinates of `row` along each direction.
    public func project(_ row: [Double]) -> [Double] {
        directions.map { u in zip(zip(row, mean), u).reduce(0) { $0 + ($1.0.0 - $1.0.1) * $1.1 } }
    }
}
