import ArgumentParser
import Foundation
import SnipNN
import SnipScript
import SnipSystem

/// `snip notebook FILE.snip --out report.html|.md`.
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Render a .snip notebook (cells split at lines starting with #%%) to HTML or Markdown.",
        discussion: """
            `#%% [markdown]` starts a Markdown cell (its lines are # comments). The report shows each \
            cell's code, its output, its plots and errors in place. The HTML embeds its plots and needs \
            no network; a Markdown report (--out X.md) writes them to the folder X-files/ beside \
            it. Exit status 70 if a cell failed (the report is still written).
            """)

    @Argument(help: "The notebook to run.")
    var file: String

    @Option(name: .shortAndLong, help: "The report to write (.html or .md).")
    var out: String

    @Flag(help: "Run the cells after a failing cell too.")
    var keepGoing = false

    @Option(help: "Image format for plots: png or svg.")
    var images: String = "png"

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            writeStandardError("error: cannot read '\(file)'\n")
            throw ExitCode(ScriptRunner.noInput)
        }
        guard let format = PlotImage.Format(rawValue: images) else {
            throw ValidationError("--images must be png or svg")
        }
        let notebook = Notebook(path: file, text: String(decoding: data, as: UTF8.self))
        Interrupt.install(.cancel)
        let (results, failed) = notebook.run(keepGoing: keepGoing, imageFormat: format, progress: terminalProgressLine())
        let title = (file as NSString).lastPathComponent
        let report: String
        if out.lowercased().hasSuffix(".md") {
            // plots go to files beside the report (FILE-files/), which Markdown viewers display
            let folder = String(out.dropLast(3)) + "-files"
            let folderName = (folder as NSString).lastPathComponent
            var failure: Error?
            try? FileManager.default.removeItem(atPath: folder)
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                failure = error
            }
            report = Notebook.markdown(title: title, results: results) { cell, k, image in
                let name = "cell\(cell + 1)-\(k + 1).\(image.format.rawValue)"
                do {
                    try image.data.write(to: URL(fileURLWithPath: folder + "/" + name))
                } catch {
                    failure = failure ?? error
                }
                return folderName + "/" + name
            }
            if let error = failure {
                writeStandardError("error: cannot write the plots to '\(folder)': \(userMessage(error))\n")
                throw ExitCode(73)
            }
        } else if out.lowercased().hasSuffix(".html") || out.lowercased().hasSuffix(".htm") {
            report = Notebook.html(title: title, results: results)
        } else {
            throw ValidationError("--out must end in .html or .md")
        }
        do {
            try AtomicFile.write(text: report, to: out)
        } catch {
            writeStandardError("error: cannot write '\(out)': \(error.reason)\n")
            throw ExitCode(73)
        }
        let ran = results.filter(\.ran).count
        let errors = results.filter { $0.error != nil }.count
        print("wrote \(out): \(results.count) cells, \(ran) run, \(errors) with errors")
        if failed { throw ExitCode(ScriptRunner.runtimeError) }
    }
}
