import Foundation
import TestSupport
import Testing

struct CLITests {
    @Test func helpExplainsTheTool() throws {
        let (status, output) = try runSnip(["--help"])
        #expect(status == 0)
        #expect(output.contains("USAGE: snip"))
        #expect(output.contains("SNIP_THREADS"))
    }

    @Test func versionPrintsTheVersion() throws {
        let (status, output) = try runSnip(["--version"])
        #expect(status == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func infoReportsTheThreadSetting() throws {
        let (status, output) = try runSnip(["info"], environment: ["SNIP_THREADS": "1"])
        #expect(status == 0)
        #expect(output.contains("threads: 1"))
        #expect(output.contains("OpenBLAS"))
    }

    @Test func aChosenBLASLibraryIsLoadedInsteadOfOpenBLAS() throws {
        // libm has no cblas_sgemm: the message proves the variable's library was the one loaded
        let (status, output) = try runSnip(["info"], environment: ["SNIP_BLAS_LIBRARY": "libm.so.6"])
        #expect(status == 1)
        #expect(output.contains("snip: libm.so.6 has no cblas_sgemm"))
    }

    @Test func aMissingBLASLibraryFailsWithAMessage() throws {
        let (status, output) = try runSnip(["info"], environment: ["SNIP_BLAS_LIBRARY": "/nonexistent/libblas-nowhere.so"])
        #expect(status == 1)
        #expect(output.contains("cannot load SNIP_BLAS_LIBRARY=/nonexistent/libblas-nowhere.so"))
    }

    @Test func unknownOptionsFailWithAMessage() throws {
        let (status, output) = try runSnip(["--bogus"])
        #expect(status != 0)
        #expect(output.contains("Unknown option '--bogus'"))
    }

    @Test func aScriptFileRunsWithoutTheRunCommand() throws {
        let script = freshTemporaryPath("script.snip")
        defer { try? FileManager.default.removeItem(atPath: script) }
        try "print(\"args:\", args)\nprint(2 + 3)\n".write(toFile: script, atomically: true, encoding: .utf8)
        let (status, output) = try runSnip([script, "a", "--b"])
        #expect(status == 0)
        #expect(output.contains("args: [\"a\", \"--b\"]"))
        #expect(output.contains("5"))
        // the same exit status as `snip run`: 66 for a script that cannot be read
        let (missing, message) = try runSnip(["/nonexistent/nowhere.snip"])
        #expect(missing == 66)
        #expect(message.contains("cannot read '/nonexistent/nowhere.snip': no such file"))
    }

    @Test func theDefaultCommandStillExplainsItself() throws {
        let (status, output) = try runSnip(["repl", "--help"])
        #expect(status == 0)
        #expect(output.contains("USAGE: snip repl"))
        #expect(output.contains("snip FILE.snip"))
    }

    @Test func aMistypedCommandIsNotTakenForAScript() throws {
        let (status, output) = try runSnip(["genrate", "--count", "3"])
        #expect(status != 0)
        #expect(output.contains("'genrate' is neither a snip command nor a script file"))
    }
}
