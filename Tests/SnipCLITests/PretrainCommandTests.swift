import Foundation
import Testing

private func temporaryDirectory(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-cli-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: path)
    return path
}

struct PretrainCommandTests {
    /// Ctrl-C during training saves a checkpoint and exits cleanly; --resume finishes the run.
    @Test func interruptSavesAndResumeFinishes() throws {
        let directory = temporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("snip")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["pretrain", "--config", "small", "--steps", "100000", "--batch-size", "4", "--out", directory]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        // wait for a few steps to be logged
        let metrics = directory + "/metrics.jsonl"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: metrics, encoding: .utf8), text.split(separator: "\n").count >= 3 { break }
            usleep(50_000)
        }
        process.interrupt()  // SIGINT
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("interrupted at step"))
        #expect(FileManager.default.fileExists(atPath: directory + "/checkpoint.safetensors"))
        let stepsDone = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").count
        #expect(stepsDone >= 3)
        let (status, resumed) = try runSnip(["pretrain", "--resume", directory, "--steps", String(stepsDone + 2)])
        #expect(status == 0, "\(resumed)")
        #expect(resumed.contains("resuming \(directory) at step \(stepsDone)"))
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").count == stepsDone + 2)
    }

    @Test func badArgumentsFailWithAMessage() throws {
        let (status, output) = try runSnip(["pretrain", "--steps", "5"])
        #expect(status != 0 && output.contains("--out"))
        let (status2, output2) = try runSnip(["pretrain", "--out", temporaryDirectory("x"), "--config", "/nonexistent.json"])
        #expect(status2 != 0 && output2.contains("/nonexistent.json"))
    }
}
