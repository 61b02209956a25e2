import Foundation

/// The function properties of the reference's property-prediction task (`property_type`),
/// computed on one-dimensional samples (x, y) in float64 exactly as the reference does.
///
/// Sorting by x uses a stable order (the reference's `np.argsort` quicksort may order tied x
/// differently; generated inputs have no ties in practice).
public enum FunctionProperties {
    /// The change threshold of `upward` and `oscil`.
    public static let changeThreshold = 1e-3
    /// The tolerance of the convexity test of `ncr`.
    public static let convexityTolerance = 1e-9
    /// The denominator guard of `yavg`.
    public static let rangeEpsilon = 1e-12

    /// The indices that sort `x` ascending (stable).
    static func sortedOrder(_ x: [Double]) -> [Int] {
        var pairs = x.enumerated().map { ($0.element, $0.offset) }
        pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return pairs.map(\.1)
    }

    /// `upward`: over the x-sorted points, (steps with Δy > 1e-3 − steps with Δy < −1e-3) / n.
    public static func upward(x: [Double], y: [Double]) -> Double {
        precondition(x.count == y.count && !y.isEmpty, "upward needs matching, non-empty x and y")
        let order = sortedOrder(x)
        var up = 0
        var down = 0
        for t in 0..<(order.count - 1) {
            let delta = y[order[t + 1]] - y[order[t]]
            if delta > changeThreshold {
                up += 1
            } else if delta < -changeThreshold {
                down += 1
            }
        }
        return Double(up - down) / Double(y.count)
    }

    /// `yavg`: the mean of (y − min) / (max − min + 1e-12), summed pairwise as numpy does.
    public static func yAverage(y: [Double]) -> Double {
        precondition(!y.isEmpty, "yavg needs values")
        let low = y.min()!
        let high = y.max()!
        let range = high - low + rangeEpsilon
        let scaled = y.map { ($0 - low) / range }
        return numpySum(scaled[...]) / Double(y.count)
    }

    /// `oscil`: ln(1 + ``directionChanges(x:y:)``).
    ///
    /// The reference takes numpy's float64 `log`, whose AVX512 kernel can be 1 ulp away from
    /// the C library's (correctly rounded) `log` used here: ln 3 is 1.0986122886681096 there and
    /// 1.0986122886681098 here. The change count itself is exact.
    public static func oscillation(x: [Double], y: [Double]) -> Double {
        Foundation.log(Double(directionChanges(x: x, y: y) + 1))
    }

    /// The direction changes of `oscil` over the x-sorted points: the direction starts "up"
    /// when y1 − y0 > 1e-3 and flips on a step beyond ±1e-3 against it.
    public static func directionChanges(x: [Double], y: [Double]) -> Int {
        precondition(x.count == y.count && y.count >= 2, "oscil needs at least two points")
        let order = sortedOrder(x)
        let ys = order.map { y[$0] }
        var up = ys[1] - ys[0] > changeThreshold
        var changes = 0
        for t in 1..<(ys.count - 1) {
            let delta = ys[t + 1] - ys[t]
            if delta > changeThreshold && !up {
                changes += 1
                up = true
            } else if delta < -changeThreshold && up {
                changes += 1
                up = false
            }
        }
        return changes
    }

    /// `ncr` (non-convexity ratio), the reference's estimate: 1 − (convex triples / trials) over
    /// `trials` random triples i < j < k of distinct x-sorted points drawn from `generator`.
    public static func nonConvexityRatio(
        x: [Double], y: [Double], trials: Int = 1000,
        using generator: inout some RandomNumberGenerator
    ) -> Double {
        precondition(x.count == y.count && x.count >= 3, "ncr needs at least three points")
        let order = sortedOrder(x)
        let xs = order.map { x[$0] }
        let ys = order.map { y[$0] }
        let n = xs.count
        var draws = BoundedDraws()
        var successes = 0
        for _ in 0..<trials {
            // Three distinct indices: a, then b among the others, then c among the rest.
            let a = draws.below(n, using: &generator)
            var b = draws.below(n - 1, using: &generator)
            if b >= a { b += 1 }
            var c = draws.below(n - 2, using: &generator)
            if c >= Swift.min(a, b) { c += 1 }
            if c >= Swift.max(a, b) { c += 1 }
            let i = Swift.min(a, b, c)
            let k = Swift.max(a, b, c)
            let j = a + b + c - i - k
            let bar = ((xs[j] - xs[i]) * ys[k] + (xs[k] - xs[j]) * ys[i]) / (xs[k] - xs[i])
            if ys[j] <= bar + convexityTolerance { successes += 1 }
        }
        return 1 - Double(successes) / Double(trials)
    }

