import Foundation
import SnipPlot
import Testing

struct PlotScriptTests {
    let spec = PlotSpec(
        series: [PlotSpec.Series(x: [0, 1, 2], y: [0, 1, .nan], title: "it's", style: .lines),
                 PlotSpec.Series(x: [0.5], y: [2.25], style: .points)],
        title: "T", xlabel: "x", ylabel: "y")

    /// The script for a known plot, compared with a snapshot (recorded only with SNIP_RECORD=1,
    /// and the test fails when it records).
    @Test func scriptMatchesSnapshot() throws {
        let script = spec.script(terminal: .svg(width: 640, height: 400), output: "out.svg")
        let snapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots/plot.gp")
        if ProcessInfo.processInfo.environment["SNIP_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: snapshot.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try script.write(to: snapshot, atomically: true, encoding: .utf8)
            Issue.record("recorded \(snapshot.path); run again without SNIP_RECORD")
            return
        }
        let expected = try String(contentsOf: snapshot, encoding: .utf8)
        #expect(script == expected)
    }

    @Test func dataTravelInlineAndNonFiniteBreaksTheLine() {
        let script = spec.script(terminal: .dumb(width: 60, height: 20), output: "/tmp/x.txt")
        #expect(script.contains("$d0 << EOD\n0 0\n1 1\n\nEOD\n"))
        #expect(script.contains("title 'it''s'"))
        #expect(script.contains("set terminal dumb size 60,20"))
        #expect(script.contains("set output '/tmp/x.txt'"))
    }

    @Test func colouredPointsCarryAThirdColumnAndAPalette() {
        let coloured = PlotSpec(series: [PlotSpec.Series(x: [0, 1, 2], y: [3, 4, 5], style: .points, color: [0.5, .nan, 1])],
                                colorLabel: "ncr")
        let png = coloured.script(terminal: .png(width: 100, height: 100), output: "c.png")
        #expect(png.contains("$d0 << EOD\n0 3 0.5\n\n2 5 1\nEOD\n"), "x y colour; a non-finite colour breaks the point")
        #expect(png.contains("using 1:2:3 with points pt 7 ps 0.8 palette"))
        #expect(png.contains("set cblabel 'ncr'") && png.contains("set colorbox") && png.contains("set palette defined"))
        let text = coloured.script(terminal: .dumb(width: 60, height: 20), output: "c.txt")
        #expect(!text.contains("palette"), "text plots have no colours")
        #expect(!spec.script(terminal: .dumb(width: 60, height: 20), output: "x.txt").contains("palette"))
    }

    @Test func textPlotsShowColouredPointsAsRangesInTheKey() {
        let coloured = PlotSpec(series: [PlotSpec.Series(x: [0, 1, 2, 3], y: [3, 4, 5, 6], style: .points,
                                                         color: [0, 0.3, 0.6, 1])], colorLabel: "ncr")
        let text = coloured.script(terminal: .dumb(width: 60, height: 20), output: "c.txt")
        #expect(text.contains("set key top right"))
        for (k, range) in ["ncr 0–0.25", "ncr 0.25–0.5", "ncr 0.5–0.75", "ncr 0.75–1"].enumerated() {
            #expect(text.contains("$d\(k) using 1:2 with points pt \(k + 1) title '\(range)'"), "\(range)")
        }
        #expect(text.contains("$d1 << EOD\n1 4\nEOD\n"), "each point in its range's series")
    }

    @Test func rangesLogScalesSettingsAndLiteralText() {
        var s = spec
        s.xrange = -1...2
        s.logScale = "y"
        s.settings = ["grid", "xtics 0.5"]
        let script = s.script(terminal: .png(width: 10, height: 10), output: "o.png")
        #expect(script.contains("set xrange [-1:2]\n"))
        #expect(script.contains("set logscale y\n"))
        #expect(script.contains("set grid\nset xtics 0.5\n"))
        #expect(script.contains("set termoption noenhanced\n"), "titles are literal unless asked")
        #expect(spec.script(terminal: .png(width: 10, height: 10), output: "o.png").contains("unset logscale\n"))
        s.enhancedText = true
        #expect(!s.script(terminal: .png(width: 10, height: 10), output: "o.png").contains("noenhanced"))
    }

    @Test func aGridOfPanelsIsOneMultiplot() {
        let figure = Figure.grid([spec, spec], rows: 1, columns: 2, title: "both")
        let script = figure.script(terminal: .svg(width: 10, height: 10), output: "f.svg")
        #expect(script.contains("set multiplot layout 1,2 title 'both'\n"))
        #expect(script.contains("$p0d0 << EOD") && script.contains("$p1d1 << EOD"), "data blocks of each panel")
        #expect(script.components(separatedBy: "\nplot ").count - 1 == 2)
        #expect(script.hasSuffix("unset multiplot\nunset output\n"))
    }

    @Test func terminalFollowsTheFileName() {
        #expect(Terminal.forFile("a.PNG") == .png(width: 800, height: 500))
        #expect(Terminal.forFile("a.svg") == .svg(width: 800, height: 500))
        #expect(Terminal.forFile("a.txt") == .dumb(width: 80, height: 25))
        #expect(Terminal.forFile("a.pdf") == nil)
    }

    @Test func missingGnuplotIsAClearError() {
        do {
            _ = try Gnuplot(executable: "/nonexistent/gnuplot").run("plot x")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("gnuplot"))
        }
        #expect(Gnuplot.locate(searchPath: "/nonexistent:/also/not") == nil)
        #expect(PlotError.gnuplotMissing.description.contains("apt-get install gnuplot"))
    }

    @Test(.enabled(if: Gnuplot.locate() != nil)) func gnuplotDrawsTextPngAndSvg() throws {
        let g = try Gnuplot()
        defer { g.close() }
        let text = try g.text(spec, width: 60, height: 20)
        #expect(text.contains("T"))
        #expect(text.split(separator: "\n").count >= 15)
        let png = try g.image(spec, terminal: .png(width: 320, height: 200))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let svg = try g.image(spec, terminal: .svg(width: 320, height: 200))
        #expect(String(decoding: svg, as: UTF8.self).contains("<svg"))
        // An error in a script is reported, and the session recovers.
        #expect(throws: PlotError.self) { try g.run("plot $nosuchblock using 1:2") }
        #expect(try g.text(spec, width: 40, height: 12).contains("T"))
    }
}
