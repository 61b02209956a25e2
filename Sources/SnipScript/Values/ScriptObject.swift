import Foundation

/// A value of the language that wraps something bigger than numbers and arrays: a dataset, a
/// model, a trained property predictor, a training run, or a record of named fields.
///
/// Objects are shared, not copied, when assigned (training a model changes it wherever it is
/// referenced). Those with elements can be indexed with numbers, looped over and measured with
/// `len`; those with fields are indexed with strings (`run["loss"]`).
public protocol ScriptObject: AnyObject, Sendable {
    /// The name `type(x)` returns.
    var typeName: String { get }
    /// One line describing the object, shown by the prompt and `print`.
    var summary: String { get }
    /// The number of elements (nil: not a sequence).
    var elementCount: Int? { get }
    /// Element `k` (0 ≤ k < elementCount).
    func element(at k: Int) -> Value
    /// The names `x["name"]` accepts, in display order.
    var fieldNames: [String] { get }
    /// The field `name`, or nil.
    func field(_ name: String) -> Value?
    /// The elements at `positions` as one value of the same kind (`ds[0:100]`), or nil to make a list.
    func subset(_ positions: [Int]) -> Value?
}

extension ScriptObject {
    public var elementCount: Int? { nil }
    public func element(at k: Int) -> Value { .nothing }
    public var fieldNames: [String] { [] }
    public func field(_ name: String) -> Value? { nil }
    public func subset(_ positions: [Int]) -> Value? { nil }
}

/// Named values, such as the metrics `evaluate` returns or one sample of a dataset.
public final class Record: ScriptObject {
    public let typeName: String
    public let fields: [(name: String, value: Value)]

    public init(_ typeName: String, _ fields: [(String, Value)]) {
        self.typeName = typeName
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public var summary: String {
        "\(typeName)(" + fields.map { "\($0.name)=\(shortRepr($0.value))" }.joined(separator: ", ") + ")"
    }

    public var fieldNames: [String] { fields.map(\.name) }

    public func field(_ name: String) -> Value? { fields.first { $0.name == name }?.value }
}

/// A value's repr cut to one short line (for summaries of records).
func shortRepr(_ v: Value, limit: Int = 60) -> String {
    let text = v.repr.replacingOccurrences(of: "\n", with: " ")
    return text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
}
