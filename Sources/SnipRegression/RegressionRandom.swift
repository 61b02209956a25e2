import Foundation

/// The seeded random stream of the search (xoshiro256**, seeded through SplitMix64).
///
/// Every random choice of the regression code flows from one of these, passed in explicitly, so
/// a search with a seed and one thread is reproducible.
public struct RegressionRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A stream fixed by `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform value in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform value in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// A standard normal value (Box–Muller).
    public mutating func normal() -> Double {
        let u = 1 - unit()
        let v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A uniform index in `0..<count` (`count` > 0).
    public mutating func index(_ count: Int) -> Int { Int.random(in: 0..<count, using: &self) }

    /// Whether an event of probability `p` happens.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A new stream derived from this one (for a worker or a sub-task).
    public mutating func split() -> RegressionRandom { RegressionRandom(seed: next()) }
}
