import Foundation
import SnipPlot

/// Where plots without `file=` go.
public enum PlotMode: Sendable {
    /// As text through gnuplot's dumb terminal, printed to the output (prompt and scripts).
    case terminal(width: Int, height: Int)
    /// As images kept in `Interpreter.plotImages` (notebooks).
    case images(format: PlotImage.Format)
}

/// A plot made as an image (for a notebook).
public struct PlotImage: Sendable {
    public enum Format: String, Sendable { case png, svg }
    public let format: Format
    public let data: Data
}

/// The interpreter's gnuplot session, started on first use.
final class PlotSession {
    private var gnuplot: Gnuplot?

    func session(at range: SourceRange) throws -> Gnuplot {
        if let gnuplot { return gnuplot }
        do {
            let g = try Gnuplot()
            gnuplot = g
            return g
        } catch {
            throw Diagnostic(.plot, "\(error)", at: range)
        }
    }
}

extension Interpreter {
    /// A figure of several panels being filled (`subplots`).
    struct PendingFigure {
        let rows: Int, columns: Int
        let title: String?, file: String?
        let width: Int?, height: Int?
        var panels: [PlotSpec]
    }

    /// Draws `spec` where the keyword `file` or the plot mode says; inside `subplots` it becomes
    /// the next panel (or, with `replacingLast`, replaces the last one), and the figure is drawn
    /// when it is full.
    func show(_ spec: PlotSpec, file: String?, width: Int?, height: Int?, replacingLast: Bool = false,
              at range: SourceRange) throws {
        lastPlot = spec
        if var pending = figure {
            if replacingLast && !pending.panels.isEmpty { pending.panels.removeLast() }
            pending.panels.append(spec)
            guard pending.panels.count == pending.rows * pending.columns else {
                figure = pending
                return
            }
            figure = nil
            try show(.grid(pending.panels, rows: pending.rows, columns: pending.columns, title: pending.title),
                     file: pending.file, width: pending.width, height: pending.height, at: range)
            return
        }
        try show(.single(spec), file: file, width: width, height: height, at: range)
    }

    /// Draws a figure where `file` or the plot mode says.
    func show(_ spec: Figure, file: String?, width: Int?, height: Int?, at range: SourceRange) throws {
        guard allowsPlots && (file == nil || allowsFiles) else { return }
        do {
            if let file {
                let path = resolvePath(file)
                if path.lowercased().hasSuffix(".gp") {
                    let image = (path as NSString).deletingPathExtension + ".png"
                    try Gnuplot.writeScript(spec, terminal: .png(width: width ?? 800, height: height ?? 500),
                                            output: image, to: path)
                    return
                }
                guard let terminal = Terminal.forFile(path) else {
                    throw Diagnostic(.plot, "file must end in .png, .svg, .txt or .gp (the script), not '\(file)'",
                                     at: range)
                }
                let sized: Terminal
                switch terminal {
                case .png: sized = .png(width: width ?? 800, height: height ?? 500)
                case .svg: sized = .svg(width: width ?? 800, height: height ?? 500)
                case .dumb: sized = .dumb(width: width ?? 80, height: height ?? 25)
                }
                try plotter.session(at: range).render(spec, terminal: sized, to: path)
                return
            }
            switch plotMode {
            case .terminal(let w, let h):
                let text = try plotter.session(at: range).text(spec, width: width ?? w, height: height ?? h)
                output(text.hasSuffix("\n") ? text : text + "\n")
            case .images(let format):
                let terminal: Terminal = format == .png
                    ? .png(width: width ?? 720, height: height ?? 440) : .svg(width: width ?? 720, height: height ?? 440)
                let data = try plotter.session(at: range).image(spec, terminal: terminal)
                plotImages.append(PlotImage(format: format, data: data))
            }
        } catch let d as Diagnostic {
            throw d
        } catch {
            throw Diagnostic(.plot, "\(error)", at: range)
        }
    }
}
