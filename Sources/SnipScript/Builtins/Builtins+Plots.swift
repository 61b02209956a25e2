import SnipPlot

extension Builtins {
    /// The keyword parameters every plot takes.
    static let plotKeywords: [Builtin.Param] = [
        .opt("title"), .opt("xlabel"), .opt("ylabel"), .opt("legend"), .opt("file"),
        .opt("width"), .opt("height"), .opt("xrange"), .opt("yrange"), .opt("logscale"), .opt("set"),
        .def("enhanced", .bool(false)), .def("add", .bool(false)),
    ]

    /// What the plot keywords mean (one text for every plotting built-in's help).
    static let plotKeywordsHelp = """
        Keywords: title, xlabel, ylabel; legend (a list of names, or false); xrange=[a, b] and         yrange=[a, b]; logscale ("x", "y" or "xy"); set (a gnuplot setting or a list of them, each         a `set` command without "set": set=["grid", "xtics 0.5"]); enhanced=true to let titles use         gnuplot's markup (x_1 as a subscript; by default text shows literally); add=true to draw on         top of the previous plot; width and height (pixels for images, characters for text); file         ("x.png", "x.svg", "x.txt", or "x.gp" to save the gnuplot script). Without file the plot is         drawn as text in the terminal (or embedded in a notebook).
        """

    static let plots: [Builtin] = [
        Builtin("plot", .plots, [.def("n", .number(400)), .opt("style")] + plotKeywords, variadic: "series",
                doc: """
                    Draws curves. plot(f, a, b) samples the function f at n points on [a, b]; \
                    plot(f, g, a, b) draws several functions; plot(xs, ys) draws points joined by lines \
                    (more pairs: plot(xs, ys, xs2, ys2), or [xs, ys] as sample and grid return \
                    them); plot(ys) uses 0, 1, … as x. style is "lines", "points" or "linespoints".
                    """ + " " + plotKeywordsHelp) { interp, a in
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

    static let figures: [Builtin] = [
        Builtin("subplots", .plots, [.req("rows"), .req("cols"), .opt("title"), .opt("file"), .opt("width"),
                                     .opt("height")], doc: """
            Starts a figure of rows×cols panels (gnuplot's multiplot): the next rows×cols plots             (plot, scatter, hist, …) fill it row by row, and it is drawn (into file, or as text or             an image) when its last panel is plotted. Their own file keywords are not used.
            """) { interp, a in
            let rows = try a.int("rows", min: 1, max: 10), cols = try a.int("cols", min: 1, max: 10)
            interp.figure = Interpreter.PendingFigure(
                rows: rows, columns: cols, title: try a.optionalString("title"), file: try a.optionalString("file"),
                width: a.value("width") == nil ? nil : try a.int("width", min: 10, max: 8000),
                height: a.value("height") == nil ? nil : try a.int("height", min: 5, max: 8000), panels: [])
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
        var args = a.rest
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
        // [xs, ys] (what sample and grid return) stands for the two vectors
        if args.count == 1, case .list(let pair) = args[0], pair.count == 2 {
            args = pair
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
        // add=true: the new series join the previous plot's, and legend names count them all
        let previous = try a.bool("add") ? interp.lastPlot : nil
        if try a.bool("add") && previous == nil {
            throw Diagnostic(.plot, "add=true draws on the previous plot, but there is none yet", at: a.range("add"))
        }
        let earlier = previous?.series.count ?? 0
        if let previous { series = previous.series + series }
        switch a.value("legend") {
        case nil: break
        case .bool(let b)?: legend = b
        case .list(let names)?:
            for (k, name) in names.enumerated() where k < series.count { series[k].title = name.display }
        case .string(let s)?: series[earlier].title = s
        default: throw a.typeError("legend", "a list of names or a bool")
        }
        func range(_ name: String) throws -> ClosedRange<Double>? {
            guard a.value(name) != nil else { return nil }
            let v = try a.vector(name)
            guard v.count == 2, v[0].isFinite, v[1].isFinite, v[0] < v[1] else {
                throw Diagnostic(.value, "\(name) must be [a, b] with finite a < b", at: a.range(name))
            }
            return v[0]...v[1]
        }
        var spec = PlotSpec(series: series, title: try a.optionalString("title") ?? defaults.title,
                            xlabel: try a.optionalString("xlabel") ?? defaults.xlabel,
                            ylabel: try a.optionalString("ylabel") ?? defaults.ylabel,
                            legend: legend, xrange: try range("xrange"), yrange: try range("yrange"),
                            boxWidth: boxWidth, colorLabel: colorLabel)
        if let log = try a.optionalString("logscale") {
            guard ["x", "y", "xy", "yx"].contains(log) else {
                throw Diagnostic(.value, "logscale must be \"x\", \"y\" or \"xy\", not \"\(log)\"", at: a.range("logscale"))
            }
            spec.logScale = log
        }
        switch a.value("set") {
        case nil: break
        case .string(let s)?: spec.settings = [s]
        case .list(let items)?:
            spec.settings = try items.map {
                guard case .string(let s) = $0 else { throw a.typeError("set", "a string or a list of strings") }
                return s
            }
        default: throw a.typeError("set", "a string or a list of strings")
        }
        for setting in spec.settings where setting.contains("\n") || setting.contains(";")
            || setting.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("output")
            || setting.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("term") {
            throw Diagnostic(.value, "set: one gnuplot setting per string, and not the terminal or output "
                + "(snip chooses those): \"\(setting)\"", at: a.range("set"))
        }
        spec.enhancedText = try a.bool("enhanced")
        if let previous {
            // decorations given now replace the previous plot's
            var merged = previous
            merged.series = spec.series
            if a.value("title") != nil || defaults.title != nil { merged.title = spec.title }
            if a.value("xlabel") != nil { merged.xlabel = spec.xlabel }
            if a.value("ylabel") != nil { merged.ylabel = spec.ylabel }
            if a.value("legend") != nil { merged.legend = spec.legend }
            if spec.xrange != nil { merged.xrange = spec.xrange }
            if spec.yrange != nil { merged.yrange = spec.yrange }
            if spec.logScale != nil { merged.logScale = spec.logScale }
            merged.settings += spec.settings
            merged.enhancedText = merged.enhancedText || spec.enhancedText
            spec = merged
        }
        let width = a.value("width") == nil ? nil : try a.int("width", min: 10, max: 4000)
        let height = a.value("height") == nil ? nil : try a.int("height", min: 5, max: 4000)
        try interp.show(spec, file: try a.optionalString("file"), width: width, height: height,
                        replacingLast: try a.bool("add"), at: a.range)
    }
}
