import ArgumentParser
import Foundation
import SnipMath
import SnipSystem
import SnipTensor

extension FunctionProperty: ExpressibleByArgument {}

/// `snip generate`: random functions with their points, as reference `data.prefix` lines.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate random functions and their points as data.prefix lines.",
        discussion: """
            Draws functions and 200 points each the way the reference SNIP generator does \
            (env.gen_expr with the pre-training defaults) and writes one JSON line per sample in \
            the reference's data.prefix format. Sample i of seed S comes from numpy's \
            RandomState([S, i]), so the output depends only on the arguments, not on the thread \
            count (SNIP_THREADS); for dimension 1 it is the reference's own sample for that seed.

            --property adds `target_property` computed on the sample's points as the reference's \
            property-prediction data does (dimension 1 only); ncr is the reference's 1000-triple \
            estimate, drawn from the sample's own random state, or with --exact-ncr the ratio \
            over all triples. Property test sets in the reference use \
            --min-binary-ops-per-dim 3.

            With --out the file is written to a temporary name and renamed when complete, so it \
            is never left half-written. A progress bar is drawn on standard error when it is a \
            terminal.
            """)

    @Option(
        parsing: .unconditional, help: "Number of samples to write.",
        transform: { try parseInteger($0, "count") })
    var count: Int

    @Option(
        parsing: .unconditional, help: "Random seed, 0...4294967295 (default: 0).",
        transform: { try parseInteger($0, "seed") })
    var seed: Int = 0

    @Option(help: "Largest input dimension (1...10); dimensions are drawn uniformly from 1.")
    var maxInputDimension: Int = 1

    @Option(help: "Add the property `target_property`: ncr, upward, yavg or oscil.")
    var property: FunctionProperty?

    @Flag(help: "With --property ncr, use all triples instead of 1000 random ones.")
    var exactNcr = false

    @Flag(help: "Min-max scale y to [0, 1] (the reference's --normalize_y).")
    var normalizeY = false

    @Flag(help: "Write each function's skeleton (constants as CONSTANT) as its tree.")
    var skeleton = false

    @Option(help: "Fewest binary operators per input dimension (property test sets use 3).")
    var minBinaryOpsPerDim: Int = 0

    @Option(help: "File to write (default: standard output).")
    var out: String?

    /// Parses an integer option, leaving range checks to `validate()` so that `--count -5`
    /// gets a message about the count rather than about an unknown option.
    static func parseInteger(_ text: String, _ name: String) throws -> Int {
        guard let value = Int(text) else {
            throw ValidationError("--\(name) must be an integer, not '\(text)'")
        }
        return value
    }

    var generatorConfiguration: GeneratorConfiguration {
        var c = GeneratorConfiguration(maxInputDimension: maxInputDimension)
        c.normalizeY = normalizeY
        c.minBinaryOpsPerDimension = minBinaryOpsPerDim
        return c
    }

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more, not \(count)") }
        guard count <= Int(UInt32.max) + 1 else {
            throw ValidationError("--count must be at most 2^32")
        }
        guard (0...Int(UInt32.max)).contains(seed) else {
            throw ValidationError("--seed must be in 0...4294967295, not \(seed)")
        }
        guard (1...10).contains(maxInputDimension) else {
            throw ValidationError(
                "--max-input-dimension must be in 1...10, not \(maxInputDimension)")
        }
        if property != nil && maxInputDimension != 1 {
            throw ValidationError(
                "--property needs --max-input-dimension 1 (properties are defined on functions "
                    + "of one variable)")
        }
        if exactNcr && property != .ncr {
            throw ValidationError("--exact-ncr goes with --property ncr")
        }
        if let problem = generatorConfiguration.problems.first {
            throw ValidationError("--min-binary-ops-per-dim \(minBinaryOpsPerDim): \(problem)")
        }
    }

    func run() throws {
        let dataset = DatasetGenerator(
            generator: ExpressionGenerator(configuration: generatorConfiguration),
            seed: UInt32(seed), property: property, exactNCR: exactNcr, skeletonTrees: skeleton)
        let bar = ProgressBar(total: count, unit: "samples")
        try reportingErrors {
            let output = try AtomicFile.Writer(path: out)
            do {
                try dataset.write(
                    count: count, threads: Runtime.threadCount,
                    sink: { try output.write($0) }, progress: bar.update)
                try output.commit()
            } catch {
                output.discard()
                throw error
            }
        }
        bar.finish()
    }
}
