import Foundation
import SnipScript
import TestSupport
import Testing

/// Deep and long input never kills snip (issue 13): in-process, the interpreter runs on a
/// thread with a large stack and checks the room left; through the executable, a crash would be
/// seen as a signal.
struct RobustnessTests {
    /// Runs `text` in-process; the printed output and the diagnostic, if any.
    static func run(_ text: String, stackBudget: Int? = nil, files: Bool = false)
        -> (output: String, error: Diagnostic?, syntax: [Diagnostic])
    {
        var output = ""
        let interpreter = Interpreter(output: { output += $0 })
        interpreter.stackBudget = stackBudget
        interpreter.allowsFiles = files
        switch interpreter.run(Source(name: "deep.snip", text: text)) {
        case .ok, .exited: return (output, nil, [])
        case .runtimeError(let d): return (output, d, [])
        case .syntaxErrors(let all): return (output, nil, all)
        }
    }

    static func chain(_ terms: Int, _ op: String = "+") -> String {
        "x = " + Array(repeating: "1", count: terms).joined(separator: " \(op) ") + "\nprint(x)\n"
    }

    @Test func aLongOperatorChainGivesItsValue() {
        let r = Self.run(Self.chain(30_000))
        #expect(r.error == nil && r.syntax.isEmpty)
        #expect(r.output == "30000\n")
    }

    @Test func nestingBeyondTheStackIsAPositionedError() {
        // a 4 MB budget stands for the whole stack: the same check stops any deeper input
        let r = Self.run(Self.chain(200_000), stackBudget: 4 << 20)
        let d = r.error
        #expect(d?.message.hasPrefix("nested too deeply") == true)
        #expect(d?.range.map { $0.source.lineColumn(of: $0.start).line } == 1)
    }

    @Test func recursionOfAThousandCallsWorksAndEndlessRecursionIsAnError() {
        let ok = Self.run("fn depth(n) { if n == 0 { return 0 }\n return 1 + depth(n - 1) }\nprint(depth(5000))\n")
        #expect(ok.error == nil)
        #expect(ok.output == "5000\n")
        let endless = Self.run("fn g(n) { return g(n + 1) }\ng(0)\n")
        #expect(endless.error?.message.contains("too many nested calls (more than 10000)") == true)
        let small = Self.run("fn g(n) { return g(n + 1) }\ng(0)\n", stackBudget: 2 << 20)
        #expect(small.error?.message.hasPrefix("nested too deeply") == true)
    }

    @Test func deepPrefixTreesAreRefusedWithoutBuildingThem() {
        let deep = String(repeating: "sin,", count: 100_000) + "x_0"
        let r = Self.run("f = parse_prefix(\"\(deep)\")\n")
        #expect(r.error?.message == "parse_prefix: the expression nests 100001 levels deep (the limit for an expression is 1000)")
        let fine = Self.run("f = parse_prefix(\"" + String(repeating: "sin,", count: 900) + "x_0\")\nprint(len(prefix(f)))\n")
        #expect(fine.error == nil)
        #expect(fine.output == "\(900 * 4 + 3)\n")
    }

    @Test func deepExpressionsFromFunctionsAreRefused() {
        // expr() of a 30,000-term formula: converted on the large stack, refused by depth
        let r = Self.run("g(x) = " + Array(repeating: "x", count: 30_000).joined(separator: " + ")
            + "\nf = expr(g)\n")
        #expect(r.error?.message.contains("nests 30000 levels deep") == true)
    }

