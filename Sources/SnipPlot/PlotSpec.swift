import Foundation

/// What a plot shows: series of points and the decorations. Plain data, turned into a gnuplot
/// script by `PlotSpec.script(terminal:output:)`.
public struct PlotSpec: Sendable, Equatable {
    /// How a series is drawn.
    public enum Style: String, Sendable {
        case lines, points, linespoints
        /// Bars (for histograms): x is the bar centre, y its height.
        case boxes
    }

    /// One curve, point cloud or set of bars, given as plain columns.
    public struct Series: Sendable, Equatable {
        public var x: [Double]
        public var y: [Double]
        /// The legend entry (nil: none).
        public var title: String?
        public var style: Style
        /// A value per point that colours it through a palette (nil: one colour).
        public var color: [Double]?

        public init(x: [Double], y: [Double], title: String? = nil, style: Style = .lines, color: [Double]? = nil) {
            self.x = x
            self.y = y
            self.title = title
            self.style = style
            self.color = color
        }
    }

    public var series: [Series]
    public var title: String?
    public var xlabel: String?
    public var ylabel: String?
    /// Whether to show the legend (only series with titles appear in it).
    public var legend: Bool
    public var xrange: ClosedRange<Double>?
    public var yrange: ClosedRange<Double>?
    /// Bar width for box series (nil: gnuplot's choice).
    public var boxWidth: Double?
    /// The label of the colour scale (for series with `color`).
    public var colorLabel: String?
    /// Logarithmic axes: "x", "y" or "xy" (nil: linear).
    public var logScale: String?
    /// Raw gnuplot settings, each the rest of a `set` command ("grid", "xtics 0.5"), applied
    /// after snip's own so they win.
    public var settings: [String] = []
    /// Whether titles and labels use gnuplot's enhanced text (`x_1` as a subscript, `x^2` as a
    /// superscript); false (the default) shows them literally.
    public var enhancedText = false

    public init(series: [Series], title: String? = nil, xlabel: String? = nil, ylabel: String? = nil,
                legend: Bool = true, xrange: ClosedRange<Double>? = nil, yrange: ClosedRange<Double>? = nil,
                boxWidth: Double? = nil, colorLabel: String? = nil) {
        self.colorLabel = colorLabel
        self.series = series
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.legend = legend
        self.xrange = xrange
        self.yrange = yrange
        self.boxWidth = boxWidth
    }
}

/// A gnuplot output device.
public enum Terminal: Sendable, Equatable {
    /// Text (for the terminal), `width` columns by `height` lines.
    case dumb(width: Int, height: Int)
    /// A PNG image through cairo, in pixels.
    case png(width: Int, height: Int)
    /// An SVG image, in pixels.
    case svg(width: Int, height: Int)

    /// The terminal a file name asks for: `.png`, `.svg`, or text for `.txt`; nil otherwise.
    public static func forFile(_ path: String) -> Terminal? {
        let lower = path.lowercased()
        if lower.hasSuffix(".png") { return .png(width: 800, height: 500) }
        if lower.hasSuffix(".svg") { return .svg(width: 800, height: 500) }
        if lower.hasSuffix(".txt") { return .dumb(width: 80, height: 25) }
        return nil
    }

    /// The `set terminal` command.
    var command: String {
        switch self {
        case .dumb(let w, let h): return "set terminal dumb size \(max(w, 20)),\(max(h, 8))"
        case .png(let w, let h): return "set terminal pngcairo size \(w),\(h) enhanced font 'sans,10'"
        case .svg(let w, let h): return "set terminal svg size \(w),\(h) enhanced font 'sans,10' background '#ffffff'"
        }
    }
}

/// What one gnuplot script draws: a plot, or several in a grid (gnuplot's multiplot).
public enum Figure: Sendable, Equatable {
    case single(PlotSpec)
    /// Panels filled row by row into `rows`×`columns` cells, under an optional title.
    case grid([PlotSpec], rows: Int, columns: Int, title: String?)

    /// The gnuplot script that draws the figure on `terminal` into the file `output`.
    public func script(terminal: Terminal, output: String) -> String {
        switch self {
        case .single(let spec): return spec.script(terminal: terminal, output: output)
        case .grid(let panels, let rows, let columns, let title):
            var s = PlotSpec.header(terminal: terminal, output: output, enhanced: panels.contains { $0.enhancedText })
            s += "set multiplot layout \(rows),\(columns)" + (title.map { " title \(quoted($0))" } ?? "") + "\n"
            for (k, panel) in panels.enumerated() { s += panel.body(terminal: terminal, blockPrefix: "p\(k)") }
            s += "unset multiplot\nunset output\n"
            return s
        }
    }
}

extension PlotSpec {
    /// The gnuplot script that draws this plot on `terminal` into the file `output`. Data travel
    /// inline as data blocks (`$d0 << EOD`); points that are not finite break the line.
    public func script(terminal: Terminal, output: String) -> String {
        PlotSpec.header(terminal: terminal, output: output, enhanced: enhancedText)
            + body(terminal: terminal, blockPrefix: "") + "unset output\n"
    }

    /// The terminal, the output file and the text mode.
    static func header(terminal: Terminal, output: String, enhanced: Bool) -> String {
        var s = "\(terminal.command)\n"
        if !enhanced { s += "set termoption noenhanced\n" }
        s += "set output \(quoted(output))\n"
        s += "set encoding utf8\n"
        return s
    }

