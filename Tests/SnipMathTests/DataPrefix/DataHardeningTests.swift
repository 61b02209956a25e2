import Foundation
import SnipMath
import Testing

/// A data.prefix line with the given tree and points (info fields consistent unless given).
func dataLine(
    tree: String, x: [[Double]] = [[0.5], [1.5]], points: Int? = nil, dimension: Int? = nil, target: String? = nil
) -> String {
    let rows = x.map { "[" + $0.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }.joined(separator: ", ")
    let ys = x.map { _ in "[\"1.0\"]" }.joined(separator: ", ")
    var line = "{\"n_input_points\": \"\(points ?? x.count)\", \"n_unary_ops\": \"0\", \"n_binary_ops\": \"0\", "
    line += "\"d_in\": \"\(dimension ?? x.first?.count ?? 0)\", \"d_out\": \"1\", \"input_distribution_type\": \"0\", \"n_centroids\": \"1\", "
    line += "\"x_to_fit\": [\(rows)], \"y_to_fit\": [\(ys)], \"tree\": \"\(tree)\", \"skeleton_tree_encoded\": []"
    if let target { line += ", \"target_property\": \(target)" }
    return line + "}"
}

private func withFile<T>(_ text: String, _ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-data-\(UUID().uuidString).prefix").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    defer { unlink(path) }
    return try body(path)
}

/// The reader's error for `text` (one sample per line), or nil when every line reads.
private func readError(_ text: String) throws -> DataPrefixError? {
    try withFile(text) { path -> DataPrefixError? in
        do {
            _ = try DataPrefixReader(path: path).readAll()
            return nil
        } catch let error as DataPrefixError {
            return error
        }
    }
}

/// Issue 17: deep trees crashed every consumer; empty samples, inconsistent info fields,
/// directories and endless devices read as "0 samples".
struct DataHardeningTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "sin,", count: depth - 1) + "x_0"
    }

    @Test func aHundredThousandLevelTreeIsAPositionedError() throws {
        let text = dataLine(tree: "x_0") + "\n" + dataLine(tree: Self.nested(100_001)) + "\n"
        let error = try #require(try readError(text))
        #expect(error.line == 2)
        #expect(error.reason.contains("levels deep"))
        #expect(error.description.hasSuffix(".prefix:2: " + error.reason))
        #expect(throws: ExpressionParseError.self) { try Expression(prefix: Self.nested(100_000)) }
        // binary chains too
        let chain = String(repeating: "add,x_0,", count: 100_000) + "x_0"
        #expect(throws: ExpressionParseError.tooDeep(limit: Expression.maxDepth, position: 2 * Expression.maxDepth - 1)) {
            try Expression(prefix: chain)
        }
    }

    /// The deepest tree accepted goes through every walk (and is freed) without trouble.
    @Test func theDeepestAcceptedTreeWorksEverywhere() throws {
        let deepest = try Expression(prefix: Self.nested(Expression.maxDepth))
        #expect(throws: ExpressionParseError.self) { try Expression(prefix: Self.nested(Expression.maxDepth + 1)) }
        #expect(deepest.nodeCount == Expression.maxDepth)
        #expect(deepest.prefixTokens.count == Expression.maxDepth)
        #expect(deepest.infix.hasPrefix("sin(sin("))
        #expect(try deepest.encodedTokens().count == Expression.maxDepth)
        #expect(deepest.skeleton == deepest)
        #expect(Set([deepest, deepest]).count == 1)
        let values = try deepest.evaluate(rows: [[0.5], [1.0]])
        #expect(values.count == 2 && values[0] > 0 && values[0] < 0.1)
        let line = dataLine(tree: deepest.prefix)
        #expect(try Sample(dataPrefixLine: line).tree == deepest)
    }

    @Test func samplesWithoutPointsOrInputsAreErrors() throws {
        #expect(try readError(dataLine(tree: "x_0", x: []))?.reason.contains("no points") == true)
        #expect(try readError(dataLine(tree: "x_0", x: [[], []]))?.reason.contains("no inputs") == true)
    }

    @Test func infoFieldsMustAgreeWithThePoints() throws {
        let points = try #require(try readError(dataLine(tree: "x_0", points: 200)))
        #expect(points.reason.contains("n_input_points is 200 but x_to_fit holds 2 points"))
        let dimension = try #require(try readError(dataLine(tree: "x_0", dimension: 3)))
        #expect(dimension.reason.contains("d_in is 3 but the points have 1 inputs"))
        #expect(try readError(dataLine(tree: "add,x_0,x_1", x: [[1, 2], [3, 4]])) == nil)
    }

    @Test func aDirectoryIsNotADataFile() throws {
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: DataPrefixError.self) { try DataPrefixReader(path: directory) }
        do {
            _ = try DataPrefixReader(path: directory)
        } catch {
            #expect(error.reason.contains("directory"))
        }
    }

    /// `/dev/zero` (read only) never ends a line: the reader stops at its line limit instead
    /// of growing until memory runs out.
    @Test func anEndlessDeviceIsAnErrorNotAnOutOfMemory() throws {
        let reader = try DataPrefixReader(path: "/dev/zero")
        #expect(throws: DataPrefixError.self) { _ = try reader.next() }
        do {
            _ = try reader.next()
        } catch {
            #expect(error.reason.contains("longer than"))
        }
    }

    @Test func linesEndingInCarriageReturnsAndAMissingFinalNewlineStillRead() throws {
        let text = dataLine(tree: "x_0") + "\r\n\n" + dataLine(tree: "sin,x_0")
        let samples = try withFile(text) { try DataPrefixReader(path: $0).readAll() }
        #expect(samples.map(\.tree.prefix) == ["x_0", "sin,x_0"])
    }
}
