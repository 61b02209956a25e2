/// A malformed line of a `data.prefix` file, reported as `FILE:LINE: reason`.
public struct DataPrefixError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file path as given to the reader.
    public var file: String
    /// The 1-based line number (0 for errors opening or writing the file).
    public var line: Int
    /// What is wrong.
    public var reason: String

    /// Creates an error record.
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `FILE:LINE: reason`, or `FILE: reason` for the whole file (line 0).
    public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
}
