import Foundation
import SnipMath

/// A golden JSON fixture, parsed exactly (``JSONValue``: every double correctly rounded;
/// Foundation's `JSONSerialization` on Linux mis-rounds some, `-1.7999999999999998` reading as
/// `-1.7999999999999994`), with the golden conventions: `null` is NaN and the strings
/// `"inf"`/`"-inf"`/`"nan"` are those floats.
public struct Golden: Sendable {
    /// The JSON value at this point of the document.
    public let json: JSONValue

    public init(json: JSONValue) { self.json = json }

    /// The URL of a fixture in a test bundle's `Fixtures` folder (`data_prefix/train.prefix`).
    public static func url(_ name: String, in bundle: Bundle) -> URL {
        bundle.resourceURL!.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// Loads and parses `name` from a test bundle's `Fixtures` folder.
    public static func load(_ name: String, from bundle: Bundle) throws -> Golden {
        let data = try Data(contentsOf: url(name, in: bundle))
        return Golden(
            json: try data.withUnsafeBytes { raw in
                try JSONValue(parsingUTF8: raw.bindMemory(to: UInt8.self))
            })
    }

    /// The member `key` of an object.
    public subscript(key: String) -> Golden {
        guard let member = json[key] else { preconditionFailure("golden: no key \(key)") }
        return Golden(json: member)
    }

    /// Element `index` of an array.
    public subscript(index: Int) -> Golden { array[index] }

    /// Whether an object has `key`.
    public func has(_ key: String) -> Bool { json[key] != nil }

    /// The keys of an object, in file order.
    public var keys: [String] { json.keys ?? [] }

    /// The elements of an array.
    public var array: [Golden] { (json.arrayValue ?? []).map(Golden.init(json:)) }

    /// A number (NaN for null).
    public var double: Double { json.goldenDouble ?? .nan }

    /// A string.
    public var string: String { json.stringValue ?? "" }

    /// An integer.
    public var int: Int { Int(double) }

    /// Every number in a nested array, flattened row-major.
    public var doubles: [Double] {
        if let list = json.arrayValue { return list.flatMap { Golden(json: $0).doubles } }
        return [double]
    }

    /// Every integer in a nested array, flattened.
    public var ints: [Int] { doubles.map { Int($0) } }

    /// The shape of a nested array (sizes of the first elements at each depth).
    public var shape: [Int] {
        guard let list = json.arrayValue else { return [] }
        return [list.count] + (list.first.map { Golden(json: $0).shape } ?? [])
    }
}

extension JSONValue {
    /// A golden float: a number, `null` = NaN, `"inf"` / `"-inf"` / `"nan"`; nil otherwise.
    var goldenDouble: Double? {
        switch self {
        case .null: return .nan
        case .number(let d): return d
        case .string("inf"): return .infinity
        case .string("-inf"): return -.infinity
        case .string("nan"): return .nan
        default: return nil
        }
    }

    /// The string (the test fails loudly when the golden is not a string).
    public var string: String { stringValue! }

    /// The elements of an array.
    public var array: [JSONValue] { arrayValue! }

    /// A golden float (fails loudly on anything else).
    public var double: Double {
        guard let d = goldenDouble else { fatalError("not a golden float: \(self)") }
        return d
    }

    /// A golden float list.
    public var doubles: [Double] { array.map(\.double) }

    /// A golden float matrix.
    public var matrix: [[Double]] { array.map(\.doubles) }

    /// A golden string list.
    public var strings: [String] { array.map(\.string) }

    /// A golden integer list.
    public var ints: [Int] { array.map { Int($0.doubleValue!) } }

    /// An integer.
    public var int: Int { Int(doubleValue!) }

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }
}
