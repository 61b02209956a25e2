import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipRegression
import SnipSystem

/// `snip evaluate-decoder`: how well SNIP's decoder writes formulas for functions it never saw.
struct EvaluateDecoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-decoder",
        abstract: "Measure a formula decoder on a data file: the R² of its best decoded, fitted formula per function.",
        discussion: """
            For each function of the data file (data.prefix lines, e.g. from `snip generate \
            --max-input-dimension 10`) the points are standardised and encoded, the decoder writes \
            --beam formulas by beam search and --samples by sampling, each skeleton's constants are \
            fitted by Levenberg–Marquardt on the points, and the best R² counts; with \
            --lso-seconds the latent-space search runs too. Prints the share of functions whose \
            best R² exceeds 0.99 / 0.9 / 0.5 and the median, and with --json writes every \
            function's result.
            """)

    @Option(help: "A decoder file from `snip train-decoder`, or shipped.")
    var decoder = "shipped"

    @Option(help: "The SNIP model the decoder was trained on (a checkpoint, or 1d / 10d).")
    var model = "10d"

    @Option(help: "A data.prefix file of functions.")
    var data: String

    @Option(help: "Evaluate the first N functions.")
    var count = 200

    @Option(help: "Beam width.")
    var beam = 8

    @Option(help: "Sampled formulas per function.")
    var samples = 0

    @Option(help: "Seconds of latent-space search per function (0: decoding only).")
    var lsoSeconds = 0.0

    @Flag(help: "The control: decode each function's formulas from the next function's points (how much the encoding of the function itself contributes).")
    var control = false

    @Option(help: "Write per-function results as JSON here.")
    var json: String?

    func validate() throws {
        try Flags.check(count, "--count", in: 1...1_000_000)
        try Flags.check(beam, "--beam", in: 1...256)
        try Flags.check(samples, "--samples", in: 0...10_000)
        guard lsoSeconds.isFinite, lsoSeconds >= 0 else { throw ValidationError("--lso-seconds must be ≥ 0") }
    }

    struct Row: Encodable {
        var index: Int
        var dimension: Int
        var formula: String
        var r2: Double
        var decoded: String
    }

    func run() throws {
        preferOneComputeThread()
        Interrupt.install(.cancel)
        defer { Interrupt.uninstall() }
        try reportingErrors {
            var options = DecoderSearchOptions()
            options.beamWidth = beam
            options.samples = samples
            options.lsoSeconds = lsoSeconds
            options.targetR2 = 0.99
            let source = try DecoderProposals.load(decoder: decoder, model: model, options: options)
            let reader = try DataPrefixReader(path: data, skipMalformedLines: true)
            var rows: [Row] = []
            let status = StatusLine()
            let started = Date()
            var functionsRead: [Sample] = []
            while functionsRead.count < count + (control ? 1 : 0), let sample = try reader.next() {
                functionsRead.append(sample)
            }
            let functions = control ? max(functionsRead.count - 1, 0) : functionsRead.count
            for i in 0..<functions {
                if Interrupt.isPending { break }
                let sample = functionsRead[i]
                let problem = try RegressionData(rows: sample.x, y: sample.y)
                let other = try control ? RegressionData(rows: functionsRead[i + 1].x, y: functionsRead[i + 1].y) : nil
                _ = try source.proposals(for: problem, count: 1, seed: UInt64(rows.count), encoding: other)
                let report = source.lastReport
                let r2 = report.bestR2.isFinite ? report.bestR2 : -1
                rows.append(Row(
                    index: rows.count, dimension: problem.points.dimension, formula: sample.tree.prefix, r2: r2,
                    decoded: report.best?.prefix ?? ""))
                let good = rows.filter { $0.r2 > 0.99 }.count
                status.show("\(rows.count)/\(count) functions, R² > 0.99 for \(good)")
            }
            status.finish()
            guard !rows.isEmpty else { throw ValidationError("\(data): no functions") }
            let r2s = rows.map(\.r2).sorted()
            func share(_ t: Double) -> String { String(format: "%.3f", Double(r2s.filter { $0 > t }.count) / Double(r2s.count)) }
            print("decoder \(decoder) on \(model): \(rows.count) functions of \(data), beam \(beam), samples \(samples), LSO \(lsoSeconds) s\(control ? " (control: each decoded from the next function's points)" : "")")
            print("best decoded-and-fitted R² > 0.99: \(share(0.99))  > 0.9: \(share(0.9))  > 0.5: \(share(0.5))  median \(String(format: "%.3f", r2s[r2s.count / 2]))")
            print(String(format: "%.2f s per function", Date().timeIntervalSince(started) / Double(rows.count)))
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try AtomicFile.write(try encoder.encode(rows), to: json)
            }
        }
    }
}
