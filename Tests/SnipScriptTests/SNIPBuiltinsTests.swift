import Foundation
import SnipScript
import TestSupport
import Testing

/// The SNIP built-ins beyond the fixtures: positioned errors for bad input to each one, the
/// examples (the tour and both notebooks) run to the end, and Ctrl-C during training.
struct SNIPBuiltinsTests {
    /// (program, expected position, the start of the expected message).
    static let badInput: [(String, String, String)] = [
        ("expr(x -> floor(x))", "1:11", "expr: 'floor' is not a SNIP operator (SNIP's unary operators"),
        ("expr(x -> x > 1)", "1:13", "expr: the operator '>' has no SNIP equivalent (SNIP has + - "),
        ("expr((x) -> y + x)", "1:13", "expr: 'y' is not a parameter of the function or a number"),
        ("expr(3)", "1:6", "'expr': argument 'f' must be an expression or a function, no"),
        ("parse_prefix(\"add,x_0\")", "1:14", "parse_prefix: expression ends before all operands are given"),
        ("prefix(\"sin,x_0\")", "1:8", "'prefix': argument 'f' must be an expression or a function, "),
        ("infix(5)", "1:7", "'infix': argument 'f' must be an expression or a function, n"),
        ("tokens([1, 2])", "1:8", "'tokens': argument 'f' must be an expression or a function, "),
        ("skeleton(\"x\")", "1:10", "'skeleton': argument 'f' must be an expression or a function"),
        ("constants(nothing)", "1:11", "'constants': argument 'f' must be an expression or a functio"),
        ("generate(count=-1)", "1:10", "'generate': argument 'count' must be at least 0, not -1"),
        ("generate(dim=11)", "1:10", "'generate': argument 'dim' is too large: 11 (the limit is 10"),
        ("dataset(property=\"convexity\")", "1:9", "'dataset': unknown property \"convexity\" (the properties are "),
        ("dataset(property=\"ncr\", dim=2)", "1:25", "dataset: properties are defined for 1-D functions; use dim=1"),
        ("dataset(count=0)", "1:9", "'dataset': argument 'count' must be at least 1, not 0"),
        ("sample(x -> log(-1 - x^2))", "1:8", "sample: log(-1 - x_0^2) is undefined or beyond 1e100 at some"),
        ("sample(x -> x, n=2)", "1:16", "'sample': argument 'n' must be at least 3, not 2"),
        ("grid(x -> x, 1, 0)", "1:17", "'grid': the interval needs finite ends a < b, got [1, 0]"),
        ("grid(expr((x, y) -> x + y), 0, 1)", "1:6", "'grid': x_0 + x_1 has 2 variables; a grid needs one"),
        ("load_data(\"/nonexistent/file.prefix\")", "1:11", "load_data: /nonexistent/file.prefix: cannot open: No such "),
        ("save_data([1, 2], \"/tmp/x.prefix\")", "1:11", "'save_data': argument 'ds' must be a dataset (from dataset o"),
        ("ncr(x -> x, 0, 1, n=2)", "1:19", "'ncr': argument 'n' must be at least 3, not 2"),
        ("upward([1, 2, 3])", "1:1", "upward(xs, ys) needs the y values too"),
        ("yavg([1, 2, 3], [1, 2])", "1:17", "yavg: xs has 3 points and ys 2"),
        ("oscil(x -> 1/x, -1, 1, n=3)", "1:7", "oscil: point 1 is not finite (x = 0, y = inf)"),
        ("ncr(\"x\")", "1:5", "'ncr': argument 'f' must be a function, an expression, points [xs, ys], a vec"),
        ("model(\"huge\")", "1:7", "model: unknown model \"huge\" (\"default\", \"10d\", \"small\" or \"pa"),
        ("load_model(\"/nonexistent/model.safetensors\")", "1:12", "load_model: /nonexistent/model.safetensors: No such file or "),
        ("save_model(model(\"small\"), \"/tmp/model.bin\")", "1:28", "save_model: the file name must end in .safetensors, not '/tm"),
        ("encode(model(), x -> x, side=\"both\")", "1:25", "encode: side must be \"symbolic\" or \"numeric\", not \"both\""),
        ("encode(model(), [1, 2, 3])", "1:1", "encode(m, xs, ys): the y values of the points are missing"),
        ("encode(model(), (x, y, z) -> x + y + z)", "1:17", "the model reads functions of at most 1 variable; x_0 + x_1 +"),
        ("similarity([1, 2], [1, 2, 3])", "1:20", "similarity: embeddings of 2 and 3 values cannot be compared"),
        ("nearest(model(), x -> x, [1, 2])", "1:26", "'nearest': argument 'ds' must be a dataset (from dataset or "),
        ("pca([1, 2, 3])", "1:5", "pca: needs a matrix of at least 2 rows"),
        ("model_report(model(), [1, 2])", "1:23", "'model_report': argument 'ds' must be a dataset (from datase"),
        ("model_report(model(), dataset(count=3), tolerance=-1)", "1:41", "model_report: tolerance must be a number ≥ 0"),
        ("tsne([1, 2, 3])", "1:6", "tsne: needs a matrix of at least 3 rows"),
        ("tsne(ones(3, 2), perplexity=3)", "1:18", "tsne: perplexity must be at least 1 and below the row count 3"),
        ("pretrain(model(\"small\"), steps=0)", "1:26", "'pretrain': argument 'steps' must be at least 1, not 0"),
        ("pretrain(model(\"small\"), lr=-1)", "1:26", "'pretrain': lr must be a positive number, not -1"),
        ("fit_property(model(), dataset(count=5))", "1:1", "fit_property: name the property (property=\"ncr\"); the datase"),
        ("fit_property(model(), 5, property=\"ncr\")", "1:23", "'fit_property': argument 'ds' must be a dataset (from datase"),
        ("predict(model(), x -> x)", "1:9", "'predict': argument 'h' must be a predictor (from fit_proper"),
        ("evaluate(fit_property(model(\"small\"), dataset(count=5, property=\"ncr\"), steps=1), [1])", "1:83", "'evaluate': argument 'ds' must be a dataset (from dataset or"),
        ("embed_plot(model(), dataset(count=2))", "1:21", "embed_plot: needs at least 3 samples, got 2"),
        ("embed_plot(model(), dataset(count=5), color=[1, 2])", "1:39", "embed_plot: 2 colours for 5 samples"),
        ("plot_property(5, dataset(count=5))", "1:15", "'plot_property': argument 'h' must be a predictor (from fit_"),
        ("plot_training(5)", "1:15", "'plot_training': argument 'run' must be a run (from pretrain"),
        ("env(\"SNIP_SURELY_UNSET_VARIABLE\")", "1:5", "env: the environment variable SNIP_SURELY_UNSET_VARIABLE is "),
        ("dataset(count=5)[\"f\"]", "1:18", "a dataset has no field \"f\""),
        ("dataset(count=5)[7]", "1:18", "index 7 is out of range for a dataset of length 5"),
        ("expr(x -> x)(1, 2)", "1:1", "the expression x_0 takes 1 argument (x_0) or one n×1 matrix,"),
        ("regress([1, 2, 3, 4], [1, 2, 3, inf])", "1:23", "regress: y value 3 is not finite (NaN or i"),
        ("regress([1, 2, 3, 4], [1, 2, 3, 4], time=0)", "1:37", "regress: time must be a number of secon"),
    ]

