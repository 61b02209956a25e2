/// A parsed JSON value with exact float64 numbers (correctly rounded, unlike Foundation's
/// `JSONSerialization` on Linux) and object keys kept in file order.
///
/// Python's `json` extensions `NaN`, `Infinity` and `-Infinity` are accepted as numbers.
public enum JSONValue: Hashable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number (every JSON number is read as the nearest float64).
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, its members in file order.
    case object([Member])

    /// One member of an object.
    public struct Member: Hashable, Sendable {
        /// The member's key.
        public var key: String
        /// The member's value.
        public var value: JSONValue

        /// Creates a member.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The value of the first member named `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The elements of an array, or `nil`.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The string of a string value, or `nil`.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number of a number value, or `nil`.
    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// The keys of an object in file order, or `nil`.
    public var keys: [String]? {
        if case .object(let members) = self { return members.map(\.key) }
        return nil
    }
}
