import Foundation
import SnipMath
import SnipModel
import SnipPlot

extension Builtins {
    static let snipPlots: [Builtin] = [
        Builtin("embed_plot", .plots, [.req("m"), .req("ds"), .opt("color"), .def("side", .string("symbolic"))] + plotKeywords,
                doc: """
            The dataset's embeddings projected to 2-D by PCA (the two directions of largest variance), one point \
            per sample, coloured by a property ("ncr", "upward", "yavg", "oscil"; the dataset's own by default) \
            or by a vector of values. side="numeric" embeds the points instead of the expressions. Takes the \
            keywords of plot. pca(encode(m, ds)) gives the coordinates.
            """) { interp, a in
            let m = try a.model("m")
            let ds = try a.dataset("ds")
            let side = try a.string("side")
            guard side == "symbolic" || side == "numeric" else {
                throw Diagnostic(.value, "embed_plot: side must be \"symbolic\" or \"numeric\", not \"\(side)\"", at: a.range("side"))
            }
            guard ds.samples.count >= 3 else {
                throw Diagnostic(.value, "embed_plot: needs at least 3 samples, got \(ds.samples.count)", at: a.range("ds"))
            }
            var colors: [Double]?
            var colorLabel: String?
            switch a.value("color") {
            case nil:
                if let p = ds.property {
                    colors = try datasetProperty(interp, p, ds, at: a.range("ds"))
                    colorLabel = p.rawValue
                }
            case .string?:
                let p = try a.property("color")!
                colors = try datasetProperty(interp, p, ds, at: a.range("ds"))
                colorLabel = p.rawValue
            default:
                let v = try a.vector("color")
                guard v.count == ds.samples.count else {
                    throw Diagnostic(.shape, "embed_plot: \(v.count) colours for \(ds.samples.count) samples", at: a.range("color"))
                }
                colors = v
            }
            let embeddings = NDArray(tensor: try embed(
                interp, m, ds.samples, side: side == "symbolic" ? .symbolic : .numeric, at: a.range("ds")))
            let projected = principalComponents(embeddings, count: 2)
            let xs = (0..<embeddings.rows).map { projected[$0 * 2] }
            let ys = (0..<embeddings.rows).map { projected[$0 * 2 + 1] }
            try draw(interp, a, [PlotSpec.Series(x: xs, y: ys, style: .points, color: colors)], colorLabel: colorLabel,
                     defaults: ("\(side == "symbolic" ? "Symbolic" : "Numeric") embeddings of \(ds.samples.count) samples",
                                "PC 1", "PC 2"))
            return .nothing
        },
        Builtin("plot_property", .plots, [.req("h"), .req("ds")] + plotKeywords, doc: """
            A predictor's estimates against the true values on a dataset (one point per sample, and the line \
            y = x). Takes the keywords of plot.
            """) { interp, a in
            let h = try a.predictor("h")
            let ds = try a.dataset("ds")
            let truths = try datasetProperty(interp, h.property, ds, at: a.range("ds"))
            let predicted = try predictions(interp, h, ds.samples.map(\.tree), at: a.range("ds"))
            let finite = (truths + predicted).filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            let r2 = PropertyMetrics(predictions: predicted, truths: truths).r2
            try draw(interp, a, [
                PlotSpec.Series(x: truths, y: predicted, title: "samples", style: .points),
                PlotSpec.Series(x: [lo, hi], y: [lo, hi], title: "y = x", style: .lines),
            ], defaults: (String(format: "%@ predicted vs true (R² %.3f)", h.property.rawValue, r2),
                          "true \(h.property.rawValue)", "predicted"))
            return .nothing
        },
        Builtin("plot_training", .plots, [.req("run")] + plotKeywords, doc: """
            The loss curve of a training run: the value pretrain returns, a predictor from fit_property, or a \
            run directory of snip pretrain; a list of them draws one curve each (as moving averages when they \
            are long). A single long run also shows its moving average. Takes the keywords of plot.
            """) { interp, a in
            func curve(_ v: Value) throws -> (steps: [Double], losses: [Double], title: String) {
                switch v {
                case .object(let r as TrainingRunValue): return (r.steps, r.losses, "loss")
                case .object(let p as PredictorValue):
                    return (p.losses.indices.map { Double($0 + 1) }, p.losses, "\(p.property.rawValue), \(p.mode.rawValue)")
                case .string(let dir):
                    guard interp.allowsFiles else { throw Diagnostic(.file, "plot_training: files are disabled here", at: a.range) }
                    do {
                        let rows = try TrainingRun(directory: interp.resolvePath(dir)).metrics()
                        return (rows.map { ($0["step"] as? Double) ?? Double(($0["step"] as? Int) ?? 0) },
                                rows.map { ($0["loss"] as? Double) ?? .nan }, (dir as NSString).lastPathComponent)
                    } catch {
                        throw Diagnostic(.file, "plot_training: \(dir): \(describeSystemError(error))", at: a.range("run"))
                    }
                default: throw a.typeError("run", "a run (from pretrain), a predictor, a run directory or a list of them")
                }
            }
            let curves: [(steps: [Double], losses: [Double], title: String)]
            if case .list(let items)? = a.value("run") { curves = try items.map(curve) } else { curves = [try curve(a.value("run") ?? .nothing)] }
            guard curves.allSatisfy({ !$0.losses.isEmpty }), !curves.isEmpty else {
                throw Diagnostic(.value, "plot_training: a run has no steps yet", at: a.range("run"))
            }
            let shortest = curves.map(\.losses.count).min() ?? 0
            var series = curves.map { c in
                // several long curves are drawn smoothed, or they hide one another
                let window = max(5, c.losses.count / 20)
                return curves.count > 1 && shortest >= 50
                    ? PlotSpec.Series(x: c.steps, y: movingAverage(c.losses, window: window),
                                      title: "\(c.title) (mean of \(window) steps)", style: .lines)
                    : PlotSpec.Series(x: c.steps, y: c.losses, title: c.title, style: .lines)
            }
            if curves.count == 1, let (steps, losses, _) = curves.first, losses.count >= 50 {
                let window = max(5, losses.count / 20)
                series.append(PlotSpec.Series(x: steps, y: movingAverage(losses, window: window),
                                              title: "mean of \(window) steps", style: .lines))
            }
            try draw(interp, a, series, defaults: ("Training loss", "step", "loss"))
            return .nothing
        },
    ]