    @Test(arguments: badInput.indices)
    func badInputGivesAPositionedError(_ k: Int) throws {
        let (code, position, message) = Self.badInput[k]
        let interpreter = Interpreter(output: { _ in })
        interpreter.allowsPlots = false
        guard case .runtimeError(let d) = interpreter.run(Source(name: "bad.snip", text: code)) else {
            Issue.record("no error from \(code)")
            return
        }
        let range = try #require(d.range, "no position for \(code)")
        let (line, column) = range.source.lineColumn(of: range.start)
        #expect("\(line):\(column)" == position, "position of the error in \(code)")
        #expect(d.message.hasPrefix(message), "message of \(code): \(d.message)")
    }

    @Test func everySNIPBuiltinHasABadInputCase() {
        let snip = Builtins.all.filter { [.expressions, .data, .models].contains($0.category) }.map(\.name)
            + ["embed_plot", "plot_property", "plot_training", "env"]
        let covered = Self.badInput.map(\.0).joined(separator: "\n")
        let missing = snip.filter { covered.range(of: "\\b\($0)\\(", options: .regularExpression) == nil }
        #expect(missing.isEmpty, "built-ins without a bad-input case: \(missing)")
    }

    @Test func loadModelReadsTheReferencesCheckpoint() throws {
        let pth = repositoryRoot.appendingPathComponent("Tests/SnipModelTests/Fixtures/model.pth").path
        var output = ""
        let interpreter = Interpreter(output: { output += $0 })
        let program = """
            m = load_model("\(pth)")
            print(type(m), m["dim"], len(encode(m, x -> sin(x) + 1)), len(encode(m, [0, 1, 2], [1, 2, 3])))
            """
        let outcome = interpreter.run(Source(name: "pth.snip", text: program))
        if case .runtimeError(let d) = outcome { Issue.record("\(d.render())") }
        #expect(output.hasPrefix("model 1 "), "\(output)")
    }

