import ArgumentParser
import Foundation
import SnipMath
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
            let output = try OutputFile(path: out)
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

/// Standard output, or a file written under a temporary name and renamed into place on
/// ``commit()`` (removed on ``discard()`` or on Ctrl-C), so a failed run leaves no half file;
/// an existing path that is not a regular file (a device, a pipe) is written in place.
final class OutputFile {
    /// Why writing failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let path: String?
    private let temporaryPath: String?
    private var file: UnsafeMutablePointer<FILE>?

    init(path: String?) throws {
        self.path = path
        guard let path else {
            temporaryPath = nil
            file = fdopen(STDOUT_FILENO, "w")
            return
        }
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            // A device or a pipe (`--out /dev/null`) is written in place: renaming a temporary
            // file over it would replace the device with a regular file.
            guard let f = fopen(path, "w") else {
                throw Failure(
                    description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            temporaryPath = nil
            file = f
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        guard let f = fopen(temporary, "w") else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        temporaryPath = temporary
        file = f
        OutputFile.removeOnInterrupt(temporary)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let f = file, bytes.count > 0 else { return }
        guard fwrite(bytes.baseAddress, 1, bytes.count, f) == bytes.count else {
            throw Failure(
                description: "writing \(path ?? "standard output") failed: "
                    + String(cString: strerror(errno)))
        }
    }

    /// Flushes, and for a file, syncs it and renames it to its final name.
    func commit() throws {
        guard let f = file else { return }
        file = nil
        guard let temporaryPath, let path else {
            let flushed = fflush(f) == 0
            let error = errno
            if path != nil { fclose(f) }
            guard flushed else {
                throw Failure(
                    description: "writing \(path ?? "standard output") failed: "
                        + String(cString: strerror(error)))
            }
            return
        }
        let flushed = fflush(f) == 0 && fsync(fileno(f)) == 0
        let error = errno
        fclose(f)
        guard flushed else {
            unlink(temporaryPath)
            throw Failure(description: "writing \(path) failed: \(String(cString: strerror(error)))")
        }
        guard rename(temporaryPath, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw Failure(description: "cannot rename the output to \(path): \(message)")
        }
        OutputFile.removeOnInterrupt(nil)
    }

    /// Closes and deletes the temporary file.
    func discard() {
        if let f = file, path != nil { fclose(f) }
        file = nil
        if let temporaryPath { unlink(temporaryPath) }
        OutputFile.removeOnInterrupt(nil)
    }

    /// The temporary file that SIGINT/SIGTERM delete before the process ends.
    nonisolated(unsafe) private static var pendingPath: UnsafeMutablePointer<CChar>?

    private static func removeOnInterrupt(_ path: String?) {
        if let old = pendingPath {
            pendingPath = nil
            free(old)
        }
        guard let path else { return }
        pendingPath = strdup(path)
        for s in [SIGINT, SIGTERM] {
            signal(s) { number in
                if let p = OutputFile.pendingPath { unlink(p) }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}
