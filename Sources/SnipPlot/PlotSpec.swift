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

extension PlotSpec {
    /// The gnuplot script that draws this plot on `terminal` into the file `output`. Data travel
    /// inline as data blocks (`$d0 << EOD`); points that are not finite break the line.
    public func script(terminal: Terminal, output: String) -> String {
        var s = "\(terminal.command)\n"
        s += "set output \(quoted(output))\n"
        s += "set encoding utf8\n"
        if let title { s += "set title \(quoted(title))\n" } else { s += "unset title\n" }
        if let xlabel { s += "set xlabel \(quoted(xlabel))\n" } else { s += "unset xlabel\n" }
        if let ylabel { s += "set ylabel \(quoted(ylabel))\n" } else { s += "unset ylabel\n" }
        let anyTitle = series.contains { $0.title != nil }
        s += legend && anyTitle ? "set key top right\n" : "unset key\n"
        if case .dumb = terminal {
            s += "unset grid\n"
        } else {
            s += "set grid\n"
        }
        if let xrange { s += "set xrange [\(number(xrange.lowerBound)):\(number(xrange.upperBound))]\n" }
        else { s += "set autoscale x\n" }
        if let yrange { s += "set yrange [\(number(yrange.lowerBound)):\(number(yrange.upperBound))]\n" }
        else { s += "set autoscale y\n" }
        if let boxWidth { s += "set boxwidth \(number(boxWidth)) absolute\n" }
        s += "set style fill solid 0.5 border\n"
        if series.contains(where: { $0.color != nil }) {
            s += "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')\n"
            if let colorLabel { s += "set cblabel \(quoted(colorLabel))\n" } else { s += "unset cblabel\n" }
            if case .dumb = terminal { s += "unset colorbox\n" } else { s += "set colorbox\n" }
        }
        for (k, series) in series.enumerated() {
            s += "$d\(k) << EOD\n"
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
                    return "$d\(k) using 1:2:3 with points pt 7 ps 0.8 palette \(title)"
                }
                return "$d\(k) using 1:2 \(style) \(title)"
            }
            s += "plot " + parts.joined(separator: ", \\\n     ") + "\n"
        }
        s += "unset output\n"
        return s
    }

    private func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
}

/// A gnuplot string literal (single quotes; a quote is doubled).
func quoted(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "\n", with: " ") + "'"
}
