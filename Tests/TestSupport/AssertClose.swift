import SnipTensor
import Testing

/// Records an issue unless every `actual[i]` is within `atol + rtol·|expected[i]|` of
/// `expected[i]` (NaN matches NaN, infinities must be equal). The message gives the maximum
/// difference and the first differing elements.
public func assertClose(
    _ actual: [Double], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
    _ what: String = "values", sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record(
            "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
        return
    }
    let c = FloatComparison(actual, expected) { a, e in abs(a - e) <= atol + rtol * abs(e) }
    if c.failures > 0 {
        Issue.record(
            """
            \(what): \(c.failures) of \(actual.count) differ (rtol \(rtol), atol \(atol)); \
            max |difference| \(c.maxDifference); first: \(c.first.prefix(5).joined(separator: ", "))
            """, sourceLocation: sourceLocation)
    }
}

/// How two float arrays of one length differ, element by element: NaN matches only NaN,
/// infinities must be equal, and finite pairs must satisfy `close(actual, expected)`.
struct FloatComparison {
    /// How many elements differ.
    var failures = 0
    /// The first differing elements, as `[i] actual vs expected`.
    var first: [String] = []
    /// The largest |actual − expected| of the finite pairs.
    var maxDifference = 0.0
    /// The largest |actual − expected| / max(|actual|, |expected|) of the finite pairs.
    var maxRelative = 0.0

    init(_ actual: [Double], _ expected: [Double], close: (Double, Double) -> Bool) {
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let ok: Bool
            if a.isNaN || e.isNaN {
                ok = a.isNaN && e.isNaN
            } else if a.isInfinite || e.isInfinite {
                ok = a == e
            } else {
                let difference = abs(a - e)
                let scale = max(abs(a), abs(e))
                maxDifference = max(maxDifference, difference)
                if scale > 0 { maxRelative = max(maxRelative, difference / scale) }
                ok = close(a, e)
            }
            if !ok {
                failures += 1
                if first.count < 5 { first.append("[\(i)] \(a) vs \(e)") }
            }
        }
    }
}

/// How two float arrays differ: `nil` when every element matches (same NaN positions, same
/// infinities, finite values within `relative` of each other, relative to max(|a|, |b|),
/// or within `absolute`), else a message with the maximum difference and the first mismatches.
public func mismatch(
    _ actual: [Double], _ expected: [Double], relative: Double, absolute: Double = 0
) -> String? {
    guard actual.count == expected.count else {
        return "count \(actual.count) != expected \(expected.count)"
    }
    let c = FloatComparison(actual, expected) { a, e in
        abs(a - e) <= absolute || abs(a - e) <= relative * max(abs(a), abs(e))
    }
    if c.failures == 0 { return nil }
    return "max rel diff \(c.maxRelative); \(c.failures) mismatches, first: "
        + c.first.prefix(4).joined(separator: ", ")
}

/// Whether two float arrays are bit-for-bit identical (NaN matches NaN).
public func identical(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count
        && zip(a, b).allSatisfy { $0.isNaN && $1.isNaN || $0.bitPattern == $1.bitPattern }
}

/// `assertClose` for float32 values.
public func assertClose(
    _ actual: [Float], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
    _ what: String = "values", sourceLocation: SourceLocation = #_sourceLocation
) {
    assertClose(actual.map(Double.init), expected, rtol: rtol, atol: atol, what, sourceLocation: sourceLocation)
}

/// `assertClose` for a tensor against expected values and shape.
public func assertClose(
    _ actual: Tensor, _ expected: [Double], shape: [Int]? = nil, rtol: Double = 1e-5,
    atol: Double = 1e-6, _ what: String = "tensor", sourceLocation: SourceLocation = #_sourceLocation
) {
    if let shape, actual.shape != shape {
        Issue.record("\(what): shape \(actual.shape), expected \(shape)", sourceLocation: sourceLocation)
        return
    }
    assertClose(actual.scalars, expected, rtol: rtol, atol: atol, what, sourceLocation: sourceLocation)
}

/// `assertClose` for two tensors of the same shape.
public func assertClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-5, atol: Double = 1e-6,
    _ what: String = "tensor", sourceLocation: SourceLocation = #_sourceLocation
) {
    assertClose(
        actual, expected.scalars.map(Double.init), shape: expected.shape, rtol: rtol, atol: atol,
        what, sourceLocation: sourceLocation)
}