    /// The trailing mean of the last `window` finite values at each position.
    static func movingAverage(_ values: [Double], window: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(values.count)
        for i in values.indices {
            let slice = values[max(0, i - window + 1)...i].filter(\.isFinite)
            out.append(slice.isEmpty ? .nan : slice.reduce(0, +) / Double(slice.count))
        }
        return out
    }

    /// The rows of `a` projected on its first `count` principal directions (row-major, n×count):
    /// the top eigenvectors of the covariance by power iteration with deflation, each signed so that
    /// its largest component is positive (the projection does not flip between runs).
    static func principalComponents(_ a: NDArray, count: Int) -> [Double] {
        let n = a.rows, k = a.columns
        var centred = a.data
        for j in 0..<k {
            let mean = (0..<n).reduce(0.0) { $0 + a.data[$1 * k + j] } / Double(n)
            for i in 0..<n { centred[i * k + j] -= mean }
        }
        var covariance = [Double](repeating: 0, count: k * k)
        for i in 0..<n {
            for p in 0..<k where centred[i * k + p] != 0 {
                let v = centred[i * k + p]
                for q in 0..<k { covariance[p * k + q] += v * centred[i * k + q] }
            }
        }
        var directions: [[Double]] = []
        for c in 0..<count {
            var v = (0..<k).map { 1.0 + Double(($0 * 7 + c * 3) % 11) / 11 }
            for _ in 0..<500 {
                var w = [Double](repeating: 0, count: k)
                for p in 0..<k { for q in 0..<k { w[p] += covariance[p * k + q] * v[q] } }
                for d in directions {
                    let dot = zip(w, d).reduce(0) { $0 + $1.0 * $1.1 }
                    for t in 0..<k { w[t] -= dot * d[t] }
                }
                let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-300 else { break }
                let next = w.map { $0 / norm }
                let change = zip(next, v).reduce(0) { $0 + abs($1.0 - $1.1) }
                v = next
                if change < 1e-12 { break }
            }
            if let biggest = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[biggest] < 0 { v = v.map { -$0 } }
            directions.append(v)
        }
        var out = [Double](repeating: 0, count: n * count)
        for i in 0..<n {
            for (c, d) in directions.enumerated() {
                out[i * count + c] = (0..<k).reduce(0.0) { $0 + centred[i * k + $1] * d[$1] }
            }
        }
        return out
    }
}
