import Foundation

/// The legacy `RandomState` distributions the reference generator draws from.
extension NumpyLegacyRandom {
    /// `random_sample()`: a 53-bit double in [0, 1) from two 32-bit words.
    public mutating func nextDouble() -> Double {
        let (a, b) = nextTwoWords()
        return Self.double(a, b)
    }

    /// The double `random_sample()` makes of two words: the high 27 bits of `a` above the
    /// high 26 bits of `b`, over 2^53.
    @inline(__always)
    static func double(_ a: UInt32, _ b: UInt32) -> Double {
        (Double(a >> 5) * 67_108_864.0 + Double(b >> 6)) / 9_007_199_254_740_992.0
    }

    /// ``double(_:_:)`` of words 0 and 1 and of words 2 and 3, side by side (the same
    /// operations on each lane).
    @inline(__always)
    static func doubles(_ words: SIMD4<UInt32>) -> SIMD2<Double> {
        let high = SIMD2<Double>(SIMD2<Int32>(truncatingIfNeeded: (words &>> 5).evenHalf))
        let low = SIMD2<Double>(SIMD2<Int32>(truncatingIfNeeded: (words &>> 6).oddHalf))
        return (high * 67_108_864.0 + low) / 9_007_199_254_740_992.0
    }

    /// `randint(low, high)` for a scalar (high exclusive): masked rejection sampling; an empty
    /// range draws nothing.
    public mutating func integer(_ low: Int, _ high: Int) -> Int {
        precondition(high > low, "randint needs low < high")
        let range = UInt32(high - 1 - low)
        return range == 0 ? low : low + Int(interval(range))
    }

    /// `choice(n, p=weights)` for a scalar: inverse CDF with `searchsorted(side='right')`.
    public mutating func choice(weights: [Double]) -> Int {
        weights.withUnsafeBufferPointer { choice(weights: $0) }
    }

    /// ``choice(weights:)`` on a buffer, without building the CDF array: the running sums are
    /// the same sequential sums (`cumsum`), each divided by the total as numpy's `cdf /= cdf[-1]`.
    @inline(__always)
    mutating func choice(weights: UnsafeBufferPointer<Double>) -> Int {
        var last = 0.0
        for w in weights { last += w }
        let u = nextDouble()
        var running = 0.0
        for i in 0..<weights.count {
            running += weights[i]
            if running / last > u { return i }  // side='right'
        }
        return weights.count
    }

