import SnipPlot

extension Builtins {
    /// The keyword parameters every plot takes.
    static let plotKeywords: [Builtin.Param] = [
        .opt("title"), .opt("xlabel"), .opt("ylabel"), .opt("legend"), .opt("file"),
        .opt("width"), .opt("height"),
    ]

    static let plots: [Builtin] = [
        Builtin("plot", .plots, [.def("n", .number(400)), .opt("style")] + plotKeywords, variadic: "series",
                doc: """
                    Draws curves. plot(f, a, b) samples the function f at n points on [a, b]; \
                    plot(f, g, a, b) draws several functions; plot(xs, ys) draws points joined by lines \
                    (more pairs: plot(xs, ys, xs2, ys2)); plot(ys) uses 0, 1, … as x. \
                    Keywords: title, xlabel, ylabel, legend (a list of names, or false), style \
                    ("lines", "points", "linespoints"), width, height, and file ("x.png", "x.svg", \
                    "x.txt", or "x.gp" to save the gnuplot script). Without file the plot is drawn as \
                    text in the terminal (or embedded in a notebook).
                    """) { interp, a in
            let style = try plotStyle(a, default: .lines)
            let series = try plotSeries(interp, a, style: style)
            try draw(interp, a, series)
            return .nothing
        },
        Builtin("scatter", .plots, [.req("x"), .req("y")] + plotKeywords,
                doc: "Draws the points (x[i], y[i]) unjoined. Takes the keywords of plot.") { interp, a in
            let x = try a.vector("x"), y = try a.vector("y")
            guard x.count == y.count else {
                throw Diagnostic(.shape, "scatter: x has \(x.count) points and y \(y.count)", at: a.range)
            }
            try draw(interp, a, [PlotSpec.Series(x: x, y: y, style: .points)])
            return .nothing
        },
        Builtin("hist", .plots, [.req("x"), .def("bins", .number(10))] + plotKeywords,
                doc: "Draws a histogram of the elements of x in `bins` equal bins. Takes the keywords of plot; "
                    + "returns nothing.") { interp, a in
            let x = try a.array("x").data.filter { $0.isFinite }
            let bins = try a.int("bins", min: 1, max: 10_000)
            guard let lo = x.min(), let hi = x.max() else {
                throw Diagnostic(.value, "hist: no finite values to count", at: a.range("x"))
            }
            let width = hi > lo ? (hi - lo) / Double(bins) : 1
            var counts = [Double](repeating: 0, count: bins)
            for v in x {
                let position = hi > lo ? (v - lo) / width : 0
                let k = position.isFinite ? Int(max(0, min(Double(bins - 1), position))) : 0
                counts[k] += 1
            }
            let centres = (0..<bins).map { lo + (Double($0) + 0.5) * width }
            try draw(interp, a, [PlotSpec.Series(x: centres, y: counts, style: .boxes)], boxWidth: width)
            return .nothing
        },
    ]

    static func plotStyle(_ a: BoundArguments, default d: PlotSpec.Style) throws -> PlotSpec.Style {
        guard let s = try a.optionalString("style") else { return d }
        guard let style = PlotSpec.Style(rawValue: s), style != .boxes else {
            throw Diagnostic(.value, "style must be \"lines\", \"points\" or \"linespoints\", not \"\(s)\"",
                             at: a.range("style"))
        }
        return style
    }

    /// Reads the positional arguments of `plot` as series.
    static func plotSeries(_ interp: Interpreter, _ a: BoundArguments, style: PlotSpec.Style) throws -> [PlotSpec.Series] {
        let args = a.rest
        guard !args.isEmpty else {
            throw Diagnostic(.arity, "plot needs something to draw: plot(f, a, b) or plot(xs, ys)", at: a.range)
        }
        let functions = args.prefix { if case .function = $0 { true } else { false } }
        if !functions.isEmpty {
            let bounds = args.dropFirst(functions.count)
            guard bounds.count == 2, case .number(let lo) = bounds.first!, case .number(let hi) = bounds.last!,
                  lo.isFinite, hi.isFinite, lo < hi
            else {
                throw Diagnostic(.arity, "plot(f, a, b) needs two finite numbers a < b after the functions",
                                 at: a.range)
            }
            let n = try a.int("n", min: 2, max: 1_000_000)
            let xs = (0..<n).map { $0 == n - 1 ? hi : lo + (hi - lo) * Double($0) / Double(n - 1) }
            return try functions.map { v in
                guard case .function(let f) = v else { return PlotSpec.Series(x: [], y: []) }
                return PlotSpec.Series(x: xs, y: try interp.callOnSamples(f, xs, at: a.range),
                                       title: f.name == "lambda" ? nil : f.name, style: style)
            }
        }
        func vector(_ k: Int) throws -> [Double] {
            switch args[k] {
            case .array(let m) where m.isVector: return m.data
            case .number(let x): return [x]
            default:
                throw Diagnostic(.type, "plot: argument \(k + 1) must be a vector or a function, not a "
                    + "\(args[k].typeName)", at: a.restRanges[k])
            }
        }
        if args.count == 1 {
            let ys = try vector(0)
            return [PlotSpec.Series(x: ys.indices.map(Double.init), y: ys, style: style)]
        }
        guard args.count % 2 == 0 else {
            throw Diagnostic(.arity, "plot(xs, ys, …) takes pairs of vectors; got \(args.count) vectors", at: a.range)
        }
        return try stride(from: 0, to: args.count, by: 2).map { k in
            let xs = try vector(k), ys = try vector(k + 1)
            guard xs.count == ys.count else {
                throw Diagnostic(.shape, "plot: x has \(xs.count) points and y \(ys.count)", at: a.restRanges[k + 1])
            }
            return PlotSpec.Series(x: xs, y: ys, style: style)
        }
    }

    /// Applies the decorations and draws.
    static func draw(_ interp: Interpreter, _ a: BoundArguments, _ series: [PlotSpec.Series],
                     boxWidth: Double? = nil, colorLabel: String? = nil,
                     defaults: (title: String?, xlabel: String?, ylabel: String?) = (nil, nil, nil)) throws {
        var series = series
        var legend = true
        switch a.value("legend") {
        case nil: break
        case .bool(let b)?: legend = b
        case .list(let names)?:
            for (k, name) in names.enumerated() where k < series.count { series[k].title = name.display }
        case .string(let s)?: series[0].title = s
        default: throw a.typeError("legend", "a list of names or a bool")
        }
        let spec = PlotSpec(series: series, title: try a.optionalString("title") ?? defaults.title,
                            xlabel: try a.optionalString("xlabel") ?? defaults.xlabel,
                            ylabel: try a.optionalString("ylabel") ?? defaults.ylabel,
                            legend: legend, boxWidth: boxWidth, colorLabel: colorLabel)
        let width = a.value("width") == nil ? nil : try a.int("width", min: 10, max: 4000)
        let height = a.value("height") == nil ? nil : try a.int("height", min: 5, max: 4000)
        try interp.show(spec, file: try a.optionalString("file"), width: width, height: height, at: a.range)
    }
}