    @Test func theTourRunsToTheEnd() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = repositoryRoot.appendingPathComponent("Examples/tour.snip").path
        var output = ""
        let interpreter = Interpreter(output: { output += $0 })
        interpreter.baseDirectory = folder
        let outcome = interpreter.run(Source(name: path, text: try String(contentsOfFile: path, encoding: .utf8)))
        if case .runtimeError(let d) = outcome { Issue.record("the tour failed: \(d.render())") }
        if case .syntaxErrors(let all) = outcome { Issue.record("the tour does not parse: \(all.map { $0.render() })") }
        for section in 1...8 { #expect(output.contains("\n\(section). ") || output.hasPrefix("\(section). "), "section \(section)") }
        #expect(output.contains("prefix: add,mul,pow2,x_0,sin,x_0,mul,0.5,x_0"))
        let image = try #require(FileManager.default.contents(atPath: folder + "/tour-embeddings.png"))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "tour-embeddings.png is a PNG")
    }

    @Test(arguments: ["property-prediction.snip", "embedding-explorer.snip", "regression.snip"])
    func notebookExampleRuns(_ name: String) throws {
        let path = repositoryRoot.appendingPathComponent("Examples/" + name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("snip notebook Examples/\(name)"), "the notebook opens with the command that runs it")
        let notebook = Notebook(path: path, text: text)
        var environment = ProcessInfo.processInfo.environment
        environment["SNIP_EXAMPLE_STEPS"] = "3"
        environment["SNIP_EXAMPLE_TRAIN"] = "64"
        environment["SNIP_EXAMPLE_COUNT"] = "60"
        environment["SNIP_EXAMPLE_TIME"] = "1"
        let (results, failed) = notebook.run(keepGoing: false, environment: environment)
        let errors = results.compactMap(\.error)
        #expect(!failed && errors.isEmpty, "\(name): \(errors)")
        #expect(results.filter(\.ran).count == results.filter { $0.cell.kind == .code }.count)
        #expect(results.flatMap(\.images).count >= 3, "\(name) draws its plots")
    }

    @Test func ctrlCStopsPretrainingAndKeepsTheCheckpoint() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/long.snip"
        try "m = model(\"small\")\npretrain(m, steps=3000, batch=16, dir=\"\(folder)/run\")\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        let process = try Subprocess(snipExecutable, ["run", script])
        // wait until training has written its first metrics line, then press Ctrl-C
        let metrics = folder + "/run/metrics.jsonl"
        process.wait { !((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "").isEmpty }
        process.send(SIGINT)
        // never leave a runaway trainer behind: SIGKILL if it has not stopped within two minutes
        let r = process.finish(upTo: 120)
        #expect(!r.signalled, "snip did not stop within two minutes of Ctrl-C")
        #expect(r.status == 70)
        #expect(r.errors.contains("pretrain interrupted after"), "\(r.errors)")
        #expect(FileManager.default.fileExists(atPath: folder + "/run/checkpoint.safetensors"))
    }

    /// `regress` recovers 2.5·x² + sin(x) from clean points with SNIP's shipped decoder seeding
    /// the search and without it (snip=false), and says what SNIP contributed.
    @Test func regressRecoversASimpleFormulaWithAndWithoutSNIP() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/recover.snip"
        try """
            xs = linspace(-3, 3, 300)
            ys = 2.5*xs^2 + sin(xs)
            a = regress(xs, ys, time=20, seed=1, target=0.99999, snip=false)
            print("plain", a["r2"] > 0.99999, a["snip"] == nothing, a["stop"])
            b = regress(xs, ys, time=20, seed=1, target=0.99999)
            print("snip", b["r2"] > 0.99999, b["snip"]["skeletons"] > 0, b["snip"]["latents"] >= 0, b["stop"])
            print("value", round(b["f"](2), 3))
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let (status, output) = try runSnip(["run", script])
        #expect(status == 0, "\(output)")
        #expect(output.contains("plain true true target"), "\(output)")
        #expect(output.contains("snip true true true target"), "\(output)")
        #expect(output.contains("value 10.909"), "\(output)")  // 2.5·4 + sin 2 = 10.909…
    }

    /// Ctrl-C during regress ends the search, not the script: the best formula so far is
    /// returned and the script goes on.
    @Test func ctrlCStopsRegressionWithTheBestSoFar() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = folder + "/search.snip"
        try """
            xs = linspace(0, 10, 300)
            print("searching")
            r = regress(xs, sin(xs) * exp(-0.3*xs) + 0.1*xs^2*cos(3*xs), time=60, target=1)
            print("stop:", r["stop"], "finite:", isnan(r["r2"]) == false)
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: snipExecutable)
        process.arguments = ["run", script]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = Pipe()
        try process.run()
        Thread.sleep(forTimeInterval: 2)
        kill(process.processIdentifier, SIGINT)
        let stopDeadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("snip did not stop within 30 s of Ctrl-C")
        }
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("regress: stopped by Ctrl-C after"), "\(output)")
        #expect(output.contains("stop: interrupted finite: true"), "\(output)")
    }
}