    /// `uniform(low, high)`: `low + (high − low)·random_sample()`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextDouble()
    }

    /// `standard_normal()` / `randn()`: the legacy polar Box–Muller with its cached second value.
    public mutating func gaussian() -> Double {
        if let g = cachedGaussian {
            cachedGaussian = nil
            return g
        }
        let (x1, x2, r2) = polarPoint()
        let f = Self.polarFactor(r2)
        cachedGaussian = f * x1
        return f * x2
    }

    /// `count` draws of ``gaussian()`` written to `out`, in order: the cached value first, then
    /// both values of each pair (the second value of an odd last pair stays cached). The pairs
    /// are drawn in batches, and the logarithms taken after each batch is drawn.
    public mutating func gaussians(into out: UnsafeMutablePointer<Double>, count: Int) {
        guard count > 0 else { return }
        var start = 0
        if let g = cachedGaussian {
            cachedGaussian = nil
            out[0] = g
            start = 1
        }
        let batch = 32
        let i = withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * batch) { scratch in
            let x1s = scratch.baseAddress!  // [batch] each
            let x2s = x1s + batch
            let r2s = x2s + batch
            var i = start
            while i + 1 < count {
                let pairs = Swift.min(batch, (count - i) / 2)
                for p in 0..<pairs { (x1s[p], x2s[p], r2s[p]) = polarPoint() }
                let values = out + i
                for p in 0..<pairs {
                    let f = Self.polarFactor(r2s[p])
                    values[2 * p] = f * x2s[p]
                    values[2 * p + 1] = f * x1s[p]
                }
                i += 2 * pairs
            }
            return i
        }
        if i < count {
            let (x1, x2, r2) = polarPoint()
            let f = Self.polarFactor(r2)
            out[i] = f * x2
            cachedGaussian = f * x1
        }
    }

    /// `count` draws of ``uniform(_:_:)`` written to `out`, in order.
    public mutating func uniforms(
        _ low: Double, _ high: Double, into out: UnsafeMutablePointer<Double>, count: Int
    ) {
        let width = high - low
        var i = 0
        while i + 1 < count {
            let u = low + width * Self.doubles(nextFourWords())
            out[i] = u[0]
            out[i + 1] = u[1]
            i += 2
        }
        if i < count { out[i] = low + width * nextDouble() }
    }

    /// One accepted polar point: x1, x2 uniform in the unit disc, r² = x1² + x2² in (0, 1).
    @inline(__always)
    private mutating func polarPoint() -> (x1: Double, x2: Double, r2: Double) {
        while true {
            let x = 2.0 * Self.doubles(nextFourWords()) - 1.0
            let squares = x * x
            let r2 = squares[0] + squares[1]
            if r2 < 1.0 && r2 != 0.0 { return (x[0], x[1], r2) }
        }
    }

    /// The factor √(−2·log r² / r²) that makes f·x2 and f·x1 two standard normals.
    @inline(__always)
    private static func polarFactor(_ r2: Double) -> Double {
        (-2.0 * Foundation.log(r2) / r2).squareRoot()
    }

    /// `binomial(n, p)` with numpy's algorithm (inversion when the mean is ≤ 30, else BTPE).
    public mutating func binomial(_ n: Int, _ p: Double) -> Int {
        if n == 0 || p == 0 { return 0 }
        if p <= 0.5 {
            return p * Double(n) <= 30 ? binomialInversion(n, p) : binomialBTPE(n, p)
        }
        let q = 1.0 - p
        return q * Double(n) <= 30 ? n - binomialInversion(n, q) : n - binomialBTPE(n, q)
    }

    /// `multinomial(n, pvals)`: sequential conditional binomials.
    public mutating func multinomial(_ n: Int, _ probabilities: [Double]) -> [Int] {
        var out = [Int](repeating: 0, count: probabilities.count)
        probabilities.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { multinomial(n, p, into: $0.baseAddress!) }
        }
        return out
    }

    /// ``multinomial(_:_:)`` written to `counts` (one per probability).
    public mutating func multinomial(
        _ n: Int, _ probabilities: UnsafeBufferPointer<Double>,
        into counts: UnsafeMutablePointer<Int>
    ) {
        counts.initialize(repeating: 0, count: probabilities.count)
        var remainingP = 1.0
        var remaining = n
        for j in 0..<(probabilities.count - 1) {
            counts[j] = binomial(remaining, probabilities[j] / remainingP)
            remaining -= counts[j]
            if remaining <= 0 { break }
            remainingP -= probabilities[j]
        }
        if remaining > 0 { counts[probabilities.count - 1] = remaining }
    }

    private mutating func binomialInversion(_ n: Int, _ p: Double) -> Int {
        let q = 1.0 - p
        let qn = Foundation.exp(Double(n) * Foundation.log(q))
        let np = Double(n) * p
        let bound = Swift.min(Double(n), np + 10.0 * (np * q + 1).squareRoot())
        var x = 0
        var px = qn
        var u = nextDouble()
        while u > px {
            x += 1
            if Double(x) > bound {
                x = 0
                px = qn
                u = nextDouble()
            } else {
                u -= px
                px = (Double(n - x + 1) * p * px) / (Double(x) * q)
            }
        }
        return x
    }

    private mutating func binomialBTPE(_ n: Int, _ p: Double) -> Int {
        let dn = Double(n)
        let r = Swift.min(p, 1.0 - p)
        let q = 1.0 - r
        let fm = dn * r + r
        let m = Int(Foundation.floor(fm))
        let dm = Double(m)
        let p1 = Foundation.floor(2.195 * (dn * r * q).squareRoot() - 4.6 * q) + 0.5
        let xm = dm + 0.5
        let xl = xm - p1
        let xr = xm + p1
        let c = 0.134 + 20.5 / (15.3 + dm)
        var a = (fm - xl) / (fm - xl * r)
        let laml = a * (1.0 + a / 2.0)
        a = (xr - fm) / (xr * q)
        let lamr = a * (1.0 + a / 2.0)
        let p2 = p1 * (1.0 + 2.0 * c)
        let p3 = p2 + c / laml
        let p4 = p3 + c / lamr
        let nrq = dn * r * q
        var y = 0
        while true {
            let u = nextDouble() * p4
            var v = nextDouble()
            if u <= p1 {
                y = Int(Foundation.floor(xm - p1 * v + u))
                break
            }
            if u <= p2 {
                let x = xl + (u - p1) / c
                v = v * c + 1.0 - Swift.abs(dm - x + 0.5) / p1
                if v > 1.0 { continue }
                y = Int(Foundation.floor(x))
            } else if u <= p3 {
                let t = Foundation.floor(xl + Foundation.log(v) / laml)
                if t < 0 || v == 0 { continue }
                y = Int(t)
                v = v * (u - p2) * laml
            } else {
                let t = Foundation.floor(xr - Foundation.log(v) / lamr)
                if t > dn || v == 0 { continue }
                y = Int(t)
                v = v * (u - p3) * lamr
            }
            let k = Swift.abs(y - m)
            let dk = Double(k)
            if !(k > 20 && dk < nrq / 2.0 - 1) {
                let s = r / q
                let aa = s * (dn + 1)
                var f = 1.0
                if m < y {
                    for i in (m + 1)...y { f *= (aa / Double(i) - s) }
                } else if m > y {
                    for i in (y + 1)...m { f /= (aa / Double(i) - s) }
                }
                if v > f { continue }
                break
            }
            let rho = (dk / nrq) * ((dk * (dk / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
            let t = -dk * dk / (2 * nrq)
            let bigA = Foundation.log(v)
            if bigA < t - rho { break }
            if bigA > t + rho { continue }
            let x1 = Double(y + 1)
            let f1 = dm + 1
            let z = dn + 1 - dm
            let w = dn - Double(y) + 1
            let x2 = x1 * x1
            let f2 = f1 * f1
            let z2 = z * z
            let w2 = w * w
            func stirling(_ v2: Double, _ v1: Double) -> Double {
                (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / v2) / v2) / v2) / v2) / v1 / 166320.0
            }
            let bound =
                xm * Foundation.log(f1 / x1) + (dn - dm + 0.5) * Foundation.log(z / w)
                + Double(y - m) * Foundation.log(w * r / (x1 * q)) + stirling(f2, f1)
                + stirling(z2, z) + stirling(x2, x1) + stirling(w2, w)
            if bigA > bound { continue }
            break
        }
        if p > 0.5 { y = n - y }
        return y
    }
}
