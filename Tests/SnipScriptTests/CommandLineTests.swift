import Foundation
import SnipPlot
import TestSupport
import Testing

/// `snip run`, piped standard input and `snip notebook`, through the built executable.
struct CommandLineTests {
    @Test func runPrintsAndSucceeds() throws {
        let dir = try temporaryDirectory()
        let file = dir + "/ok.snip"
        try "print(\"hello\", args)\nx = 2\nx".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try runProcess(snipExecutable, ["run", file, "a", "--b"])
        #expect(r.status == 0)
        #expect(r.output == "hello [\"a\", \"--b\"]\n")
        #expect(r.errors.isEmpty)
    }

    @Test func matricesWrapToTheTerminalWidth() throws {
        let dir = try temporaryDirectory()
        let file = dir + "/wide.snip"
        try "print(rand(2, 30) + 0.123456)\n".write(toFile: file, atomically: true, encoding: .utf8)
        func longestLine(_ columns: String) throws -> Int {
            let r = try runProcess(snipExecutable, ["run", file], environment: ["COLUMNS": columns])
            return r.output.split(separator: "\n").map(\.count).max() ?? 0
        }
        let narrow = try longestLine("")  // not a terminal, COLUMNS unset: 80
        let wide = try longestLine("150")
        // the column count is fitted to the width with one column's slack and the … column
        #expect(narrow <= 90)
        #expect(wide > narrow + 30 && wide <= 160)
    }

    @Test func runtimeErrorsExitWith70AndShowTheLine() throws {
        let dir = try temporaryDirectory()
        let file = dir + "/bad.snip"
        try "print(1)\ny = [1, 2] + [1, 2, 3]\nprint(2)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try runProcess(snipExecutable, ["run", file])
        #expect(r.status == 70)
        #expect(r.output == "1\n")
        #expect(r.errors.hasPrefix("\(file):2:12: error: shapes [2] and [3] do not match\n"))
        #expect(r.errors.contains(" 2 | y = [1, 2] + [1, 2, 3]\n"))
        #expect(r.errors.contains("   |            ^\n"))
    }

    @Test func syntaxErrorsAreAllReportedWith65() throws {
        let dir = try temporaryDirectory()
        let file = dir + "/syntax.snip"
        try "print(1)\nx = = 2\ny = (3\nfn f( {}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try runProcess(snipExecutable, ["run", file])
        #expect(r.status == 65)
        #expect(r.output.isEmpty)
        #expect(r.errors.components(separatedBy: ": error: ").count - 1 == 3)
        #expect(r.errors.contains("3 syntax errors"))
    }

    @Test func missingFileExitsWith66() throws {
        let r = try runProcess(snipExecutable, ["run", "/nonexistent/x.snip"])
        #expect(r.status == 66)
        #expect(r.errors.contains("cannot read"))
    }

    @Test func pipedStdinRunsAsAScriptWithoutPromptsOrEcho() throws {
        let r = try runProcess(snipExecutable, [], input: "x = 20\nx + 1\nprint(x * 2)\nprint(\"done\")\n")
        #expect(r.status == 0)
        #expect(r.output == "40\ndone\n")
        #expect(!r.output.contains("snip>"))
        let bad = try runProcess(snipExecutable, [], input: "print(1)\nnope\n")
        #expect(bad.status == 70)
        #expect(bad.errors.hasPrefix("<stdin>:2:1: error: undefined name 'nope'"))
    }

