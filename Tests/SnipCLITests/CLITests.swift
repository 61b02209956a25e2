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
}
