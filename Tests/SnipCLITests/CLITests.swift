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

    @Test func unknownOptionsFailWithAMessage() throws {
        let (status, output) = try runSnip(["--bogus"])
        #expect(status != 0)
        #expect(output.contains("Unknown option '--bogus'"))
    }
}
