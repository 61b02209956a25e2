import Foundation

/// Tree sampling: shape, leaves, unary operators and prefactors, with the reference's draws.
extension ExpressionGenerator {
    /// numpy normalises `p` before `choice`, summing in numpy's pairwise order.
    static func normalised(_ weights: [Double]) -> [Double] {
        let total = FunctionProperties.numpySum(weights[...])
        return weights.map { $0 / total }
    }

    /// The counting table of binary trees: `table[n][e]` is the number of trees with n binary
    /// operators that can be grown from e empty nodes, sized for `maxOperators` like the
    /// reference's `generate_dist` (rows 0…2·maxOperators, row n with 2·maxOperators − n + 1
    /// entries).
    static func countingTable(maxOperators: Int) -> [[Double]] {
        let size = 2 * maxOperators
        var table: [[Double]] = [[0] + Array(repeating: 1, count: size)]
        if size == 0 { return table }
        for n in 1...size {
            var row: [Double] = [0]
            if size - n >= 1 {
                for e in 1...(size - n) { row.append(row[e - 1] + table[n - 1][e + 1]) }
            }
            table.append(row)
        }
        return table
    }

    /// The reference's `generate_float`: sign·mantissa·10^e with mantissa in 1…999 and
    /// e ∈ [−p − (precision+1)/2, p − (precision+1)/2], written as `str(float)`.
    func randomPrefactor(source: inout some GeneratorRandomSource) -> Leaf {
        drawPrefactor(source: &source).leaf
    }

    /// A drawn prefactor, made into a leaf only when it is used (most are not).
    struct DrawnPrefactor {
        var negative: Bool
        var mantissa: Int
        var exponent: Int
        var precision: Int

        var leaf: Leaf {
            if precision == 3 && (-3 ... -1).contains(exponent) {
                return ExpressionGenerator.defaultPrefactors[
                    (negative ? 1 : 0) + 2 * (mantissa * 3 + exponent + 3)]
            }
            return ExpressionGenerator.prefactor(
                negative: negative, mantissa: mantissa, exponent: exponent)
        }
    }

    /// The draws of ``randomPrefactor(source:)``.
    func drawPrefactor(source: inout some GeneratorRandomSource) -> DrawnPrefactor {
        let c = configuration
        let negative = source.integer(0, 2) == 0  // choice([-1, 1])
        var limit = 1
        for _ in 0..<c.floatPrecision { limit *= 10 }
        let mantissa = source.integer(0, limit - 1) + 1  // choice(range(1, limit))
        let center = (c.floatPrecision + 1) / 2
        let exponent = source.integer(
            -c.maxExponentPrefactor - center, c.maxExponentPrefactor - center + 1)
        return DrawnPrefactor(
            negative: negative, mantissa: mantissa, exponent: exponent,
            precision: c.floatPrecision)
    }

    /// The leaf for sign·mantissa·10^exponent, as Python computes and prints it.
    static func prefactor(negative: Bool, mantissa: Int, exponent: Int) -> Leaf {
        let magnitude = Double(mantissa) * PythonFloat.pow(10, Double(exponent))
        return .float(negative ? -magnitude : magnitude)
    }

    /// Every prefactor of the default configuration (mantissas 0…999 — 0 is never drawn —,
    /// exponents −3…−1, both signs), indexed by sign + 2·(mantissa·3 + exponent + 3): making
    /// Python's `str(float)` text once instead of for every draw.
    static let defaultPrefactors: [Leaf] = (0..<1000).flatMap { mantissa in
        (-3 ... -1).flatMap { exponent in
            [false, true].map { prefactor(negative: $0, mantissa: mantissa, exponent: exponent) }
        }
    }

}

/// The counting tables already built, shared by all generators and threads (a table depends
/// only on its size, and building one per attempt cost a tenth of the time at dimension 10).
final class CountingTables: @unchecked Sendable {
    static let shared = CountingTables()
    private let lock = NSLock()
    private var tables: [Int: [[Double]]] = [:]

    func table(maxOperators: Int) -> [[Double]] {
        lock.lock()
        defer { lock.unlock() }
        if let t = tables[maxOperators] { return t }
        let t = ExpressionGenerator.countingTable(maxOperators: maxOperators)
        tables[maxOperators] = t
        return t
    }
}
