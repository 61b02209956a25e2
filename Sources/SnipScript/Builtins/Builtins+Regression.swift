import Foundation
import SnipMath
import SnipModel
import SnipRegression
import SnipSystem

extension Builtins {
    /// Symbolic regression: a formula from points.
    static let regression: [Builtin] = [
        Builtin(
            "regress", .expressions,
            [
                .req("xs"), .req("ys"), .def("time", .number(60)), .def("seed", .number(0)),
                .def("target", .number(0.99)), .def("threads", .number(1)), .def("snip", .bool(true)),
            ],
            doc: """
                A formula for points (symbolic regression): regress(xs, ys) searches expressions in x_0, x_1, … \
                with ys ≈ f(xs), by an evolutionary search whose constants are refined by Levenberg–Marquardt. \
                xs is a vector (one variable) or a matrix with one row per point and one column per variable \
                (at most 10). The search stops when R² on the points reaches target (use target=1 to spend the \
                whole time), after time seconds, or at Ctrl-C (then the best so far is returned); the same seed \
                and threads=1 give the same search. A record: r["f"] is the expression (callable, plottable), \
                r["r2"] its R², r["complexity"] its number of prefix tokens, r["pareto"] the Pareto front of \
                accuracy against complexity (a list of records with f, r2 and complexity, simplest first), \
                r["seconds"] and r["stop"] ("target", "time" or "interrupted"). With snip=true (the default, \
                when the decoder shipped with the 10-D model is present) the search starts from formulas SNIP \
                writes: its numeric encoder embeds the points, its decoder writes skeletons whose constants are \
                fitted, and a latent-space search (Grey Wolf Optimiser over the embedding, up to a third of the \
                time) looks for better ones; r["snip"] then says how many it fitted and the best R² they reached. \
                snip=false searches without SNIP.
                """
        ) { interp, a in
            let xs = try a.array("xs")
            let ys = try a.vector("ys")
            let columns: [[Double]]
            if xs.isVector {
                columns = [xs.data]
            } else {
                let (n, d) = (xs.rows, xs.columns)
                guard d <= RegressionData.maxColumns else {
                    throw Diagnostic(
                        .shape,
                        "regress: xs has \(d) columns (variables); at most \(RegressionData.maxColumns)",
                        at: a.range("xs"))
                }
                columns = (0..<d).map { c in (0..<n).map { xs.data[$0 * d + c] } }
            }
            let time = try a.number("time")
            guard time.isFinite, time > 0 else {
                throw Diagnostic(
                    .value, "regress: time must be a number of seconds > 0", at: a.range("time"))
            }
            let target = try a.number("target")
            guard target.isFinite else {
                throw Diagnostic(.value, "regress: target must be a number", at: a.range("target"))
            }
            var options = RegressionOptions(
                timeLimit: time, seed: UInt64(try a.seed("seed")),
                threads: try a.int("threads", min: 1, max: 64))
            options.targetR2 = target < 1 ? target : nil
            let data: RegressionData
            do {
                data = try RegressionData(columns: columns, y: ys)
            } catch let error as RegressionError {
                let at: SourceRange
                switch error {
                case .nonFinite(what: "y", _): at = a.range("ys")
                case .mismatchedLengths, .tooFewPoints: at = a.range
                default: at = a.range("xs")
                }
                throw Diagnostic(.value, "regress: \(error)", at: at)
            }
            defer { interp.progress?(nil) }
            var proposals: DecoderProposals?
            if try a.bool("snip"), DecoderProposals.shippedDecoderPath != nil {
                let search = DecoderSearchOptions(timeLimit: time, targetR2: target)
                interp.progress?("regress: SNIP is encoding the points and decoding formulas")
                do {
                    proposals = try DecoderProposals.shipped(options: search)
                } catch {
                    throw Diagnostic(.value, "regress: \(error)", at: a.range)
                }
                proposals?.shouldStop = { Interrupt.isPending }
            }
            let result = try SymbolicRegression.fit(data, options: options, proposals: proposals) { p in
                interp.progress?(
                    String(
                        format: "regress: generation %d, %.0f s, best R² %.6f (complexity %d)",
                        p.generation, p.elapsed, p.bestR2, p.bestComplexity))
                return !Interrupt.isPending
            }
            if result.stopReason == .interrupted {
                // Ctrl-C ends the search, not the program: the best formula so far is the result
                Interrupt.clear()
                interp.progress?(nil)
                interp.output(
                    "regress: stopped by Ctrl-C after \(result.generations) generations; "
                        + "returning the best formula so far\n")
            }
            func record(_ entry: ParetoEntry) -> Value {
                .object(
                    Record(
                        "formula",
                        [
                            ("f", .function(.expression(SymbolicFunction(entry.expression)))),
                            ("r2", .number(entry.r2)),
                            ("complexity", .number(Double(entry.complexity))),
                        ]))
            }
            return .object(
                Record(
                    "regression",
                    [
                        ("f", .function(.expression(SymbolicFunction(result.expression)))),
                        ("r2", .number(result.r2)),
                        ("complexity", .number(Double(result.complexity))),
                        ("pareto", .list(result.pareto.map(record))),
                        ("seconds", .number(result.seconds)),
                        ("stop", .string(result.stopReason.rawValue)),
                        ("snip", proposals.map { p in
                            .object(Record("snip", [
                                ("skeletons", .number(Double(p.lastReport.skeletons))),
                                ("r2", .number(p.lastReport.bestR2)),
                                ("latents", .number(Double(p.lastReport.latents))),
                            ]))
                        } ?? .nothing),
                    ]))
        }
    ]
}
