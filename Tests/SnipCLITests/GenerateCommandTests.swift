import Foundation
import SnipMath
import TestSupport
import Testing

/// `snip generate`: files that read back, thread-independent bytes, atomic output, and
/// argument errors.
@Suite struct GenerateCommandTests {
    static func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("snip-generate-\(UUID().uuidString)-\(name)").path
    }

    /// Runs `snip` and returns its exit status and standard output (standard error apart).
    static func runSnipStandardOutput(_ arguments: [String], environment: [String: String] = [:])
        throws -> (status: Int32, output: String)
    {
        try runSnip(arguments, environment: environment, includeStandardError: false)
    }

    @Test func writtenFileReadsBackWithTheSameSamples() throws {
        let path = Self.temporaryPath("out.prefix")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try runSnip([
            "generate", "--count", "40", "--seed", "7", "--property", "ncr", "--out", path,
        ])
        #expect(status == 0, "\(output)")
        let reader = try DataPrefixReader(path: path)
        let samples = try reader.readAll()
        #expect(samples.count == 40 && reader.skippedLines == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        // The content: each read sample writes back its own line, and equals the library's.
        var generator = GeneratorConfiguration()
        generator.maxInputDimension = 1
        let dataset = DatasetGenerator(
            generator: ExpressionGenerator(configuration: generator), seed: 7, property: .ncr)
        for (i, (sample, line)) in zip(samples, lines).enumerated() {
            #expect(sample.dataPrefixLine() == String(line))
            #expect(sample.targetProperty != nil)
            #expect(dataset.sample(at: i).dataPrefixLine() == String(line))
        }
        // No temporary file is left next to the output.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
            $0.hasPrefix(".\(URL(fileURLWithPath: path).lastPathComponent)")
        }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: ["1", "3"])
    func sameSeedSameBytesWhateverTheThreads(dimension: String) throws {
        let arguments = ["generate", "--count", "150", "--seed", "3", "--max-input-dimension", dimension]
        let one = try Self.runSnipStandardOutput(arguments, environment: ["SNIP_THREADS": "1"])
        let two = try Self.runSnipStandardOutput(arguments, environment: ["SNIP_THREADS": "2"])
        #expect(one.status == 0 && two.status == 0)
        #expect(one.output.split(separator: "\n").count == 150)
        #expect(one.output == two.output)
        let other = try Self.runSnipStandardOutput(
            ["generate", "--count", "150", "--seed", "4", "--max-input-dimension", dimension])
        #expect(other.output != one.output)
    }

    @Test func zeroSamplesIsAnEmptyFile() throws {
        let path = Self.temporaryPath("empty.prefix")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, _) = try runSnip(["generate", "--count", "0", "--out", path])
        #expect(status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
    }

    @Test(arguments: [
        (["--count", "-5"], "--count must be 0 or more"),
        (["--count", "ten"], "--count must be an integer"),
        (["--count", "5", "--max-input-dimension", "0"], "--max-input-dimension must be in 1...10"),
        (["--count", "5", "--max-input-dimension", "11"], "--max-input-dimension must be in 1...10"),
        (["--count", "5", "--property", "bogus"], "'bogus' is invalid for '--property"),
        (["--count", "5", "--property", "ncr", "--max-input-dimension", "2"], "--property needs"),
        (["--count", "5", "--exact-ncr"], "--exact-ncr goes with --property ncr"),
        (["--count", "5", "--seed", "-1"], "--seed must be in"),
        (["--count", "5", "--min-binary-ops-per-dim", "4"], "--min-binary-ops-per-dim 4"),
        (["--count", "5", "--min-binary-ops-per-dim", "3", "--max-input-dimension", "2"], "dimension 2"),
        (["--seed", "5"], "Missing expected argument '--count"),
    ])
    func badArgumentsFailWithAMessage(arguments: [String], message: String) throws {
        let (status, output) = try runSnip(["generate"] + arguments)
        #expect(status != 0)
        #expect(output.contains(message), "\(output)")
    }

    @Test func unwritableOutputFailsWithoutAFile() throws {
        let path = Self.temporaryPath("missing-folder") + "/out.prefix"
        let (status, output) = try runSnip(["generate", "--count", "3", "--out", path])
        #expect(status == 1)
        #expect(output.contains("snip: error: cannot write \(path)"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