    @Test(.enabled(if: Gnuplot.locate() != nil)) func plotsInScriptsAreTextOrFiles() throws {
        let dir = try temporaryDirectory()
        let program = """
            plot(x -> x^2, -2, 2, title="parabola", width=60, height=15)
            plot([1, 2, 3], [3, 1, 2], file="lines.svg")
            scatter([1, 2], [2, 1], file="points.png", title="s")
            hist([1, 2, 2, 3, 3, 3], bins=3, file="hist.gp")
            """
        let r = try runProcess(snipExecutable, [], input: program, directory: dir)
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output.contains("parabola"))
        #expect(r.output.split(separator: "\n").count >= 12)
        let svg = try String(contentsOfFile: dir + "/lines.svg", encoding: .utf8)
        #expect(svg.contains("<svg"))
        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/points.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let script = try String(contentsOfFile: dir + "/hist.gp", encoding: .utf8)
        #expect(script.contains("with boxes"))
        #expect(script.contains("set output 'hist.png'"))
    }

    @Test(.enabled(if: Gnuplot.locate() != nil)) func plotControlOverplotsAndMultiplots() throws {
        let dir = try temporaryDirectory()
        let program = """
            plot(sin, 0, 3, title="x_1 literal", xrange=[0, 2], logscale="y", set="grid", file="a.gp")
            plot([0, 1], [0.5, 0.7], add=true, legend=["sin", "data"], file="b.gp")
            subplots(1, 2, title="pair", file="grid.svg")
            plot(cos, 0, 1)
            scatter([1, 2], [2, 1])
            plot(x -> x^2, -1, 1, add=true, width=60, height=12, yrange=[0, 1])
            plot([1, 2, 3], [1, 4, 9], set="nonsense setting", width=40, height=10)
            """
        let r = try runProcess(snipExecutable, [], input: program, directory: dir)
        let a = try String(contentsOfFile: dir + "/a.gp", encoding: .utf8)
        #expect(a.contains("set title 'x_1 literal'") && a.contains("set termoption noenhanced"))
        #expect(a.contains("set xrange [0:2]") && a.contains("set logscale y") && a.contains("set grid\n"))
        let b = try String(contentsOfFile: dir + "/b.gp", encoding: .utf8)
        #expect(b.contains("title 'sin'") && b.contains("title 'data'"), "add=true keeps the first series")
        let svg = try String(contentsOfFile: dir + "/grid.svg", encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("pair"))
        #expect(r.output.split(separator: "\n").count >= 8, "add=true redraws the previous text plot")
        #expect(r.status == 70, "a gnuplot error in a raw setting is reported")
        #expect(r.errors.contains("gnuplot failed"))
    }

    @Test func missingGnuplotIsReportedAsAnError() throws {
        let r = try runProcess(snipExecutable, [], input: "plot(sin, 0, 1)\n", environment: ["PATH": "/nonexistent"])
        #expect(r.status == 70)
        #expect(r.errors.contains("gnuplot was not found"))
    }

    @Test(.enabled(if: Gnuplot.locate() != nil)) func notebookRendersSelfContainedHTML() throws {
        let dir = try temporaryDirectory()
        let notebook = repositoryRoot.appendingPathComponent("Examples/language/notebook.snip").path
        let html = dir + "/report.html"
        let r = try runProcess(snipExecutable, ["notebook", notebook, "--out", html, "--keep-going"])
        #expect(r.status == 70)  // one cell fails on purpose
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>"))
        #expect(text.contains("<h1>A snip notebook</h1>"))
        #expect(text.contains("<strong>Markdown</strong>"))
        #expect(text.contains("f(x) = sin(x) * x^2 + 0.5"))  // code
        #expect(text.contains("[-0.34147098, 0.38014362, 0.5"))  // echoed output (8 significant digits)
        #expect(text.contains("<img class=\"plot\" alt=\"plot\" src=\"data:image/png;base64,iVBORw0KGgo"))
        #expect(text.contains("before the error"))
        #expect(text.contains("<pre class=\"error\">"))
        #expect(text.contains("notebook.snip:15:6: error: sqrt(-1): the square root of a negative number"))
        #expect(text.contains("integral of f on [0, pi]: 7.4404"))  // --keep-going ran the last cell
        // Self-contained: nothing is fetched from elsewhere.
        #expect(!text.contains("http://") && !text.contains("https://"))
        #expect(!text.contains("<script"))

        let stopped = dir + "/stopped.md"
        let s = try runProcess(snipExecutable, ["notebook", notebook, "--out", stopped])
        #expect(s.status == 70)
        let md = try String(contentsOfFile: stopped, encoding: .utf8)
        #expect(md.contains("```snip\nf(x) = sin(x) * x^2 + 0.5"))
        // Markdown viewers refuse data URIs: the plots are files beside the report
        #expect(md.contains("![plot](stopped-files/cell3-1.png)"))
        let image = try #require(FileManager.default.contents(atPath: dir + "/stopped-files/cell3-1.png"))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(md.contains("_not run (an earlier cell failed)_"))
        #expect(!md.contains("integral of f on [0, pi]: 7.4404"))
    }

    @Test func notebookCellsSplitAtMarkers() {
        let nb = SnipScript.Notebook(path: "n.snip", text: "x = 1\n#%% [markdown]\n# # Title\n# text\n#%% second\nprint(x)\n")
        #expect(nb.cells.count == 3)
        #expect(nb.cells[1].kind == .markdown)
        #expect(nb.cells[1].text == "# Title\ntext")
        #expect(nb.cells[2].title == "second")
        #expect(nb.cells[2].firstLine == 6)
    }

    /// Every example script runs without error (plots as text when gnuplot is there).
    @Test(arguments: (try? FileManager.default.contentsOfDirectory(
        atPath: repositoryRoot.appendingPathComponent("Examples/language").path))?.filter { $0.hasSuffix(".snip") && $0 != "notebook.snip" }.sorted() ?? [])
    func exampleRuns(_ name: String) throws {
        let path = repositoryRoot.appendingPathComponent("Examples/language/\(name)").path
        let r = try runProcess(snipExecutable, ["run", path], environment: Gnuplot.locate() == nil ? [:] : [:])
        #expect(r.status == 0, "\(r.errors)")
    }
}

import SnipScript
