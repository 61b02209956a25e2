import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipSystem

/// `snip embed`: latent vectors of every sample of a data.prefix file.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed the functions of a data.prefix file with a SNIP model.",
        discussion: """
            Reads the file line by line (reference data.prefix files work as they are) and writes \
            one JSON object per input line, in input order: {"line": N, "z_f": [...], "z_y": [...]} \
            (z_f from the symbolic encoder, z_y from the numeric one), y scaled to [0, 1] first for \
            models trained on scaled y (the checkpoint says so). A malformed line or a \
            token the model's vocabulary lacks stops the run with FILE:LINE: reason.
            """)

    enum Side: String, ExpressibleByArgument, CaseIterable {
        case symbolic, numeric, both
    }

    @Option(name: .long, help: "A model checkpoint (.safetensors or the reference's .pth), or 1d / 10d for a shipped model.")
    var model: String

    @Option(name: .long, help: "The data.prefix file to embed.")
    var data: String

    @Option(name: .long, help: "Which encoders to run: symbolic, numeric or both.")
    var side: Side = .both

    @Option(name: .long, help: "Samples per batch.")
    var batchSize = 64

    @Flag(name: .long, help: "Encode the skeleton (constants replaced by CONSTANT) instead of the expression.")
    var skeleton = false

    @Option(name: .long, help: "Output file (default: standard output).")
    var out: String?

    func validate() throws {
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxInferenceBatch)
    }

    func run() throws {
        let model = try reportingErrors { try SNIPModel.load(named: self.model) }
        if skeleton { model.contract.skeleton = true }
        let sides: Set<EncoderSide> = side == .both ? [.symbolic, .numeric] : side == .symbolic ? [.symbolic] : [.numeric]
        let reader = try reportingErrors { try DataPrefixReader(path: data) }
        let output = try reportingErrors { try AtomicFile.Writer(path: out) }
        defer { output.discard() }
        let status = StatusLine()
        let clock = DispatchTime.now().uptimeNanoseconds
        var count = 0
        try reportingErrors {
            // a batch at a time, so a file of any length streams through
            while true {
                let (samples, lines) = try reader.next(batchSize)
                if samples.isEmpty { break }
                let latents: SampleEmbeddings
                do throws(EmbeddingError) {
                    latents = try model.embed(samples, sides: sides, batchSize: batchSize)!
                } catch {
                    throw DataPrefixError(file: data, line: lines[error.index], reason: error.reason)
                }
                let (symbolic, numeric) = (latents.symbolic?.rows, latents.numeric?.rows)
                for (i, line) in lines.enumerated() {
                    var fields = ["\"line\":\(line)"]
                    if let symbolic { fields.append("\"z_f\":" + jsonArray(symbolic[i])) }
                    if let numeric { fields.append("\"z_y\":" + jsonArray(numeric[i])) }
                    try output.write("{" + fields.joined(separator: ",") + "}\n")
                }
                count += samples.count
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                status.show(String(format: "embedded %d samples  %.1f samples/s", count, Double(count) / max(elapsed, 1e-9)))
            }
            guard count > 0 else { throw ValidationError("\(data) holds no samples") }
            try output.commit()
        }
        status.finish()
        note("snip embed: \(count) samples")
    }
}

/// Shortest round-tripping decimals, comma separated, in brackets.
func jsonArray(_ values: [Float]) -> String {
    "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
}
