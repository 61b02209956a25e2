/// A numeric CSV table for regression: a header of column names (optional) and rows of numbers.
///
/// The target column is y; the other columns become x_0, x_1, … in file order.
public struct RegressionTable: Sendable {
    /// The column names (`"0"`, `"1"`, … when the file has no header).
    public var names: [String]
    /// The values by column.
    public var columns: [[Double]]

    /// Why a table cannot be read.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What is wrong, with the line number.
        public var description: String
    }

    /// Parses comma-separated text. The first line is a header when one of its fields is not a
    /// number; blank lines are skipped; every row needs as many fields as the first.
    public init(csv text: String, separator: Character = ",") throws(Failure) {
        var names: [String]? = nil
        var columns: [[Double]] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, and a newline like "\n"
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: separator, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: " \t\"")
            }
            if names == nil && columns.isEmpty {
                if fields.contains(where: { Double($0) == nil }) {
                    names = fields
                    columns = fields.map { _ in [] }
                    continue
                }
                names = fields.indices.map(String.init)
                columns = fields.map { _ in [] }
            }
            guard fields.count == columns.count else {
                throw Failure(
                    description:
                        "line \(lineNumber): \(fields.count) fields, expected \(columns.count)")
            }
            for (c, field) in fields.enumerated() {
                guard let v = Double(field) else {
                    throw Failure(description: "line \(lineNumber): '\(field)' is not a number")
                }
                columns[c].append(v)
            }
        }
        guard let names, !columns.isEmpty else { throw Failure(description: "the file is empty") }
        self.names = names
        self.columns = columns
    }

    /// The index of the target column: by name, else by 0-based number.
    public func column(named target: String) throws(Failure) -> Int {
        if let i = names.firstIndex(of: target) { return i }
        if let i = Int(target), columns.indices.contains(i) { return i }
        throw Failure(
            description: "no column '\(target)' (columns: \(names.joined(separator: ", ")))")
    }

    /// The regression data with `target` as y and the other columns as x_0, x_1, … in file
    /// order; also the names of those inputs.
    public func regressionData(target: String) throws -> (data: RegressionData, inputs: [String]) {
        let t = try column(named: target)
        let inputs = columns.indices.filter { $0 != t }
        let data = try RegressionData(columns: inputs.map { columns[$0] }, y: columns[t])
        return (data, inputs.map { names[$0] })
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
