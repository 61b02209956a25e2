import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipRegression
import SnipScript
import SnipSystem

/// `snip regress`: a formula for a CSV column from the other columns (symbolic regression).
struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract:
            "Find a formula for one column of a CSV file from the others (symbolic regression).",
        discussion: """
            The other columns become x_0, x_1, … in file order (at most 10). The search \
            (evolutionary, with constants refined by Levenberg–Marquardt) stops when the \
            formula's R² on the data reaches --target-r2, after --time seconds, or at Ctrl-C, \
            and prints the best formula and the Pareto front of accuracy against complexity \
            (prefix tokens). --out writes them as JSON: infix, prefix (the reference's \
            comma-separated form), r2, complexity, pareto.

            With SNIP's decoder (--decoder, by default the one shipped with the 10-D model when \
            present), the search starts from formulas SNIP writes: the numeric encoder embeds the \
            (standardised) points, the decoder writes skeletons by beam search and sampling, \
            their constants are fitted, and a latent-space optimisation (Grey Wolf Optimiser \
            over the latent vector, up to --lso-seconds) looks for a latent whose decoded \
            formula fits best; the best of these seed the evolutionary search. --decoder none \
            searches without SNIP; on the Feynman benchmark that is the better choice today, \
            above all for noisy data (docs/RESULTS.md).
            """)

    @Option(
        help: "A CSV file with a header of column names (or none: columns are numbered from 0).")
    var data: String

    @Option(help: "The column to explain (its name, or its 0-based number).")
    var target: String

    @Option(help: "Search for at most this many seconds.")
    var time = 60.0

    @Option(help: "Stop once R² on the data reaches this (1 or more: use the whole time).")
    var targetR2 = 0.99

    @Option(help: "The seed of the search.")
    var seed: UInt64 = 0

    @Option(help: "Threads that evaluate formulas.")
    var threads = 1

    @Option(help: "Formulas in the population.")
    var population = 300

    @Option(
        help: """
            The operators formulas may use, comma-separated (add sub mul div pow; abs inv sqrt \
            log exp sin arcsin cos arccos tan arctan pow2 pow3).
            """)
    var operators = "add,sub,mul,div,pow2,pow3,sqrt,exp,log,sin,cos"

    @Option(help: "Write the result as JSON to this file.")
    var out: String?

    @Option(help: "SNIP's formula decoder: auto (the shipped one when present), none, or a decoder file from `snip train-decoder`.")
    var decoder = "auto"

    @Option(help: "The SNIP model a --decoder file was trained on (a checkpoint, or 1d / 10d).")
    var decoderModel = "10d"

    @Option(help: "Seconds of SNIP's latent-space optimisation (default: a third of --time, at most 20; 0: decode only).")
    var lsoSeconds: Double?

    func validate() throws {
        guard time.isFinite, time > 0 else { throw ValidationError("--time must be a number > 0") }
        guard targetR2.isFinite else { throw ValidationError("--target-r2 must be a number") }
        if let lsoSeconds, !(lsoSeconds.isFinite && lsoSeconds >= 0) {
            throw ValidationError("--lso-seconds must be a number ≥ 0")
        }
        try Flags.check(threads, "--threads", in: 1...256)
        try Flags.check(population, "--population", in: 4...100_000)
        _ = try operatorSets()
    }

    /// The binary and unary operators of `--operators`.
    func operatorSets() throws -> (binary: [BinaryOperator], unary: [UnaryOperator]) {
        var binary: [BinaryOperator] = []
        var unary: [UnaryOperator] = []
        for name in operators.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
        {
            if let op = BinaryOperator(rawValue: name) {
                if !binary.contains(op) { binary.append(op) }
            } else if let op = UnaryOperator(rawValue: name) {
                if !unary.contains(op) { unary.append(op) }
            } else {
                throw ValidationError("--operators: unknown operator '\(name)'")
            }
        }
        guard !binary.isEmpty else {
            throw ValidationError(
                "--operators needs at least one binary operator (add, sub, mul, div, pow)")
        }
        return (binary, unary)
    }

    func run() throws {
        preferOneComputeThread()  // the search has its own --threads
        Interrupt.install(
            .stopAndSave(announce: true, action: "stopping the search, keeping the best formula so far"))
        defer { Interrupt.uninstall() }
        try reportingErrors {
            let text = try String(contentsOfFile: data, encoding: .utf8)
            let table: RegressionTable
            do { table = try RegressionTable(csv: text) } catch {
                throw ValidationError("\(data): \(error)")
            }
            let (problem, inputs): (RegressionData, [String])
            do { (problem, inputs) = try table.regressionData(target: target) } catch {
                throw ValidationError("\(data): \(error)")
            }
            var options = RegressionOptions(timeLimit: time, seed: seed, threads: threads)
            options.targetR2 = targetR2 < 1 ? targetR2 : nil
            options.populationSize = population
            (options.binaryOperators, options.unaryOperators) = try operatorSets()
            let proposals = try snipProposals()
            let status = StatusLine()
            if proposals != nil { status.show("SNIP: encoding, decoding and latent-space search…") }
            let result = try SymbolicRegression.fit(problem, options: options, proposals: proposals) { p in
                status.show(
                    String(
                        format:
                            "generation %d  %.0f s  %@ formulas (%.0f/s)  best R² %.6f  complexity %d",
                        p.generation, p.elapsed, "\(p.evaluations)",
                        Double(p.evaluations) / max(p.elapsed, 1e-9), p.bestR2, p.bestComplexity))
                return !Interrupt.isPending
            }
            status.finish()
            if result.stopReason == .interrupted { note("interrupted: the best formula so far") }
            if let report = proposals?.lastReport {
                note(String(
                    format: "SNIP decoder: %d skeletons fitted in %.1f s; best R² %.4f from the data's latent, %.4f after %d latents of LSO",
                    report.skeletons, report.seconds, report.initialR2, report.bestR2, report.latents))
            }
            for (i, name) in inputs.enumerated() { print("x_\(i) = \(name)") }
            print("\(target) ≈ \(ReadableInfix.text(result.expression))")
            print(
                String(
                    format: "R² %.6f  complexity %d  %.1f s  %d generations  %d formulas",
                    result.r2, result.complexity, result.seconds, result.generations,
                    result.evaluations))
            print("Pareto front (complexity, R², formula):")
            for entry in result.pareto {
                print(
                    String(format: "%4d  %.6f  ", entry.complexity, entry.r2)
                        + ReadableInfix.text(entry.expression))
            }
            if let out {
                let report = Report(result, inputs: inputs, target: target)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let output = try AtomicFile.Writer(path: out)
                defer { output.discard() }
                try output.write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
                try output.commit()
            }
        }
    }

    /// SNIP's proposals as the options ask (nil for --decoder none, or auto without a
    /// shipped decoder).
    func snipProposals() throws -> DecoderProposals? {
        var search = DecoderSearchOptions(timeLimit: time, targetR2: targetR2)
        if let lsoSeconds { search.lsoSeconds = lsoSeconds }
        switch decoder {
        case "none": return nil
        case "auto" where DecoderProposals.shippedDecoderPath == nil:
            note("no shipped SNIP decoder found; searching without SNIP")
            return nil
        default:
            let proposals = try DecoderProposals.load(decoder: decoder, model: decoderModel, options: search)
            proposals.shouldStop = { Interrupt.isPending }
            return proposals
        }
    }

    /// The JSON written by `--out`.
    struct Report: Encodable {
        struct Entry: Encodable {
            var infix: String
            var prefix: String
            var r2: Double
            var complexity: Int

            init(_ entry: ParetoEntry) {
                infix = ReadableInfix.text(entry.expression)
                prefix = entry.expression.prefix
                r2 = entry.r2
                complexity = entry.complexity
            }
        }

        var infix: String
        var prefix: String
        var r2: Double
        var complexity: Int
        var target: String
        /// `x_i` → column name.
        var variables: [String: String]
        var pareto: [Entry]
        var seconds: Double
        var generations: Int
        var evaluations: Int
        var stop: String

        init(_ result: RegressionResult, inputs: [String], target: String) {
            let best = Entry(
                ParetoEntry(
                    expression: result.expression, r2: result.r2, complexity: result.complexity))
            infix = best.infix
            prefix = best.prefix
            r2 = result.r2
            complexity = result.complexity
            self.target = target
            variables = Dictionary(
                uniqueKeysWithValues: inputs.enumerated().map { ("x_\($0.offset)", $0.element) })
            pareto = result.pareto.map(Entry.init)
            seconds = result.seconds
            generations = result.generations
            evaluations = result.evaluations
            stop = result.stopReason.rawValue
        }
    }
}
