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
    var maxDifference = 0.0
    var failures: [String] = []
    var failureCount = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok: Bool
        if e.isNaN || a.isNaN {
            ok = e.isNaN && a.isNaN
        } else if e.isInfinite || a.isInfinite {
            ok = a == e
        } else {
            let difference = abs(a - e)
            maxDifference = max(maxDifference, difference)
            ok = difference <= atol + rtol * abs(e)
        }
        if !ok {
            failureCount += 1
            if failures.count < 5 { failures.append("[\(i)] \(a) vs \(e)") }
        }
    }
    if failureCount > 0 {
        Issue.record(
            """
            \(what): \(failureCount) of \(actual.count) differ (rtol \(rtol), atol \(atol)); \
            max |difference| \(maxDifference); first: \(failures.joined(separator: ", "))
            """, sourceLocation: sourceLocation)
    }
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
