import Foundation
import Testing

/// Runs the built `snip` executable (next to the test bundle) and captures its standard output
/// and, unless `includeStandardError` is false, its standard error in the same text.
func runSnip(
    _ arguments: [String], environment: [String: String] = [:], includeStandardError: Bool = true
) throws -> (status: Int32, output: String) {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let process = Process()
    process.executableURL = directory.appendingPathComponent("snip")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = includeStandardError ? pipe : FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

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
