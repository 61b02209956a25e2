import Foundation

/// A parsed golden JSON file with the golden conventions: `null` is NaN and the strings
/// `"inf"`/`"-inf"` are infinities.
public struct Golden: @unchecked Sendable {
    /// The JSON value at this point of the document.
    public let value: Any

    public init(value: Any) { self.value = value }

    /// Loads `name` from a test bundle's `Fixtures` folder.
    public static func load(_ name: String, from bundle: Bundle) throws -> Golden {
        guard let url = bundle.url(forResource: "Fixtures/" + name, withExtension: nil)
            ?? bundle.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")
        else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/" + name])
        }
        return try Golden(value: JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed]))
    }

    /// The member `key` of an object.
    public subscript(key: String) -> Golden {
        guard let object = value as? [String: Any], let member = object[key] else {
            preconditionFailure("golden: no key \(key)")
        }
        return Golden(value: member)
    }

    /// Element `index` of an array.
    public subscript(index: Int) -> Golden { Golden(value: array[index].value) }

    /// Whether an object has `key`.
    public func has(_ key: String) -> Bool { (value as? [String: Any])?[key] != nil }

    /// The keys of an object.
    public var keys: [String] { ((value as? [String: Any])?.keys).map(Array.init) ?? [] }

    /// The elements of an array.
    public var array: [Golden] { (value as? [Any] ?? []).map(Golden.init(value:)) }

    /// A number (NaN for null).
    public var double: Double { Golden.number(value) }

    /// A string.
    public var string: String { value as? String ?? "" }

    /// An integer.
    public var int: Int { (value as? NSNumber)?.intValue ?? Int(double) }

    /// Every number in a nested array, flattened row-major.
    public var doubles: [Double] {
        if let list = value as? [Any] { return list.flatMap { Golden(value: $0).doubles } }
        return [Golden.number(value)]
    }

    /// Every integer in a nested array, flattened.
    public var ints: [Int] {
        if let list = value as? [Any] { return list.flatMap { Golden(value: $0).ints } }
        return [int]
    }

    /// The shape of a nested array (sizes of the first elements at each depth).
    public var shape: [Int] {
        guard let list = value as? [Any] else { return [] }
        return [list.count] + (list.first.map { Golden(value: $0).shape } ?? [])
    }

    private static func number(_ value: Any) -> Double {
        switch value {
        case let n as NSNumber: return n.doubleValue
        case let s as String where s == "inf": return .infinity
        case let s as String where s == "-inf": return -.infinity
        default: return .nan
        }
    }
}
