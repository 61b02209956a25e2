import Foundation
import SnipMath
import Testing

/// Loads the golden fixtures copied from `shared/golden` (see each test for which file).
///
/// Fixtures are parsed with ``JSONValue`` (exact doubles); Foundation's `JSONSerialization` on
/// Linux mis-rounds some doubles (`-1.7999999999999998` reads as `-1.7999999999999994`).
enum Golden {
    /// The URL of a fixture file, e.g. `expressions.json` or `data_prefix/train_ncr.prefix`.
    static func url(_ name: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// A parsed JSON fixture.
    static func load(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: url(name))
        return try data.withUnsafeBytes { raw in
            try JSONValue(parsingUTF8: raw.bindMemory(to: UInt8.self))
        }
    }
}

extension JSONValue {
    /// The string (the test fails loudly when the golden is not a string).
    var string: String { stringValue! }

    /// The elements of an array.
    var array: [JSONValue] { arrayValue! }

    /// A golden float: numbers, `null` = NaN, `"inf"` / `"-inf"`.
    var double: Double {
        switch self {
        case .null: return .nan
        case .number(let d): return d
        case .string("inf"): return .infinity
        case .string("-inf"): return -.infinity
        case .string("nan"): return .nan
        default: fatalError("not a golden float: \(self)")
        }
    }

    /// A golden float list.
    var doubles: [Double] { array.map(\.double) }

    /// A golden float matrix.
    var matrix: [[Double]] { array.map(\.doubles) }

    /// A golden string list.
    var strings: [String] { array.map(\.string) }

    /// A golden integer list.
    var ints: [Int] { array.map { Int($0.doubleValue!) } }

    /// An integer.
    var int: Int { Int(doubleValue!) }

    /// Whether this is `null`.
    var isNull: Bool { self == .null }
}

/// How two float arrays differ: `nil` when every element matches (same NaN positions, same
/// infinities, finite values within `relative` of each other, relative to max(|a|, |b|),
/// or within `absolute`), else a message with the maximum difference and the first mismatches.
func mismatch(_ actual: [Double], _ expected: [Double], relative: Double, absolute: Double = 0)
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
func identical(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count
        && zip(a, b).allSatisfy { $0.isNaN && $1.isNaN || $0.bitPattern == $1.bitPattern }
}
