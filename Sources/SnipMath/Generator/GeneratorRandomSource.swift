import Foundation

/// The random draws ``ExpressionGenerator`` makes, named after numpy's `RandomState` methods.
///
/// ``NumpyLegacyRandom`` implements them exactly as numpy does, which replays the reference;
/// ``SwiftRandomSource`` adapts any `RandomNumberGenerator` (same distributions, another stream).
public protocol GeneratorRandomSource {
    /// `randint(low, high)`: uniform in [low, high); an empty range draws nothing.
    mutating func integer(_ low: Int, _ high: Int) -> Int
    /// `random_sample()`: uniform in [0, 1).
    mutating func nextDouble() -> Double
    /// `choice(len(p), p=p)` for probabilities `p` summing to 1.
    mutating func choice(weights: [Double]) -> Int
    /// `uniform(low, high)`.
    mutating func uniform(_ low: Double, _ high: Double) -> Double
    /// `standard_normal()`.
    mutating func gaussian() -> Double
    /// `multinomial(n, p)`.
    mutating func multinomial(_ n: Int, _ probabilities: [Double]) -> [Int]
    /// `shuffle(list)`.
    mutating func shuffle<T>(_ array: inout [T])
    /// `count` draws of ``gaussian()`` in order, written to `out`.
    mutating func gaussians(into out: UnsafeMutablePointer<Double>, count: Int)
    /// `count` draws of ``uniform(_:_:)`` in order, written to `out`.
    mutating func uniforms(
        _ low: Double, _ high: Double, into out: UnsafeMutablePointer<Double>, count: Int)
    /// ``multinomial(_:_:)`` written to `counts` (one per probability).
    mutating func multinomial(
        _ n: Int, _ probabilities: UnsafeBufferPointer<Double>,
        into counts: UnsafeMutablePointer<Int>)
}

extension GeneratorRandomSource {
    /// ``gaussian()`` `count` times.
    public mutating func gaussians(into out: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { out[i] = gaussian() }
    }

    /// ``uniform(_:_:)`` `count` times.
    public mutating func uniforms(
        _ low: Double, _ high: Double, into out: UnsafeMutablePointer<Double>, count: Int
    ) {
        for i in 0..<count { out[i] = uniform(low, high) }
    }

    /// ``multinomial(_:_:)`` of the probabilities, copied to `counts`.
    public mutating func multinomial(
        _ n: Int, _ probabilities: UnsafeBufferPointer<Double>,
        into counts: UnsafeMutablePointer<Int>
    ) {
        for (i, c) in multinomial(n, Array(probabilities)).enumerated() { counts[i] = c }
    }
}

extension NumpyLegacyRandom: GeneratorRandomSource {}

/// A ``GeneratorRandomSource`` drawing from any Swift `RandomNumberGenerator`.
public struct SwiftRandomSource<Generator: RandomNumberGenerator>: GeneratorRandomSource {
    /// The underlying generator.
    public var generator: Generator

    /// Wraps a generator.
    public init(_ generator: Generator) { self.generator = generator }

    /// Uniform in [low, high).
    public mutating func integer(_ low: Int, _ high: Int) -> Int {
        high - low <= 1 ? low : Int.random(in: low..<high, using: &generator)
    }

    /// Uniform in [0, 1): the low 53 bits of one draw, scaled — the value
    /// `Double.random(in: 0..<1, using:)` gives, without its unspecialised generic path (a
    /// sixth of a training batch's generation time).
    public mutating func nextDouble() -> Double { Double(generator.next() & ((1 << 53) - 1)) * 0x1p-53 }

    /// An index drawn with the given probabilities (inverse CDF).
    public mutating func choice(weights: [Double]) -> Int {
        let u = nextDouble() * weights.reduce(0, +)
        var running = 0.0
        for (i, w) in weights.enumerated() {
            running += w
            if u < running { return i }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextDouble()
    }

    /// A standard normal (Box–Muller).
    public mutating func gaussian() -> Double {
        let u1 = 1 - nextDouble()  // (0, 1]
        let u2 = nextDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Counts of `n` categorical draws.
    public mutating func multinomial(_ n: Int, _ probabilities: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: probabilities.count)
        for _ in 0..<n { counts[choice(weights: probabilities)] += 1 }
        return counts
    }

    /// A uniform random permutation in place.
    public mutating func shuffle<T>(_ array: inout [T]) { array.shuffle(using: &generator) }
}