    /// The settings, data and `plot` command (data blocks named `$<prefix>d0`, …).
    func body(terminal: Terminal, blockPrefix: String) -> String {
        var s = ""
        let isText: Bool = { if case .dumb = terminal { return true } else { return false } }()
        let series = isText ? textSeries : self.series
        if let title { s += "set title \(quoted(title))\n" } else { s += "unset title\n" }
        if let xlabel { s += "set xlabel \(quoted(xlabel))\n" } else { s += "unset xlabel\n" }
        if let ylabel { s += "set ylabel \(quoted(ylabel))\n" } else { s += "unset ylabel\n" }
        let anyTitle = series.contains { $0.title != nil }
        let colourKey = isText && self.series.contains { $0.color != nil }
        s += (legend && anyTitle) || colourKey ? "set key top right\n" : "unset key\n"
        if case .dumb = terminal {
            s += "unset grid\n"
        } else {
            s += "set grid\n"
        }
        if let xrange { s += "set xrange [\(number(xrange.lowerBound)):\(number(xrange.upperBound))]\n" }
        else { s += "set autoscale x\n" }
        if let yrange { s += "set yrange [\(number(yrange.lowerBound)):\(number(yrange.upperBound))]\n" }
        else { s += "set autoscale y\n" }
        if let logScale { s += "set logscale \(logScale)\n" } else { s += "unset logscale\n" }
        if let boxWidth { s += "set boxwidth \(number(boxWidth)) absolute\n" }
        s += "set style fill solid 0.5 border\n"
        for setting in settings { s += "set \(setting)\n" }
        if series.contains(where: { $0.color != nil }) {
            s += "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n"
            if let colorLabel { s += "set cblabel \(quoted(colorLabel))\n" } else { s += "unset cblabel\n" }
            if case .dumb = terminal { s += "unset colorbox\n" } else { s += "set colorbox\n" }
        }
        for (k, series) in series.enumerated() {
            s += "$\(blockPrefix)d\(k) << EOD\n"
            for (i, (x, y)) in zip(series.x, series.y).enumerated() {
                if let color = series.color {
                    let c = i < color.count ? color[i] : .nan
                    s += x.isFinite && y.isFinite && c.isFinite ? "\(number(x)) \(number(y)) \(number(c))\n" : "\n"
                } else if x.isFinite && y.isFinite {
                    s += "\(number(x)) \(number(y))\n"
                } else {
                    s += "\n"
                }
            }
            s += "EOD\n"
        }
        if series.isEmpty {
            s += "plot 1/0 notitle\n"
        } else {
            let parts = series.enumerated().map { k, series in
                let title = series.title.map { "title \(quoted($0))" } ?? "notitle"
                let style: String
                switch series.style {
                case .lines: style = "with lines lw 2"
                case .points: style = "with points pt 7 ps 0.6"
                case .linespoints: style = "with linespoints lw 2 pt 7 ps 0.6"
                case .boxes: style = "with boxes"
                }
                if series.color != nil {
                    return "$\(blockPrefix)d\(k) using 1:2:3 with points pt 7 ps 0.8 palette \(title)"
                }
                if isText && series.style == .points && k < 9 {
                    // text plots mark each series with its own letter (A, B, …) so the key tells them apart
                    return "$\(blockPrefix)d\(k) using 1:2 with points pt \(k + 1) \(title)"
                }
                return "$\(blockPrefix)d\(k) using 1:2 \(style) \(title)"
            }
            s += "plot " + parts.joined(separator: ", \\\n     ") + "\n"
        }
        return s
    }

    /// The series as a text plot shows them: a text terminal has no colours, so points coloured
    /// by a value become up to four series of value ranges, each with its letter in the key.
    var textSeries: [Series] {
        var out: [Series] = []
        for s in series {
            guard let color = s.color else { out.append(s); continue }
            let finite = color.filter(\.isFinite)
            guard let lo = finite.min(), let hi = finite.max() else {
                out.append(Series(x: s.x, y: s.y, title: s.title, style: .points))
                continue
            }
            let bins = hi > lo ? 4 : 1
            let width = (hi - lo) / Double(bins)
            let name = colorLabel ?? "value"
            for b in 0..<bins {
                let from = lo + Double(b) * width, to = b == bins - 1 ? hi : lo + Double(b + 1) * width
                var xs: [Double] = [], ys: [Double] = []
                for (i, c) in color.enumerated() where i < s.x.count && i < s.y.count && c.isFinite {
                    let k = bins == 1 ? 0 : min(bins - 1, Int((c - lo) / width))
                    if k == b { xs.append(s.x[i]); ys.append(s.y[i]) }
                }
                if xs.isEmpty { continue }
                let range = bins == 1 ? "\(name) \(short(lo))" : "\(name) \(short(from))–\(short(to))"
                out.append(Series(x: xs, y: ys, title: range, style: .points))
            }
        }
        return out
    }

    private func short(_ v: Double) -> String { String(format: "%.3g", v) }

    private func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}

/// A gnuplot string literal (single quotes; a quote is doubled).
func quoted(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "\n", with: " ") + "'"
}
