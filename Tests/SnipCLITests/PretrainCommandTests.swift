import Foundation
import TestSupport
import Testing

struct PretrainCommandTests {
    /// Ctrl-C during training saves a checkpoint and exits cleanly; --resume finishes the run.
    @Test func interruptSavesAndResumeFinishes() throws {
        let directory = freshTemporaryPath("cli-interrupt")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Subprocess(
            snipExecutable,
            ["pretrain", "--config", "small", "--steps", "100000", "--batch-size", "4", "--out", directory],
            joinErrors: true)
        // wait for a few steps to be logged
        let metrics = directory + "/metrics.jsonl"
        process.wait {
            ((try? String(contentsOfFile: metrics, encoding: .utf8)) ?? "").split(separator: "\n").count >= 3
        }
        process.send(SIGINT)
        let r = process.finish()
        #expect(r.status == 0 && !r.signalled, "\(r.output)")
        #expect(r.output.contains("interrupted at step"))
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
        let (status2, output2) = try runSnip(["pretrain", "--out", freshTemporaryPath("cli-x"), "--config", "/nonexistent.json"])
        #expect(status2 != 0 && output2.contains("/nonexistent.json"))
    }
}