    /// `ncr` exactly as the reference draws it after `np.random.seed(seed)`: each trial is
    /// `np.random.choice(n, 3, replace=False)`, sorted.
    public static func nonConvexityRatio(
        x: [Double], y: [Double], trials: Int = 1000, numpySeed seed: UInt32
    ) -> Double {
        precondition(x.count == y.count && x.count >= 3, "ncr needs at least three points")
        let order = sortedOrder(x)
        let xs = order.map { x[$0] }
        let ys = order.map { y[$0] }
        var random = NumpyLegacyRandom(seed: seed)
        var successes = 0
        for _ in 0..<trials {
            let t = random.choiceWithoutReplacement(xs.count, count: 3).sorted()
            if isConvex(xs, ys, t[0], t[1], t[2]) { successes += 1 }
        }
        return 1 - Double(successes) / Double(trials)
    }

    /// The exact non-convexity ratio over all C(n, 3) triples of the x-sorted points.
    public static func exactNonConvexityRatio(x: [Double], y: [Double])
        -> (ratio: Double, convexTriples: Int, triples: Int)
    {
        precondition(x.count == y.count && x.count >= 3, "ncr needs at least three points")
        let order = sortedOrder(x)
        let xs = order.map { x[$0] }
        let ys = order.map { y[$0] }
        let n = xs.count
        var successes = 0
        xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeBufferPointer { yp in
                for i in 0..<(n - 2) {
                    let xi = xp[i]
                    let yi = yp[i]
                    for j in (i + 1)..<(n - 1) {
                        let xj = xp[j]
                        let yj = yp[j]
                        let left = xj - xi
                        var count = 0
                        for k in (j + 1)..<n {
                            // The reference's expression, operation for operation.
                            let bar = (left * yp[k] + (xp[k] - xj) * yi) / (xp[k] - xi)
                            count += yj <= bar + convexityTolerance ? 1 : 0
                        }
                        successes += count
                    }
                }
            }
        }
        let triples = n * (n - 1) * (n - 2) / 6
        return (1 - Double(successes) / Double(triples), successes, triples)
    }

    @inline(__always)
    static func isConvex(_ xs: [Double], _ ys: [Double], _ i: Int, _ j: Int, _ k: Int) -> Bool {
        let bar = ((xs[j] - xs[i]) * ys[k] + (xs[k] - xs[j]) * ys[i]) / (xs[k] - xs[i])
        return ys[j] <= bar + convexityTolerance
    }

    /// ``numpySum(_:)-(ArraySlice<Double>)`` of a buffer (the same additions in the same order).
    static func numpySum(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var r = 0.0
            for v in a { r += v }
            return r
        }
        if n <= 128 {
            var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
            var i = 8
            while i < n - n % 8 {
                r.0 += a[i]
                r.1 += a[i + 1]
                r.2 += a[i + 2]
                r.3 += a[i + 3]
                r.4 += a[i + 4]
                r.5 += a[i + 5]
                r.6 += a[i + 6]
                r.7 += a[i + 7]
                i += 8
            }
            var result = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n {
                result += a[i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return numpySum(UnsafeBufferPointer(rebasing: a[0..<half]))
            + numpySum(UnsafeBufferPointer(rebasing: a[half...]))
    }

    /// numpy's float64 `add.reduce`: pairwise summation in blocks of 128 with 8 accumulators.
    static func numpySum(_ a: ArraySlice<Double>) -> Double {
        let n = a.count
        let s = a.startIndex
        if n < 8 {
            var r = 0.0
            for v in a { r += v }
            return r
        }
        if n <= 128 {
            var r = (a[s], a[s + 1], a[s + 2], a[s + 3], a[s + 4], a[s + 5], a[s + 6], a[s + 7])
            var i = 8
            while i < n - n % 8 {
                r.0 += a[s + i]
                r.1 += a[s + i + 1]
                r.2 += a[s + i + 2]
                r.3 += a[s + i + 3]
                r.4 += a[s + i + 4]
                r.5 += a[s + i + 5]
                r.6 += a[s + i + 6]
                r.7 += a[s + i + 7]
                i += 8
            }
            var result = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n {
                result += a[s + i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return numpySum(a[s..<(s + half)]) + numpySum(a[(s + half)...])
    }
}

/// Uniform integers below a bound from 32-bit halves of a generator's words (Lemire's
/// multiply-and-reject: exactly uniform).
///
/// A struct with the generator passed in, not a nested function capturing both: a captured
/// `inout` generator and counters are checked for exclusive access at run time on every draw,
/// which made `generate --property ncr` 5.9 times slower in a checked (`-O`) build.
private struct BoundedDraws {
    var pool: UInt64 = 0
    var halves = 0

    mutating func below(_ bound: Int, using generator: inout some RandomNumberGenerator) -> Int {
        let limit = UInt64(bound)
        let threshold = (UInt64(1) << 32 - limit) % limit
        while true {
            if halves == 0 {
                pool = generator.next()
                halves = 2
            }
            let r = pool & 0xFFFF_FFFF
            pool >>= 32
            halves -= 1
            let m = r * limit
            if m & 0xFFFF_FFFF >= threshold { return Int(m >> 32) }
        }
    }
}
