import Foundation
import SnipMath
import TestSupport
import Testing

/// `data.prefix` reading and writing against the reference's own exports
/// (`data_prefix/train_functions.prefix`, 28 lines; `data_prefix/train_ncr.prefix`, 32 lines).
@Suite struct DataPrefixTests {
    static let files = [("train_functions.prefix", 28), ("train_ncr.prefix", 32)]

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: Golden.url("data_prefix/" + name, in: .module), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    @Test(arguments: files)
    func goldenFilesReadAndRewriteByteForByte(name: String, count: Int) throws {
        let reader = try DataPrefixReader(path: Golden.url("data_prefix/" + name, in: .module).path)
        let samples = try reader.readAll()
        #expect(samples.count == count)
        #expect(reader.skippedLines == 0)
        let lines = try Self.lines(name)
        var identicalLines = 0
        for (sample, line) in zip(samples, lines) {
            #expect(sample.x.count == 200 && sample.y.count == 200)
            #expect(sample.info.inputPointCount == 200 && sample.info.inputDimension == 1)
            #expect((sample.targetProperty != nil) == name.contains("ncr"))
            // The skeleton tokens are those of the tree's skeleton.
            #expect(try sample.tree.skeleton.encodedTokens() == sample.skeletonTokens)
            let written = sample.dataPrefixLine()
            #expect(written == line)
            if written == line { identicalLines += 1 }
        }
        #expect(identicalLines == count)
    }

    @Test func writerOutputReadsBackIdentically() throws {
        let samples = try DataPrefixReader(
            path: Golden.url("data_prefix/train_ncr.prefix", in: .module).path
        ).readAll()
        let path = freshTemporaryPath("snipmath-roundtrip.prefix")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try DataPrefixWriter(path: path)
        for s in samples { try writer.write(s) }
        writer.close()
        let again = try DataPrefixReader(path: path).readAll()
        #expect(again == samples)
        #expect(
            try Self.lines("train_ncr.prefix")
                == String(contentsOfFile: path, encoding: .utf8)
                .split(separator: "\n").map(String.init))
    }

    @Test func writerRoundsPointsToPrintedPrecision() throws {
        let tree = try Expression(prefix: "add,0.5,mul,-2.25,x_0")
        let sample = Sample(
            tree: tree, x: [[3.14159], [-0.0], [1e-120]], y: [2.718281828, .nan, .infinity],
            info: SampleInfo(
                inputPointCount: 3, unaryOperatorCount: 0, binaryOperatorCount: 2,
                inputDimension: 1, outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: try tree.skeleton.encodedTokens(),
            targetProperty: 1 - 0.877)  // repr: 0.123
        let line = sample.dataPrefixLine()
        #expect(
            line == """
                {"n_input_points": "3", "n_unary_ops": "0", "n_binary_ops": "2", "d_in": "1", \
                "d_out": "1", "input_distribution_type": "0", "n_centroids": "1", \
                "x_to_fit": [["3.142e+00"], ["-0.000e+00"], ["1.000e-120"]], \
                "y_to_fit": [["2.718e+00"], ["nan"], ["inf"]], "tree": "add,0.5,mul,-2.25,x_0", \
                "skeleton_tree_encoded": ["add", "CONSTANT", "mul", "CONSTANT", "x_0"], \
                "target_property": 0.123}
                """)
        let back = try Sample(dataPrefixLine: line)
        #expect(back.x == [[3.142], [-0.0], [1e-120]])
        #expect(back.y[0] == 2.718 && back.y[1].isNaN && back.y[2] == .infinity)
        #expect(back.targetProperty == 1 - 0.877)
        #expect(back.dataPrefixLine() == line)
    }

    @Test func malformedLinesAreReportedWithTheirLineNumber() throws {
        let good = try Self.lines("train_functions.prefix")[0]
        let path = freshTemporaryPath("snipmath-bad.prefix")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let content =
            [
                good, "{not json", good, "",
                good.replacingOccurrences(of: "\"tree\": \"", with: "\"tree\": \"foo,"),
                String(good.prefix(500)),
                good.replacingOccurrences(of: "\"d_in\": \"1\"", with: "\"d_in\": 1"),
                good,
            ].joined(separator: "\n") + "\n"
        try content.write(toFile: path, atomically: true, encoding: .utf8)

        let strict = try DataPrefixReader(path: path)
        #expect(try strict.next() != nil)
        do {
            _ = try strict.next()
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.description.hasPrefix(path + ":2: invalid JSON at column 2"))
        }

        let lenient = try DataPrefixReader(path: path, skipMalformedLines: true)
        #expect(try lenient.readAll().count == 3)
        #expect(lenient.skippedLines == 4)
        #expect(lenient.skippedErrors.map(\.line) == [2, 5, 6, 7])
        #expect(lenient.skippedErrors[1].reason == "tree: unknown token 'foo' at position 0")
        #expect(lenient.skippedErrors[3].reason == "'d_in' is not an integer string")
        #expect(lenient.lineNumber == 8)
    }

    @Test func missingFileIsReportedWithoutALineNumber() {
        #expect {
            try DataPrefixReader(path: "/nonexistent/x.prefix")
        } throws: { error in
            (error as? DataPrefixError)?.description == "/nonexistent/x.prefix: cannot open: No such file or directory"
        }
    }
}