    @Test func loadDataRefusesADeepTreeLine() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/deep.prefix"
        let line = "{\"x_to_fit\": [[1.0]], \"y_to_fit\": [[1.0]], \"tree\": \""
            + String(repeating: "sin,", count: 100_000) + "x_0\", \"skeleton_tree_encoded\": [\"x_0\"]}\n"
        try line.write(toFile: path, atomically: true, encoding: .utf8)
        let r = Self.run("ds = load_data(\"\(path)\")\n", files: true)
        #expect(r.error?.message == "load_data: \(path):1: the tree nests 100001 levels deep (the limit for an expression is 1000)")
    }

    // MARK: Through the executable: a signal would show as one

    @Test(arguments: [
        (chain(30_000), 0, "30000\n"),
        ("f = parse_prefix(\"" + String(repeating: "sin,", count: 100_000) + "x_0\")\n", 70, ""),
        ("x = " + String(repeating: "(", count: 30_000) + "1" + String(repeating: ")", count: 30_000) + "\n", 65, ""),
        ("fn g(n) { return 1 + g(n + 1) }\ng(0)\n", 70, ""),
        ("x = " + String(repeating: "-", count: 30_000) + "1\n", 65, ""),
    ])
    func deepScriptsEndInAResultOrADiagnostic(_ script: String, _ status: Int32, _ output: String) throws {
        let dir = try temporaryDirectory()
        let file = dir + "/deep.snip"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try runProcess(snipExecutable, ["run", file])
        #expect(!r.signalled, "snip was killed by signal \(r.status)")
        #expect(r.status == status, "\(r.errors.prefix(300))")
        #expect(r.output == output)
        if status != 0 { #expect(r.errors.contains(": error: ")) }
    }

    @Test func whatWasPrintedReachesAFileBeforeAnErrorOrExit() throws {
        let dir = try temporaryDirectory()
        let script = dir + "/s.snip"
        try "print(\"first\")\nfor i in 0..3 { print(i) }\nnope()\n".write(toFile: script, atomically: true, encoding: .utf8)
        let failed = try runProcess(snipExecutable, ["run", script])
        #expect(failed.status == 70)
        #expect(failed.output == "first\n0\n1\n2\n")
        try "print(\"bye\")\nexit(3)\nprint(\"never\")\n".write(toFile: script, atomically: true, encoding: .utf8)
        let exited = try runProcess(snipExecutable, ["run", script])
        #expect(exited.status == 3 && !exited.signalled)
        #expect(exited.output == "bye\n")
    }

    @Test func runDashReadsTheScriptFromStandardInput() throws {
        let r = try runProcess(snipExecutable, ["run", "-", "a"], input: "print(1 + 1, args)\nnope\n")
        #expect(r.output == "2 [\"a\"]\n")
        #expect(r.status == 70)
        #expect(r.errors.hasPrefix("<stdin>:2:1: error: undefined name 'nope'"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent("Models/snip-small-1d.safetensors").path)))
    func modelIsFoundWhenSnipIsStartedThroughPath() throws {
        // started as plain "snip" from another folder: argv[0] says nothing about where it lies
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = productsDirectory.path + ":" + (environment["PATH"] ?? "/usr/bin")
        environment["SNIP_HOME"] = nil
        let r = try runProcess(
            "/usr/bin/env", ["snip", "run", "-"], input: "m = model()\nprint(type(m), m[\"latent\"] > 0)\n",
            environment: environment, inheritsEnvironment: false, directory: try temporaryDirectory())
        #expect(r.status == 0, "\(r.errors)")
        #expect(r.output == "model true\n")
    }

    // MARK: Files

    @Test func readCSVReadsWindowsLineEnds() throws {
        let dir = try temporaryDirectory()
        try "a,b\r\n1,2\r\n3,4.5\r\n".write(toFile: dir + "/h.csv", atomically: true, encoding: .utf8)
        try "1\r\n2\r\n".write(toFile: dir + "/v.csv", atomically: true, encoding: .utf8)
        let r = Self.run("print(read_csv(\"\(dir)/h.csv\"), read_csv(\"\(dir)/v.csv\"))\n", files: true)
        #expect(r.error == nil)
        #expect(r.output == "[[1, 2], [3, 4.5]] [1, 2]\n")
    }

    @Test func fileErrorsSayWhatFailedInWords() throws {
        let dir = try temporaryDirectory()
        for program in ["read_csv(\"\(dir)\")", "write_csv(\"\(dir)/no/such/x.csv\", [1])", "write_csv(\"\(dir)\", [1])",
                        "read_csv(\"\(dir)/missing.csv\")", "save(\"\(dir)/no/ws.snipdata\")", "load(\"\(dir)\")"] {
            let r = Self.run(program + "\n", files: true)
            let message = r.error?.message ?? ""
            #expect(!message.isEmpty, "\(program)")
            #expect(!message.contains("NSCocoaErrorDomain") && !message.contains("Error Domain") && !message.contains("error 256"),
                    "\(message)")
        }
        #expect(Self.run("read_csv(\"\(dir)\")\n", files: true).error?.message.hasSuffix("it is a directory") == true)
        #expect(Self.run("write_csv(\"\(dir)/no/such/x.csv\", [1])\n", files: true).error?.message
            .contains("does not exist") == true)
    }

    @Test func timeOfAFunctionPrintsTheDurationAndReturnsTheValue() {
        let r = Self.run("v = time(() -> 6 * 7)\nprint(v)\n")
        #expect(r.output.range(of: #"^time: [0-9.e+-]+ s\n42\n$"#, options: .regularExpression) != nil, "\(r.output)")
    }

    // MARK: Ctrl-C

    @Test func ctrlCDuringFitPropertyReturnsThePredictorSoFar() throws {
        let process = try Subprocess(snipExecutable, ["run", "-"], input: """
            ds = dataset(count=16, seed=1, property="ncr")
            m = model("small")
            print("training")
            h = fit_property(m, ds, steps=1000000, batch=4)
            print(type(h), len(h["loss"]) > 0)

            """)
        // wait for "training" (output is unbuffered), give it a moment, then press Ctrl-C
        #expect(process.waitForOutput("training\n"))
        Thread.sleep(forTimeInterval: 5)
        process.send(SIGINT)
        let r = process.finish()
        #expect(r.status == 0 && !r.signalled, "\(r.errors)")
        #expect(r.output.contains("fit_property: stopped by Ctrl-C after "))
        #expect(r.output.hasSuffix("predictor true\n"), "\(r.output)")
    }
}
