import Foundation

// Speed code: pointer-carved buffers, batched draws, SIMD rotations. The plain version of the
// same draws, on arrays, is `PlainGenerator.randomPoints` in PlainGenerator.swift;
// PlainGeneratorTests checks the two agree bit for bit.

/// Input points: clusters around random centroids, standardised per axis.
extension ExpressionGenerator {
    /// A Haar-random rotation (orthogonal, determinant +1) of size d written to `m` as d·d
    /// row-major values: Gram–Schmidt on a Gaussian matrix, then one row flipped if needed.
    static func randomFlatRotation(
        _ d: Int, into m: UnsafeMutablePointer<Double>, source: inout some GeneratorRandomSource
    ) {
        while true {
            source.gaussians(into: m, count: d * d)
            let ok = { () -> Bool in
                for i in 0..<d {
                    let row = m + i * d
                    for j in 0..<i {
                        let other = m + j * d
                        var dot = 0.0
                        for k in 0..<d { dot += row[k] * other[k] }
                        for k in 0..<d { row[k] -= dot * other[k] }
                    }
                    var squares = 0.0
                    for k in 0..<d { squares += row[k] * row[k] }
                    let norm = squares.squareRoot()
                    if norm < 1e-12 { return false }
                    for k in 0..<d { row[k] /= norm }
                }
                return true
            }()
            if !ok { continue }
            if flatDeterminant(UnsafeBufferPointer(start: m, count: d * d), d) < 0 {
                for k in 0..<d { m[k] = -m[k] }
            }
            return
        }
    }

