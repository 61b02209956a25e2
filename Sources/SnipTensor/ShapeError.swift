/// A shape problem found before an op runs, reported instead of trapping.
///
/// Library code treats mismatched shapes as programming errors (a precondition that names both
/// shapes); code that takes shapes from users (the scripting language) calls the validating
/// entry points in `ShapeCheck` first and reports this error.
public struct ShapeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong, with the shapes involved.
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Renders a shape the way error messages show it: `[2, 3]`.
@inlinable
func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
