import Foundation
import SnipTensor

/// The seeded random stream of the search: snip's one seeded generator (xoshiro256**), passed
/// in explicitly to every random choice, so a search with a seed and one thread is
/// reproducible.
public typealias RegressionRandom = SeededGenerator

extension SeededGenerator {
    /// A uniform value in [0, 1).
    public mutating func unit() -> Double { nextUnitDouble() }

    /// A uniform value in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// A standard normal value (Box–Muller).
    public mutating func normal() -> Double { nextNormal() }

    /// A uniform index in `0..<count` (`count` > 0).
    public mutating func index(_ count: Int) -> Int { Int.random(in: 0..<count, using: &self) }

    /// Whether an event of probability `p` happens.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A new stream derived from this one (for a worker or a sub-task).
    public mutating func split() -> SeededGenerator { SeededGenerator(seed: next()) }
}