    /// The determinant of a row-major n×n matrix by Gaussian elimination with partial pivoting
    /// on a copy. Entries left of the pivot column are never read again, so swaps and
    /// eliminations skip them.
    static func flatDeterminant(_ m: UnsafeBufferPointer<Double>, _ n: Int) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: n * n) { buffer -> Double in
            _ = buffer.initialize(fromContentsOf: m)
            let a = buffer.baseAddress!
            var det = 1.0
            for col in 0..<n {
                var pivot = col  // the first row of largest magnitude, as `max(by:)` picks
                var largest = Swift.abs(a[col * n + col])
                for r in (col + 1)..<n where largest < Swift.abs(a[r * n + col]) {
                    pivot = r
                    largest = Swift.abs(a[r * n + col])
                }
                if largest == 0 { return 0 }
                let top = a + col * n
                if pivot != col {
                    let other = a + pivot * n
                    for k in col..<n {
                        let t = top[k]
                        top[k] = other[k]
                        other[k] = t
                    }
                    det = -det
                }
                let diagonal = top[col]
                det *= diagonal
                for r in (col + 1)..<n {
                    let row = a + r * n
                    let f = row[col] / diagonal
                    for k in (col + 1)..<n { row[k] -= f * top[k] }
                }
            }
            return det
        }
    }

    /// `pointCount` points of dimension d from `centroids` clusters, as columns ([d][n]), drawn
    /// as the reference's `_generate_datapoints`: means N(0, 1) and per-axis variances U(0, 1)
    /// per centroid, rotations (d > 1), U(0, 1) weights normalised, multinomial counts, then per
    /// centroid Gaussian (`multivariate_normal` with a diagonal covariance) or uniform
    /// (mean + U(−1, 1)·√variance) points, and per-axis standardisation (numpy's pairwise
    /// sums). `nil` when an axis has zero spread (the reference's division raises).
    func randomPoints(
        dimension d: Int, centroids: Int, gaussian: Bool, source: inout some GeneratorRandomSource
    ) -> [[Double]]? {
        let n = configuration.pointCount
        // One block: means and spreads [centroids][d], rotations [centroids][d][d], weights
        // and probabilities [centroids], the points column-major [d][n], a cluster's draws
        // row-major [count][d] and its points column-major [d][count], squares [n]; counts
        // [centroids] apart.
        let rotationSize = d > 1 ? d * d : 0
        let clusterSize = d > 1 ? n * d : 0
        let size = centroids * (2 * d + rotationSize + 2) + n * d + 2 * clusterSize + n
        let block = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(size, 1))
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(centroids, 1))
        defer {
            block.deallocate()
            counts.deallocate()
        }
        let means = block
        let spreads = means + centroids * d
        let rotations = spreads + centroids * d
        let weights = rotations + centroids * rotationSize
        let probabilities = weights + centroids
        let buffer = probabilities + centroids
        let draws = buffer + n * d
        let cluster = draws + clusterSize
        let squares = cluster + clusterSize
        source.gaussians(into: means, count: centroids * d)
        // The variances, kept as their square roots (all they are used for).
        source.uniforms(0, 1, into: spreads, count: centroids * d)
        for i in 0..<(centroids * d) { spreads[i] = spreads[i].squareRoot() }
        if d > 1 {
            for c in 0..<centroids {
                Self.randomFlatRotation(d, into: rotations + c * rotationSize, source: &source)
            }
        }
        // The weights normalised as ``normalised(_:)`` does.
        source.uniforms(0, 1, into: weights, count: centroids)
        let total = FunctionProperties.numpySum(
            UnsafeBufferPointer(start: weights, count: centroids))
        for c in 0..<centroids { probabilities[c] = weights[c] / total }
        source.multinomial(
            n, UnsafeBufferPointer(start: probabilities, count: centroids), into: counts)
        // Each cluster's points are drawn point by point (the reference's order), then rotated
        // as a whole into the d column buffers.
        var i = 0
        for c in 0..<centroids {
            let spread = spreads + c * d
            let mean = means + c * d
            let count = Swift.min(counts[c], n - i)
            if d == 1 {
                let s = spread[0]
                let m = mean[0]
                let out = buffer + i
                if gaussian {
                    source.gaussians(into: out, count: count)
                    for j in 0..<count { out[j] = out[j] * s + m }
                } else {
                    source.uniforms(-1, 1, into: out, count: count)
                    for j in 0..<count { out[j] = m + out[j] * s }
                }
                i += count
                continue
            }
            // draws [count][d] → points [d][count]
            if gaussian {
                source.gaussians(into: draws, count: count * d)
                for k in 0..<d {
                    let (s, m, column) = (spread[k], mean[k], cluster + k * count)
                    for t in 0..<count { column[t] = draws[t * d + k] * s + m }
                }
            } else {
                source.uniforms(-1, 1, into: draws, count: count * d)
                for k in 0..<d {
                    let (s, m, column) = (spread[k], mean[k], cluster + k * count)
                    for t in 0..<count { column[t] = m + draws[t * d + k] * s }
                }
            }
            Self.rotate(
                cluster, count: count, dimension: d, by: rotations + c * rotationSize,
                into: buffer + i, columnStride: n)
            i += count
        }
        if i < n {
            for k in 0..<d { (buffer + k * n + i).initialize(repeating: 0, count: n - i) }
        }
        // The arrays are grown by reserveCapacity and filled by append(contentsOf:): that path
        // is compiled into this module, while Array(unsafeUninitializedCapacity:) and
        // Array(repeating:count:) call a generic library function that looks the storage type
        // up at run time (hundreds of instructions per array).
        var columns: [[Double]] = []
        columns.reserveCapacity(d)
        for k in 0..<d {
            let column = UnsafeMutableBufferPointer(start: buffer + k * n, count: n)
            let mean = FunctionProperties.numpySum(UnsafeBufferPointer(column)) / Double(n)
            for i in 0..<n { squares[i] = (column[i] - mean) * (column[i] - mean) }
            let std =
                (FunctionProperties.numpySum(UnsafeBufferPointer(start: squares, count: n))
                    / Double(n)).squareRoot()
            guard std > 0 else { return nil }
            for i in 0..<n { column[i] = (column[i] - mean) / std }
            var standardised: [Double] = []
            standardised.reserveCapacity(n)
            standardised.append(contentsOf: column)
            columns.append(standardised)
        }
        return columns
    }

    /// Row vectors times a rotation: `out[k][t] = Σ_j points[j][t] · rotation[j][k]` for
    /// `count` points given column-major ([d][count]), written to d columns `columnStride`
    /// apart. Every sum starts from 0 and adds j = 0, 1, 2, … in order, as a point-by-point
    /// product would; only the points run side by side (eight, four, then one at a time), for
    /// two columns k at once where they can (one load of the points serves both).
    static func rotate(
        _ points: UnsafePointer<Double>, count: Int, dimension d: Int,
        by rotation: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
        columnStride: Int
    ) {
        @inline(__always) func store<Lanes: SIMD>(_ sum: Lanes, k: Int, t: Int)
        where Lanes.Scalar == Double {
            UnsafeMutableRawPointer(out + k * columnStride + t).storeBytes(of: sum, as: Lanes.self)
        }
        // Columns k and k + 1 of points t…t+lanes−1.
        @inline(__always) func pairBlock<Lanes: SIMD>(_: Lanes.Type, at t: Int, k: Int)
        where Lanes.Scalar == Double {
            var first = Lanes()
            var second = Lanes()
            var point = UnsafeRawPointer(points + t)
            var r = rotation + k
            for _ in 0..<d {
                let p = point.loadUnaligned(as: Lanes.self)
                first += p * Lanes(repeating: r[0])
                second += p * Lanes(repeating: r[1])
                point += count * MemoryLayout<Double>.stride
                r += d
            }
            store(first, k: k, t: t)
            store(second, k: k + 1, t: t)
        }
        // Column k of points t…t+lanes−1.
        @inline(__always) func block<Lanes: SIMD>(_: Lanes.Type, at t: Int, k: Int)
        where Lanes.Scalar == Double {
            var sum = Lanes()
            var point = UnsafeRawPointer(points + t)
            var r = rotation + k
            for _ in 0..<d {
                sum += point.loadUnaligned(as: Lanes.self) * Lanes(repeating: r.pointee)
                point += count * MemoryLayout<Double>.stride
                r += d
            }
            store(sum, k: k, t: t)
        }
        var k = 0
        while k < d {
            let pair = k + 1 < d
            var t = 0
            while t + 8 <= count {
                if pair {
                    pairBlock(SIMD8<Double>.self, at: t, k: k)
                } else {
                    block(SIMD8<Double>.self, at: t, k: k)
                }
                t += 8
            }
            let columns = pair ? k + 2 : k + 1
            for column in k..<columns {
                var u = t
                if u + 4 <= count {
                    block(SIMD4<Double>.self, at: u, k: column)
                    u += 4
                }
                while u < count {
                    var sum = 0.0
                    for j in 0..<d { sum += points[j * count + u] * rotation[j * d + column] }
                    out[column * columnStride + u] = sum
                    u += 1
                }
            }
            k = columns
        }
    }
}
