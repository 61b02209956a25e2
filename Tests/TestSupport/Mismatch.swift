/// Comparisons of float arrays that report how they differ (the golden tests of SnipMath).

/// How two float arrays differ: `nil` when every element matches (same NaN positions, same
/// infinities, finite values within `relative` of each other, relative to max(|a|, |b|),
/// or within `absolute`), else a message with the maximum difference and the first mismatches.
public func mismatch(
    _ actual: [Double], _ expected: [Double], relative: Double, absolute: Double = 0
)
    -> String?
{
    guard actual.count == expected.count else {
        return "count \(actual.count) != expected \(expected.count)"
    }
    var bad: [String] = []
    var maxRel = 0.0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok: Bool
        if a.isNaN || e.isNaN {
            ok = a.isNaN && e.isNaN
        } else if a.isInfinite || e.isInfinite {
            ok = a == e
        } else {
            let diff = abs(a - e)
            let scale = max(abs(a), abs(e))
            if scale > 0 { maxRel = max(maxRel, diff / scale) }
            ok = diff <= absolute || diff <= relative * scale
        }
        if !ok { bad.append("[\(i)] \(a) vs \(e)") }
    }
    if bad.isEmpty { return nil }
    return "max rel diff \(maxRel); \(bad.count) mismatches, first: "
        + bad.prefix(4).joined(separator: ", ")
}

/// Whether two float arrays are bit-for-bit identical (NaN matches NaN).
public func identical(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count
        && zip(a, b).allSatisfy { $0.isNaN && $1.isNaN || $0.bitPattern == $1.bitPattern }
}
