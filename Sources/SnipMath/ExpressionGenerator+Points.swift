import Foundation

/// Input points: clusters around random centroids, standardised per axis.
extension ExpressionGenerator {
    /// A standard normal draw (Box–Muller).
    static func normal(using generator: inout some RandomNumberGenerator) -> Double {
        let u1 = 1 - Double.random(in: 0..<1, using: &generator)  // (0, 1]
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A Haar-random rotation (orthogonal, determinant +1) of size d, as rows: Gram–Schmidt
    /// on a Gaussian matrix with the usual sign correction, then one row flipped if needed.
    static func randomRotation(_ d: Int, using generator: inout some RandomNumberGenerator)
        -> [[Double]]
    {
        while true {
            var rows = (0..<d).map { _ in (0..<d).map { _ in normal(using: &generator) } }
            var ok = true
            for i in 0..<d {
                for j in 0..<i {
                    let dot = zip(rows[i], rows[j]).reduce(0) { $0 + $1.0 * $1.1 }
                    for k in 0..<d { rows[i][k] -= dot * rows[j][k] }
                }
                let norm = rows[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
                if norm < 1e-12 {
                    ok = false
                    break
                }
                for k in 0..<d { rows[i][k] /= norm }
            }
            if !ok { continue }
            if determinant(rows) < 0 { rows[0] = rows[0].map { -$0 } }
            return rows
        }
    }

    /// The determinant by Gaussian elimination with partial pivoting.
    static func determinant(_ m: [[Double]]) -> Double {
        var a = m
        let n = a.count
        var det = 1.0
        for col in 0..<n {
            let pivot = (col..<n).max { Swift.abs(a[$0][col]) < Swift.abs(a[$1][col]) }!
            if a[pivot][col] == 0 { return 0 }
            if pivot != col {
                a.swapAt(pivot, col)
                det = -det
            }
            det *= a[col][col]
            for r in (col + 1)..<n {
                let f = a[r][col] / a[col][col]
                for k in col..<n { a[r][k] -= f * a[col][k] }
            }
        }
        return det
    }

    /// `pointCount` points of dimension d from `centroids` clusters (Gaussian or uniform, means
    /// N(0, 1), per-axis variances U(0, 1), random rotations for d > 1, multinomial counts with
    /// U(0, 1) weights), standardised per axis; `nil` when an axis has zero spread (the
    /// reference's division raises).
    func randomPoints(
        dimension d: Int, centroids: Int, gaussian: Bool,
        using generator: inout some RandomNumberGenerator
    ) -> [[Double]]? {
        let n = configuration.pointCount
        let means = (0..<centroids).map { _ in (0..<d).map { _ in Self.normal(using: &generator) } }
        let variances = (0..<centroids).map { _ in
            (0..<d).map { _ in Double.random(in: 0..<1, using: &generator) }
        }
        let rotations: [[[Double]]] = (0..<centroids).map { _ in
            d > 1 ? Self.randomRotation(d, using: &generator) : [[1]]
        }
        let weights = (0..<centroids).map { _ in Double.random(in: 0..<1, using: &generator) }
        var counts = [Int](repeating: 0, count: centroids)
        for _ in 0..<n { counts[Self.weightedIndex(weights, using: &generator)] += 1 }
        var points: [[Double]] = []
        points.reserveCapacity(n)
        for c in 0..<centroids {
            for _ in 0..<counts[c] {
                let p = (0..<d).map { k in
                    let spread = variances[c][k].squareRoot()
                    let noise =
                        gaussian
                        ? Self.normal(using: &generator)
                        : Double.random(in: -1..<1, using: &generator)
                    return means[c][k] + noise * spread
                }
                // Row vector times rotation: out[k] = Σ_j p[j] · R[j][k].
                points.append(
                    (0..<d).map { k in (0..<d).reduce(0) { $0 + p[$1] * rotations[c][$1][k] } })
            }
        }
        for k in 0..<d {
            let mean = points.reduce(0) { $0 + $1[k] } / Double(n)
            let variance = points.reduce(0) { $0 + ($1[k] - mean) * ($1[k] - mean) } / Double(n)
            let std = variance.squareRoot()
            guard std > 0 else { return nil }
            for i in 0..<n { points[i][k] = (points[i][k] - mean) / std }
        }
        return points
    }
}
