/// A floating-point exception numpy would raise under `np.seterr(all='raise')`.
public struct FloatingPointException: Error, Hashable, Sendable, CustomStringConvertible {
    /// The IEEE exception classes numpy checks, in the order numpy reports them.
    public enum Kind: String, CaseIterable, Hashable, Sendable {
        /// Division by zero (`pow(0, negative)`).
        case divide = "divide by zero"
        /// A finite computation gave an infinity.
        case overflow
        /// A non-zero result was tiny and inexact.
        case underflow
        /// An invalid operation gave NaN from non-NaN inputs (`inf - inf`, `arcsin(2)`).
        case invalid = "invalid value"
    }

    /// What went wrong.
    public var kind: Kind
    /// The numpy operation that raised (`add`, `multiply`, `exp`, …).
    public var operation: String

    /// Creates an exception record.
    public init(kind: Kind, operation: String) {
        self.kind = kind
        self.operation = operation
    }

    /// numpy's message, such as `overflow encountered in add`.
    public var description: String { "\(kind.rawValue) encountered in \(operation)" }
}

/// A set of IEEE exception flags raised by an elementwise operation.
struct FloatingPointFlags: OptionSet, Sendable {
    let rawValue: UInt8
    static let divide = FloatingPointFlags(rawValue: 1)
    static let overflow = FloatingPointFlags(rawValue: 2)
    static let underflow = FloatingPointFlags(rawValue: 4)
    static let invalid = FloatingPointFlags(rawValue: 8)

    /// The exception numpy raises for these flags (it checks divide, overflow, underflow,
    /// invalid in that order), or `nil` when no flag is set.
    func exception(in operation: String) -> FloatingPointException? {
        if contains(.divide) { return .init(kind: .divide, operation: operation) }
        if contains(.overflow) { return .init(kind: .overflow, operation: operation) }
        if contains(.underflow) { return .init(kind: .underflow, operation: operation) }
        if contains(.invalid) { return .init(kind: .invalid, operation: operation) }
        return nil
    }
}
